"""Every database test runs on SQLite and on PostgreSQL, each test on a fresh database.

Databases are copied from templates migrated once per run (an empty one and one with the demo catalogue):
SQLite by copying the file, PostgreSQL by CREATE DATABASE … TEMPLATE. PostgreSQL tests read the server from
TEST_POSTGRES_URL and are skipped with a visible reason without it (CI sets it and requires it). Database
names carry the process id, so two test runs on one server never collide.
"""
from __future__ import annotations

import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import Session

from genbank_registry import migrate
from genbank_registry.db import make_engine, normalize_url, session_scope
from genbank_registry.catalogue import seed

PG_ENV = "TEST_POSTGRES_URL"
REQUIRE_PG = os.environ.get("GENBANK_REGISTRY_REQUIRE_POSTGRES") == "1"
ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def _pg_admin():
    import psycopg

    url = make_url(normalize_url(os.environ[PG_ENV]))
    return psycopg.connect(host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
                           password=url.password, dbname=url.database or "postgres", autocommit=True)


def _pg_url(name: str) -> str:
    url = make_url(normalize_url(os.environ[PG_ENV]))
    return url.set(database=name).render_as_string(hide_password=False)


def _seed(url: str) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        seed.load_catalogue(session, seed.read_catalogue(seed.demo_catalogue_path()))
    engine.dispose()


def _seed_surveys(url: str) -> None:
    """The demo catalogue plus the demo survey (fixtures/surveys/), loaded as `seed demo` loads them."""
    from importers.survey_loader import load_survey_file

    _seed(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        seed.load_catalogue(session, seed.read_catalogue(FIXTURES / "surveys" / "taxa.json"))
    assert load_survey_file(engine, FIXTURES / "surveys" / "demo_surveys.csv").ok
    engine.dispose()


SEEDERS = {"empty": None, "demo": _seed, "surveys": _seed_surveys}


class SqliteFactory:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.templates: dict[str, Path] = {}

    def template(self, kind: str) -> Path:
        if kind not in self.templates:
            path = self.tmp / f"template-{kind}.db"
            url = f"sqlite:///{path}"
            migrate.upgrade(url)
            if SEEDERS[kind]:
                SEEDERS[kind](url)
            make_engine(url).dispose()
            self.templates[kind] = path
        return self.templates[kind]

    def new(self, kind: str) -> str:
        path = self.tmp / f"db-{uuid.uuid4().hex[:10]}.db"
        shutil.copy(self.template(kind), path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(make_url(url).database + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresFactory:
    def __init__(self):
        self.prefix = f"gr_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.admin = _pg_admin()
        self.templates: dict[str, str] = {}

    def template(self, kind: str) -> str:
        if kind not in self.templates:
            name = f"{self.prefix}_tpl_{kind}"
            self.admin.execute(f'CREATE DATABASE "{name}"')
            url = _pg_url(name)
            migrate.upgrade(url)
            if SEEDERS[kind]:
                SEEDERS[kind](url)
            self.templates[kind] = name
        return self.templates[kind]

    def new(self, kind: str) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template(kind)}"')
        return _pg_url(name)

    def drop(self, url: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        for name in self.templates.values():
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="session")
def _factories(tmp_path_factory):
    made: dict[str, object] = {}

    def get(backend: str):
        if backend not in made:
            if backend == "sqlite":
                made[backend] = SqliteFactory(tmp_path_factory.mktemp("sqlite"))
            else:
                if not os.environ.get(PG_ENV):
                    if REQUIRE_PG:
                        pytest.fail(f"{PG_ENV} is not set but GENBANK_REGISTRY_REQUIRE_POSTGRES=1")
                    pytest.skip(f"PostgreSQL tests skipped: set {PG_ENV} (e.g. "
                                f"postgresql+psycopg://postgres@127.0.0.1:5432/test) to run them")
                try:
                    made[backend] = PostgresFactory()
                except Exception as exc:  # noqa: BLE001 - any connection failure means the same thing here
                    if REQUIRE_PG:
                        pytest.fail(f"PostgreSQL at {PG_ENV} is unreachable: {exc}")
                    pytest.skip(f"PostgreSQL tests skipped: {PG_ENV} is unreachable ({exc})")
        return made[backend]

    yield get
    for factory in made.values():
        factory.close()


def _database(request, _factories, kind: str):
    factory = _factories(request.param)
    url = factory.new(kind)
    yield url
    factory.drop(url)


BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def new_database(request, _factories):
    """`new_database(kind)`: another database of one engine ("empty", "demo" or "surveys"), dropped after the
    test; for tests that need two registries side by side (a copy to compare with, a target to restore into)."""
    factory, made = _factories(request.param), []

    def new(kind: str) -> str:
        made.append(factory.new(kind))
        return made[-1]

    yield new
    for url in made:
        factory.drop(url)


@pytest.fixture(params=BACKENDS)
def db_url(request, _factories):
    """URL of a fresh, migrated, empty database."""
    yield from _database(request, _factories, "empty")


@pytest.fixture(params=BACKENDS)
def demo_url(request, _factories):
    """URL of a fresh database holding the demo catalogue."""
    yield from _database(request, _factories, "demo")


@pytest.fixture(params=BACKENDS)
def surveys_url(request, _factories):
    """URL of a fresh database holding the demo catalogue and the demo survey."""
    yield from _database(request, _factories, "surveys")


@pytest.fixture(params=BACKENDS)
def bare_url(request, _factories, tmp_path):
    """URL of a fresh database with no tables at all (for migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bare.db'}"
        return
    factory = _factories("postgresql")
    name = f"{factory.prefix}_bare_{uuid.uuid4().hex[:8]}"
    factory.admin.execute(f'CREATE DATABASE "{name}"')
    url = _pg_url(name)
    yield url
    factory.drop(url)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_engine(demo_url):
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def demo_session(demo_engine):
    with Session(demo_engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def web_client(url: str, **settings):
    """A test client of the web app over the database at `url`; the app's engine is disposed afterwards."""
    from fastapi.testclient import TestClient

    from genbank_registry.settings import Settings
    from web.app import create_app

    app = create_app(Settings(database_url=url, **settings))
    try:
        with TestClient(app) as client:
            yield client
    finally:
        app.state.engine.dispose()


@pytest.fixture
def client(demo_url):
    """A test client of the web app over a fresh demo catalogue (both engines)."""
    with web_client(demo_url, base_url="https://nguongen.cantho.example") as client:
        yield client


def wait_for_job(engine, job_id: int, timeout: float = 30):
    """The import job once it has completed or failed (the web runs it in the background)."""
    from genbank_registry.jobs.models import ImportJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Session(engine) as session:
            job = session.get(ImportJob, job_id)
            if job.status in ("completed", "failed"):
                return job
        time.sleep(0.1)
    raise AssertionError(f"import job {job_id} did not finish in {timeout} s")


PASSWORD = "mật-khẩu-đủ-dài"


@pytest.fixture
def upload_app(demo_url, tmp_path):
    """The web app over the demo catalogue with the real importers wired in (as `serve` does), a researcher of
    CTU (lan) and a curator (minh), both with PASSWORD."""
    from genbank_registry.accounts import people as accounts
    from genbank_registry.settings import Settings
    from importers.jobs import handlers
    from web.app import create_app

    app = create_app(Settings(database_url=demo_url, upload_dir=str(tmp_path / "up")), job_handlers=handlers())
    with session_scope(app.state.engine) as session:
        accounts.create_user(session, {"username": "lan", "full_name": "Lan", "role": "researcher",
                                       "institution_code": "CTU", "password": PASSWORD})
        accounts.create_user(session, {"username": "minh", "full_name": "Minh", "role": "curator",
                                       "password": PASSWORD})
    yield app
    app.state.engine.dispose()


class _Forms(__import__("html.parser").parser.HTMLParser):
    """Every <form> of a page with its action and the values of its hidden inputs, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                               "fields": {}})
        elif tag == "input" and self.forms and (attrs.get("type") or "").lower() == "hidden" and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def form_fields(html: str, action: str, **match) -> dict:
    """The hidden fields (the CSRF token among them) of the form on `html` that posts to `action`, optionally the
    one whose hidden fields also hold `match` (e.g. status="published"): the token the user's own form sends, not
    the first one on the page (which belongs to the sign-out form)."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["action"] == action and all(form["fields"].get(k) == v for k, v in match.items()):
            return dict(form["fields"])
    raise AssertionError(f"no form posting to {action!r} {match or ''} on the page; forms: "
                         f"{[(f['action'], f['fields'].get('status')) for f in parser.forms]}")


def form_token(client, page: str, action: str | None = None, **match) -> str:
    """The CSRF token of the form on `page` that posts to `action` (default: the page itself)."""
    response = client.get(page)
    assert response.status_code == 200, f"GET {page} → {response.status_code}"
    token = form_fields(response.text, action or page, **match).get("csrf_token")
    assert token, f"the form posting to {action or page} on {page} carries no CSRF token"
    return token


def sign_in(client, username: str, password: str, next: str | None = None, **kwargs):
    """Sign in as a browser does: GET the sign-in form (which sets the pre-session cookie), then post it with
    the form's CSRF token. The response of the post (303 on success); kwargs go to client.post."""
    page = client.get("/sign-in", follow_redirects=False)
    assert page.status_code == 200, f"GET /sign-in → {page.status_code}"
    data = form_fields(page.text, "/sign-in") | {"username": username, "password": password}
    if next is not None:
        data["next"] = next
    return client.post("/sign-in", data=data, **kwargs)


# --- browser tests: the record of the forms they submit (tests/browser_support.py) ---------------------------

def pytest_configure(config):
    from . import browser_support

    browser_support.record_form_posts()


def _is_browser_file(item) -> bool:
    return item.path.name.startswith("test_browser") and item.path.suffix == ".py"


def pytest_deselected(items):
    from . import browser_support

    browser_support.RUN["deselected"] += [i.nodeid for i in items if _is_browser_file(i)]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests marked `runs_last` (the check that every form was submitted) run after all the others."""
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)


def pytest_collection_finish(session):
    from . import browser_support

    browser_support.RUN["browser_files"] = {i.path.name for i in session.items if _is_browser_file(i)}
