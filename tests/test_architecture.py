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
            "import genbank_registry.cli, web.app, genbank_registry.catalogue.public_form;"
            "print('ok')")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def _import_circles(graph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan's strongly connected
    components over grimp's graph, function-level imports included)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in graph.modules:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return circles


def test_no_import_circles():
    import grimp

    sys.path.insert(0, str(ROOT))  # this checkout's packages, not an installed copy
    try:
        graph = grimp.build_graph("schemas", "genbank_registry", "importers", "web", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))
    circles = _import_circles(graph)
    assert not circles, "modules that import each other (move what they share into a module both import):\n" + \
        "\n".join(" ↔ ".join(group) for group in circles)


def test_the_circle_check_finds_a_circle():
    import grimp

    graph = grimp.ImportGraph()
    for importer, imported in (("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")):
        graph.add_import(importer=importer, imported=imported)
    assert _import_circles(graph) == [["a", "b", "c"]]
