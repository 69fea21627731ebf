"""District diversity report at scale: 1,000 sites × 5,000 species (≈1 million occurrence rows).

    .venv/bin/python bench/diversity.py [--engines sqlite,postgresql] [--sites 1000] [--species 5000]
                                        [--per-site 1000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

For each engine: builds a migrated database in a temporary place (SQLite file / PostgreSQL database created
and dropped here), bulk-inserts synthetic taxa, one sampling event per site spread over the 9 historical
districts and `per-site` occurrences per site, then measures
  end to end: the registry's district report (SQL sums, every index with Chao1 intervals, Bray–Curtis and
              Jaccard, PCoA, rarefaction curves) from a new session on the app's engine (pool open, as in
              the server);
  floor:      scikit-bio alone on the same counts already in memory (the site × species matrix and each site's
              district): district sums with numpy, then skbio alpha_diversity for the seven indices plus
              chao1_ci per district, beta_diversity (Bray–Curtis, Jaccard) and pcoa. scikit-bio has no
              analytic rarefaction, so the floor does less than the registry;
  page:       GET /reports/diversity?by=district (HTML with SVG charts) through the web app, warm.
Time is the best of --repeat runs (wall clock); peak memory is tracemalloc's peak in a separate run.
Target: end to end ≤ 2× floor; the page under 1 s. Timings on a shared machine vary: compare the ratio.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text

from genbank_registry import migrate
from genbank_registry.db import make_engine, normalize_url
from genbank_registry.models import SamplingEvent, SurveyOccurrence, Taxon
from schemas.places import DISTRICTS

TARGET_RATIO = 2.0


def synthesise(sites: int, species: int, per_site: int, seed: int = 6):
    """Site × species counts: each site holds `per_site` species drawn with a long-tailed preference."""
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0, 1.5, species)
    weights /= weights.sum()
    matrix = np.zeros((sites, species), dtype=np.int64)
    for i in range(sites):
        chosen = rng.choice(species, size=per_site, replace=False, p=weights)
        matrix[i, chosen] = rng.negative_binomial(1, 0.25, per_site) + 1
    districts = np.array(list(DISTRICTS))[np.arange(sites) % len(DISTRICTS)]
    return matrix, districts


def load(url: str, matrix: np.ndarray, districts: np.ndarray) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    sites, species = matrix.shape
    with engine.begin() as conn:
        conn.execute(insert(Taxon), [{"scientific_name": f"Benchus species{j:05d}", "rank": "species",
                                      "taxonomic_status": "accepted", "verified": True,
                                      "name_folded": f"benchus species{j:05d}",
                                      "created_at": dt.datetime.now(dt.timezone.utc)} for j in range(species)])
        taxon_ids = [r[0] for r in conn.execute(text("SELECT id FROM taxon ORDER BY id"))]
        now = dt.datetime.now(dt.timezone.utc)
        conn.execute(insert(SamplingEvent), [{
            "event_id": f"B-{i:05d}", "event_date": dt.date(2021 + i % 5, 3, 1 + i % 28), "year": 2021 + i % 5,
            "location_id": f"SITE-{i:05d}", "district_code": str(districts[i]), "county": DISTRICTS[districts[i]].name_vi,
            "municipality": f"Xã {i % 40}", "habitat": ("canal", "river", "rice field", "pond")[i % 4],
            "sampling_protocol": "cast net", "sample_size_value": 2.0, "sample_size_unit": "hour",
            "created_at": now} for i in range(sites)])
        event_ids = [r[0] for r in conn.execute(text("SELECT id FROM sampling_event ORDER BY id"))]
    rows_i, rows_j = np.nonzero(matrix)
    print(f"  inserting {len(rows_i):,} occurrences…", flush=True)
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy("COPY survey_occurrence (event_pk, taxon_id, scientific_name, "
                                               "individual_count, occurrence_status) FROM STDIN") as copy:
                for i, j in zip(rows_i.tolist(), rows_j.tolist()):
                    copy.write_row((event_ids[i], taxon_ids[j], f"Benchus species{j:05d}", int(matrix[i, j]),
                                    "present"))
            raw.commit()
        finally:
            raw.close()
    else:
        with engine.begin() as conn:
            chunk = 100_000
            for start in range(0, len(rows_i), chunk):
                conn.execute(insert(SurveyOccurrence), [
                    {"event_pk": event_ids[i], "taxon_id": taxon_ids[j], "scientific_name": f"Benchus species{j:05d}",
                     "individual_count": int(matrix[i, j]), "occurrence_status": "present"}
                    for i, j in zip(rows_i[start:start + chunk].tolist(), rows_j[start:start + chunk].tolist())])
    from sqlmodel import Session

    from genbank_registry.surveys.reports import refresh_summary

    start = time.perf_counter()
    with Session(engine) as session:
        refresh_summary(session)  # what a survey load does before it commits (there for its events only)
        session.commit()
    print(f"  report summary built in {time.perf_counter() - start:.1f} s", flush=True)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def end_to_end(engine):
    """As the web app does it: a session from the app's engine (its pool already open), the report, closed."""
    from sqlmodel import Session

    from genbank_registry.surveys.reports import diversity_report

    with Session(engine) as session:
        return diversity_report(session, "district")


def floor(matrix: np.ndarray, districts: np.ndarray):
    from skbio import DistanceMatrix
    from skbio.diversity import alpha_diversity, beta_diversity
    from skbio.diversity.alpha import chao1_ci
    from skbio.stats.ordination import pcoa

    keys = list(DISTRICTS)
    grouped = np.zeros((len(keys), matrix.shape[1]), dtype=np.int64)
    index = {k: n for n, k in enumerate(keys)}
    np.add.at(grouped, np.array([index[d] for d in districts]), matrix)
    result = {m: alpha_diversity(m, grouped, keys) for m in ("observed_features", "shannon", "simpson",
                                                             "inv_simpson", "pielou_e", "chao1", "goods_coverage")}
    result["chao1_ci"] = [chao1_ci(row) for row in grouped]
    bc = beta_diversity("braycurtis", grouped, keys)
    beta_diversity("jaccard", grouped > 0, keys)
    pcoa(DistanceMatrix(bc.data, keys), number_of_dimensions=2, warn_neg_eigval=False)
    return result


def page(url: str) -> float:
    from fastapi.testclient import TestClient

    from genbank_registry.settings import Settings
    from web.app import create_app

    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        client.get("/reports/diversity?by=district")  # warm: templates, imports
        start = time.perf_counter()
        response = client.get("/reports/diversity?by=district")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200 and "Ninh Kiều" in response.text
    app.state.engine.dispose()
    return elapsed


def measure(fn, repeat: int):
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2 ** 20, value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--sites", type=int, default=1000)
    ap.add_argument("--species", type=int, default=5000)
    ap.add_argument("--per-site", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pg", default=os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args()
    matrix, districts = synthesise(args.sites, args.species, args.per_site)
    print(f"{args.sites:,} sites × {args.species:,} species, {int((matrix > 0).sum()):,} occurrence rows "
          f"(machine shared with other jobs: timings are indicative, the ratio is the figure)")
    floor(matrix, districts)  # import scikit-bio once, outside the timings
    f_time, f_mem, expected = measure(lambda: floor(matrix, districts), args.repeat)
    results = []
    for engine_name in args.engines.split(","):
        print(f"{engine_name}: building the database…", flush=True)
        tmp = None
        if engine_name == "sqlite":
            tmp = tempfile.TemporaryDirectory()
            url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
        else:
            import psycopg
            from sqlalchemy.engine import make_url

            base = make_url(normalize_url(args.pg))
            name = f"bench_div_{uuid.uuid4().hex[:8]}"
            admin = psycopg.connect(host=base.host, port=base.port or 5432, user=base.username,
                                    password=base.password, dbname=base.database, autocommit=True)
            admin.execute(f'CREATE DATABASE "{name}"')
            url = base.set(database=name).render_as_string(hide_password=False)
        try:
            start = time.perf_counter()
            load(url, matrix, districts)
            print(f"  loaded in {time.perf_counter() - start:.1f} s", flush=True)
            engine = make_engine(url)
            end_to_end(engine)  # open the pool, as a running server has
            e_time, e_mem, report = measure(lambda: end_to_end(engine), args.repeat)
            engine.dispose()
            shannon = np.array(expected["shannon"])
            assert np.allclose([g.shannon for g in report.groups], shannon), "report and scikit-bio disagree"
            assert [g.richness for g in report.groups] == list(expected["observed_features"])
            p_time = page(url)
            results.append((engine_name, e_time, e_mem, p_time))
        finally:
            if tmp:
                tmp.cleanup()
            else:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()
    print()
    print(f"{'engine':<11} {'end to end':>11} {'peak MB':>8} {'scikit-bio':>11} {'peak MB':>8} {'ratio':>6} "
          f"{'target':>7} {'page':>7} {'< 1 s':>6}")
    for engine_name, e_time, e_mem, p_time in results:
        ratio = e_time / f_time
        print(f"{engine_name:<11} {e_time:>9.3f} s {e_mem:>8.1f} {f_time:>9.3f} s {f_mem:>8.1f} {ratio:>6.2f} "
              f"{'met' if ratio <= TARGET_RATIO else 'missed':>7} {p_time:>5.3f} s {'yes' if p_time < 1 else 'no':>6}")


if __name__ == "__main__":
    main()
