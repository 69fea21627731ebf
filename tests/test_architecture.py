"""The layering DEVELOPERS.md sets: schemas import nothing of ours, importers and web never import each other,
the core imports no fastapi, and nothing builds an engine or settings at import time."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken" in result.stdout


def test_importing_builds_no_engine(tmp_path):
    # A database URL that cannot be opened: importing must not try.
    code = ("import os; os.environ['GENBANK_REGISTRY_DATABASE_URL']='postgresql://nobody@127.0.0.1:1/none';"
            "import genbank_registry.cli, web.app, genbank_registry.services.public;"
            "print('ok')")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr
