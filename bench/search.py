"""Search latency: the catalogue page and the JSON API, on SQLite and PostgreSQL, beside Datasette.

    .venv/bin/pip install datasette            # the peer, for the benchmark only
    .venv/bin/python bench/generate.py sqlite:///var/bench-100k.db
    .venv/bin/python bench/generate.py postgresql://postgres@127.0.0.1:5432/bench_100k   # optional
    .venv/bin/python bench/search.py --sqlite sqlite:///var/bench-100k.db \\
        [--postgres postgresql://postgres@127.0.0.1:5432/bench_100k] [--rounds 20]

Each server runs alone (uvicorn, one worker; Datasette with its defaults except suggest_facets off) on a free
127.0.0.1 port and answers a fixed query mix over one keep-alive connection: a warm-up pass, then --rounds
passes. Datasette serves the same SQLite file and searches the same FTS5 table over the folded words
(`_fts_table=accession_fts`, prefix queries, published rows only), so both sides do the same matching; ours
also ranks, counts and (for the page) computes nine facets, Datasette's page computes two. Targets at 100k
accessions on SQLite: API p95 ≤ 20 ms, page p95 ≤ 50 ms, and no slower than Datasette on the same queries.
Last figures and where the time goes: bench/README.md. A catalogue generated before migration
0013_search_tiers is upgraded by `genbank-registry db upgrade` (or generate it again).
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from schemas.text import query_tokens  # noqa: E402

# (search box, facet filters): names with and without diacritics, places, an exact number, a filtered search
# and a typo (which answers with suggestions).
MIX = [
    ("sam", {}), ("dinh lang", {}), ("Đinh lăng", {}), ("co do", {}), ("thuy", {}), ("lua", {}),
    ("ca tra", {}), ("nang thom", {}), ("xoai", {}), ("trichoderma", {}), ("CAY-S012345", {}),
    ("lua", {"district": "925"}), ("ca", {"category": "aquatic"}), ("dinh lnag", {}),
]
DATASETTE_FILTERS = {"district": "district_code", "category": "category"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, path: str, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not answer {path}")


def measure(port: int, paths: list[str], rounds: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for r in range(rounds + 1):
        for path in paths:
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                raise SystemExit(f"GET {path} answered {response.status}: {body[:300]!r}")
            if r:  # the first pass warms caches
                times.append(elapsed)
    conn.close()
    return times


def ours(url: str, rounds: int) -> dict[str, list[float]]:
    port = free_port()
    env = os.environ | {"GENBANK_REGISTRY_DATABASE_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                            env=env, cwd=ROOT)
    try:
        wait_ready(port, "/healthz", proc)
        api = [f"/api/v1/accessions?{urlencode({'q': q, **f})}" for q, f in MIX]
        page = [f"/catalogue?{urlencode({'q': q, **f})}" for q, f in MIX]
        return {"API /api/v1/accessions": measure(port, api, rounds),
                "page /catalogue": measure(port, page, rounds)}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def datasette(sqlite_url: str, rounds: int) -> dict[str, list[float]]:
    exe = shutil.which("datasette", path=str(Path(sys.executable).parent)) or shutil.which("datasette")
    if exe is None:
        print("datasette is not installed: .venv/bin/pip install datasette (skipping the peer)")
        return {}
    path = Path(make_url(sqlite_url).database)
    port = free_port()
    proc = subprocess.Popen([exe, "serve", str(path), "--host", "127.0.0.1", "--port", str(port),
                             "--setting", "suggest_facets", "off", "--setting", "default_page_size", "20"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = path.stem

    def params(q, filters, extra):
        p = {"_fts_table": "accession_fts", "_fts_pk": "id", "publication_status": "published", **extra}
        tokens = query_tokens(q)
        if tokens:
            p |= {"_search": " ".join(f'"{t}"*' for t in tokens), "_searchmode": "raw"}
        p |= {DATASETTE_FILTERS[k]: v for k, v in filters.items()}
        return urlencode(p)

    try:
        wait_ready(port, f"/{db}.json", proc)
        api = [f"/{db}/accession.json?{params(q, f, {'_size': 20, '_shape': 'objects'})}" for q, f in MIX]
        page = [f"/{db}/accession?{params(q, f, {'_size': 20})}&_facet=category&_facet=district_code"
                for q, f in MIX]
        return {"Datasette JSON (table API)": measure(port, api, rounds),
                "Datasette page (+2 facets)": measure(port, page, rounds)}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def pct(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", default="sqlite:///var/bench-100k.db")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from sqlmodel import Session, func, select

    from genbank_registry.db import make_engine
    from genbank_registry.models import AccessionIndex

    engine = make_engine(args.sqlite)
    with Session(engine) as session:
        n = session.exec(select(func.count()).select_from(AccessionIndex)).one()
    engine.dispose()
    print(f"catalogue: {n:,} published accessions ({args.sqlite}); mix of {len(MIX)} queries × {args.rounds} rounds; "
          f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (shared machine)")

    results: list[tuple[str, str, list[float]]] = []
    for name, times in ours(args.sqlite, args.rounds).items():
        results.append(("sqlite", name, times))
    if args.postgres:
        for name, times in ours(args.postgres, args.rounds).items():
            results.append(("postgresql", name, times))
    for name, times in datasette(args.sqlite, args.rounds).items():
        results.append(("sqlite", name, times))

    print(f"\n{'engine':<11} {'target':<30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    figures = {}
    for engine_name, name, times in results:
        p50, p95 = pct(times, 50), pct(times, 95)
        figures[(engine_name, name)] = (p50, p95)
        print(f"{engine_name:<11} {name:<30} {p50:8.1f} {p95:8.1f} {max(times):8.1f}")

    api = figures.get(("sqlite", "API /api/v1/accessions"))
    page = figures.get(("sqlite", "page /catalogue"))
    peer_api = figures.get(("sqlite", "Datasette JSON (table API)"))
    peer_page = figures.get(("sqlite", "Datasette page (+2 facets)"))
    print()
    print(f"target SQLite API p95 ≤ 20 ms: {api[1]:.1f} ms → {'met' if api[1] <= 20 else 'MISSED'}")
    print(f"target SQLite page p95 ≤ 50 ms: {page[1]:.1f} ms → {'met' if page[1] <= 50 else 'MISSED'}")
    if peer_api and peer_page:
        print(f"ratio API p95 ours/Datasette JSON: {api[1] / peer_api[1]:.2f} "
              f"({'no slower' if api[1] <= peer_api[1] else 'SLOWER'}); "
              f"p50 {api[0] / peer_api[0]:.2f}")
        print(f"ratio page p95 ours/Datasette page: {page[1] / peer_page[1]:.2f} "
              f"({'no slower' if page[1] <= peer_page[1] else 'SLOWER'}); "
              f"p50 {page[0] / peer_page[0]:.2f}")


if __name__ == "__main__":
    main()
