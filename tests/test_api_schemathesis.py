"""schemathesis over the JSON API of a real uvicorn server (both engines): every operation of /openapi.json,
anonymously and with a researcher's and a curator's API token, with valid and with invalid data.

No answer may be a 5xx, break its declared schema, or carry a status the operation does not document. The run
is bounded (a fixed number of examples per operation, derandomised, no shrinking) so it fits CI; the number of
examples sent is printed and written to test-artifacts/schemathesis.txt.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance, negative_data_rejection, response_schema_conformance, status_code_conformance)

from genbank_registry.db import make_engine, session_scope  # noqa: E402
from genbank_registry.accounts import people as accounts  # noqa: E402

from .conftest import BACKENDS  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# Examples per operation and generation mode; GENBANK_REGISTRY_SCHEMATHESIS_EXAMPLES raises it for a longer run.
EXAMPLES = {GenerationMode.POSITIVE: int(os.environ.get("GENBANK_REGISTRY_SCHEMATHESIS_EXAMPLES", 25)),
            GenerationMode.NEGATIVE: max(1, int(os.environ.get("GENBANK_REGISTRY_SCHEMATHESIS_EXAMPLES", 25)) // 2)}
CHECKS = {GenerationMode.POSITIVE: [not_a_server_error, response_schema_conformance, status_code_conformance,
                                    content_type_conformance],
          GenerationMode.NEGATIVE: [not_a_server_error, response_schema_conformance, status_code_conformance,
                                    content_type_conformance, negative_data_rejection]}
PROFILE = settings(derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck), print_blob=False)
RUNS: list[str] = []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    if RUNS:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "schemathesis.txt").write_text("\n".join(RUNS) + "\n", encoding="utf-8")


@pytest.fixture(scope="module", params=BACKENDS)
def api_server(request, _factories, tmp_path_factory):
    """uvicorn (the `serve` app, importers wired in) on a free 127.0.0.1 port over a fresh demo database, and
    the Authorization headers of each kind of caller."""
    factory = _factories(request.param)
    url = factory.new("demo")
    engine = make_engine(url)
    headers = {"anonymous": {}}
    with session_scope(engine) as session:
        accounts.create_user(session, {"username": "lan", "full_name": "Lan", "role": "researcher",
                                       "institution_code": "CTU", "password": "mật-khẩu-đủ-dài"})
        accounts.create_user(session, {"username": "minh", "full_name": "Minh", "role": "curator",
                                       "password": "mật-khẩu-đủ-dài"})
        for who, username in (("researcher", "lan"), ("curator", "minh")):
            headers[who] = {"Authorization": f"Bearer {accounts.create_token(session, username, 'fuzz')[1]}"}
    engine.dispose()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"GENBANK_REGISTRY_DATABASE_URL": url, "GENBANK_REGISTRY_BASE_URL": base,
                        "GENBANK_REGISTRY_UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads"))}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "genbank_registry.cli.serve:app_factory", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("the web server did not start")
                time.sleep(0.1)
        yield request.param, base, headers
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        factory.drop(url)


def _run(operation, mode, base: str, headers: dict, failures: list[str]) -> int:
    sent = 0
    seen: set[str] = set()

    @settings(PROFILE, max_examples=EXAMPLES[mode])
    @given(case=operation.as_strategy(generation_mode=mode))
    def probe(case):
        nonlocal sent
        sent += 1
        try:
            case.call_and_validate(base_url=base, headers=headers, checks=CHECKS[mode], timeout=30)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported together below
            text = str(exc).strip()
            key = text.splitlines()[0] if text else type(exc).__name__
            if key not in seen:
                seen.add(key)
                failures.append(f"{operation.label} [{mode.value}]: {text[:1500]}")

    try:
        probe()
    except Unsatisfiable:
        # An operation with nothing to get wrong (no parameters, no body) has no invalid request to make.
        if mode is GenerationMode.POSITIVE:
            raise
    return sent


@pytest.mark.parametrize("who", ["anonymous", "researcher", "curator"])
def test_every_api_operation_answers_within_its_schema(api_server, who):
    backend, base, headers = api_server
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    failures: list[str] = []
    sent = operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            sent += _run(operation, mode, base, headers[who], failures)
    line = f"schemathesis examples run: {sent} ({backend}, {who}, {operations} operations, {len(failures)} failures)"
    print(line)
    RUNS.append(line)
    assert operations >= 15, f"only {operations} operations in /openapi.json"
    assert not failures, "\n\n".join(failures)
