"""The CLI a curator types: migrate, seed the demo, list and show accessions."""
from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from genbank_registry.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch):
    def use(url):
        monkeypatch.setenv("GENBANK_REGISTRY_DATABASE_URL", url)
    return use


def test_upgrade_then_seed_twice(bare_url, cli_env):
    cli_env(bare_url)
    result = runner.invoke(app, ["seed", "demo"])
    assert result.exit_code == 1 and "db upgrade" in result.output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["seed", "demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "accessions" in first.output
    assert "demo_surveys.csv: added: 4553" in first.output  # the demo survey comes with the demo catalogue
    again = runner.invoke(app, ["seed", "demo", "--if-empty"])
    assert again.exit_code == 0 and "not empty" in again.output
    status = runner.invoke(app, ["db", "status"])
    assert status.exit_code == 0, status.output


def test_commands_on_a_database_without_the_registry_say_what_to_do(bare_url, cli_env, tmp_path):
    """A mistyped URL or a database never upgraded: one line saying what to run, no traceback, no empty file."""
    missing = tmp_path / "typo" / "registry.db"
    cli_env(f"sqlite:///{missing}")
    result = runner.invoke(app, ["accessions", "list"])
    assert result.exit_code == 1 and "no registry database at" in result.output and "db upgrade" in result.output
    assert "Traceback" not in result.output and not missing.exists() and not missing.parent.exists()
    if bare_url.startswith("sqlite"):
        sqlite3.connect(bare_url.removeprefix("sqlite:///")).close()  # a file, but no tables
    cli_env(bare_url)
    for command in (["accessions", "list"], ["import", "batches"], ["report", "counts"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, (command, result.output)
        assert "holds no registry schema" in result.output and "db upgrade" in result.output, result.output
    if bare_url.startswith("postgresql"):
        cli_env(bare_url.replace("postgres@", "postgres:secret-word@"))
        assert "secret-word" not in runner.invoke(app, ["accessions", "list"]).output


def test_list_and_show(demo_url, cli_env):
    cli_env(demo_url)
    result = runner.invoke(app, ["accessions", "list", "--json", "--limit", "0", "--category", "aquatic"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and {r["category"] for r in rows} == {"aquatic"}
    table = runner.invoke(app, ["accessions", "list", "--limit", "5"])
    assert table.exit_code == 0 and "CAY-0001" in table.output
    key = f"{rows[0]['instcode']}:{rows[0]['accenumb']}"
    shown = runner.invoke(app, ["accessions", "show", key, "--json"])
    assert shown.exit_code == 0
    assert json.loads(shown.output)["accenumb"] == rows[0]["accenumb"]


def test_show_public_hides_what_the_public_must_not_see(demo_url, cli_env):
    cli_env(demo_url)
    rows = json.loads(runner.invoke(app, ["accessions", "list", "--json", "--limit", "0"]).output)
    draft = next(r for r in rows if r["publication_status"] == "draft")
    result = runner.invoke(app, ["accessions", "show", f"{draft['instcode']}:{draft['accenumb']}", "--public"])
    assert result.exit_code == 1 and "public does not see it" in result.output
    fish = next(r for r in rows if r["scientific_name"] == "Catlocarpio siamensis"
                and r["publication_status"] == "published")
    full = json.loads(runner.invoke(app, ["accessions", "show", str(fish["id"]), "--json"]).output)
    public = json.loads(runner.invoke(app, ["accessions", "show", str(fish["id"]), "--json", "--public"]).output)
    assert full["declatitude"] is not None
    assert public["declatitude"] is None and public["sensitivity_category"] == 1
    assert str(full["declatitude"]) not in json.dumps(public)


def test_unknown_accession_is_a_clear_error(demo_url, cli_env):
    cli_env(demo_url)
    result = runner.invoke(app, ["accessions", "show", "CTU:NOPE-1"])
    assert result.exit_code == 1
    assert "accession 'CTU:NOPE-1' not found" in result.output


def test_batches_export_and_counts(demo_url, cli_env, tmp_path):
    cli_env(demo_url)
    batches = runner.invoke(app, ["import", "batches"])
    assert batches.exit_code == 0 and "demo" in batches.output
    report = runner.invoke(app, ["import", "batches", "--id", "1"])
    assert json.loads(report.output)["report"]["accessions"]["added"] >= 60
    out = tmp_path / "catalogue.json"
    assert runner.invoke(app, ["export", "catalogue", "--out", str(out)]).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["total"] == len(exported["items"]) >= 60
    assert all("donor_contact" not in item and "private_remarks" not in item for item in exported["items"])
    counts = json.loads(runner.invoke(app, ["report", "counts", "--json"]).output)
    assert counts["accessions"] == exported["total"]
    assert counts["by_district"]["withheld"] >= 3
