"""Shared fixtures: the real boundary files from ../shared/data, fresh stores, the demo set.

Environment:
- ``P03_SHARED_DATA``: the shared data folder (default ``../shared/data`` beside the repo).
- ``P03_TEST_DATABASE_URL``: a PostGIS database (``make pytest`` starts one with scripts/pg.sh); the
  ``store`` fixture runs every test that uses it on SQLite and on PostGIS, each PostGIS test in a
  fresh schema of that database, except page and browser tests (SQLite only, unless marked
  ``postgis_smoke``). Unset: the PostGIS runs are skipped.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from geo import auth, boundaries, reference
from geo import sites as site_ops
from geo.private_files import private_dir
from geo.store import open_store
from geo.store.migrations import MIGRATIONS
from geo.store.sqlite import STORE_FILE

#: The app's password hasher (argon2-cffi's defaults: argon2id, 64 MiB, t=3, p=4), about 0.2 s of CPU
#: per hash or check; tests/test_loop.py checks it is that one. The tests hash and check passwords by
#: the hundred (each user they create, each sign-in), so they use argon2id at its cheapest: the same
#: code path and hash format, 1/300 of the work (it was a third of the suite's CPU time). A stored
#: hash names its own parameters, so a server or CLI process started by a test checks these quickly.
APP_HASHER = auth._HASHER
auth._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

#: ``make check`` sets P03_HYPOTHESIS_PROFILE=check: property tests try a fifth of their examples
#: (at least 5) for a quick inner loop; ``make test`` (the default, "full") tries every one.
HYPOTHESIS_PROFILE = os.environ.get("P03_HYPOTHESIS_PROFILE", "full")


def examples(n: int) -> int:
    """How many examples a property test that asks for ``n`` tries in this run's profile."""
    return n if HYPOTHESIS_PROFILE == "full" else max(5, n // 5)

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("P03_SHARED_DATA", REPO.parent / "shared" / "data")).resolve()
DEMO_DIR = REPO / "data" / "demo"
PG_URL = os.environ.get("P03_TEST_DATABASE_URL", "")
BACKENDS = ("sqlite", "postgis")
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert (SHARED / "boundaries").is_dir(), f"shared data not found at {SHARED} (set P03_SHARED_DATA)"
    return SHARED


@pytest.fixture(scope="session")
def realworld(shared_data: Path) -> Path:
    return shared_data / "realworld"


@pytest.fixture(scope="session")
def boundaries_dir(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """The real boundary layers, imported once per session through the real importer."""
    dest = tmp_path_factory.mktemp("data") / "boundaries"
    boundaries.import_boundaries(shared_data / "boundaries", dest)
    return dest


@pytest.fixture(scope="session")
def ref(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> reference.Reference:
    """The real OpenStreetMap reference layers, imported once into a scratch folder."""
    dest = tmp_path_factory.mktemp("ref") / "reference"
    reference.import_reference(shared_data / "reference", dest)
    loaded = reference.get(dest)
    assert loaded is not None
    return loaded


@pytest.fixture(scope="session")
def bounds(boundaries_dir: Path) -> boundaries.Boundaries:
    return boundaries.get(boundaries_dir)


@pytest.fixture()
def data_dir(tmp_path: Path, boundaries_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh P03_DATA_DIR with the real boundaries installed and an empty store."""
    d = tmp_path / "data"
    d.mkdir()
    shutil.copytree(boundaries_dir, d / "boundaries")
    monkeypatch.setenv("P03_DATA_DIR", str(d))
    monkeypatch.setenv("P03_TILES", "none")
    monkeypatch.delenv("P03_DATABASE_URL", raising=False)
    return d


def pg_schema_url(url: str, schema: str) -> str:
    """``url`` with ``schema`` first on the search path (PostGIS stays reachable in public)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema},public"


def _ui_test(metafunc: pytest.Metafunc) -> bool:
    """Page tests (AppTest) and browser tests exercise the interface, not the store: they run on
    SQLite only. The store's own tests run on both backends; ``@pytest.mark.postgis_smoke`` keeps a
    page test on both, as a smoke test of the pages over PostGIS."""
    if metafunc.definition.get_closest_marker("postgis_smoke") is not None:
        return False
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return True
    return metafunc.definition.get_closest_marker("browser") is not None or hasattr(metafunc.module, "AppTest")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark page and browser tests ``ui`` (``make check`` leaves them to ``make test``), and put the
    browser test files first: ``make test`` hands whole files to its workers in this order
    (``--dist loadfile --no-loadscope-reorder``), and a browser file (40–80 s for a few tests) left
    to the end keeps one worker busy while the other has nothing left to do."""
    for item in items:
        module = getattr(item, "module", None)
        if item.get_closest_marker("browser") is not None or hasattr(module, "AppTest"):
            item.add_marker(pytest.mark.ui)
    browser_files = {item.path for item in items if item.get_closest_marker("browser") is not None}
    items.sort(key=lambda item: item.path not in browser_files)  # stable: file order kept otherwise


@pytest.fixture(autouse=True)
def _main_module_kept() -> Iterator[None]:
    """Streamlit's script runner (AppTest) leaves the page it ran as ``sys.modules["__main__"]``; a
    process that multiprocessing (forkserver, spawn) starts later in the same worker then runs that
    page again as its main module and dies before its target runs (``NameError: __args``, seen once
    the test order changed). Every test leaves ``__main__`` as it found it."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches(request: pytest.FixtureRequest) -> None:
    """Each page test starts like a fresh app process: Streamlit's caches emptied. The pages key
    their ``st.cache_data`` on the store's version, which is one store per process in the app, but
    two tests' stores in one test process can stand at the same version with different contents."""
    module = getattr(request.node, "module", None)
    if hasattr(module, "AppTest"):
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ("sqlite",) if _ui_test(metafunc) else BACKENDS, indirect=True)


@pytest.fixture()
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend a test runs on: "sqlite" and "postgis" (see :func:`pytest_generate_tests`)."""
    if request.param == "postgis" and not PG_URL:
        pytest.skip("PostGIS run skipped: P03_TEST_DATABASE_URL is unset (`make pytest` starts a "
                    "throwaway PostGIS with scripts/pg.sh and sets it)")
    return str(request.param)


@pytest.fixture()
def pg_url_factory() -> Iterator[Callable[[], str]]:
    """Make fresh, empty PostGIS schemas; each URL is usable as P03_DATABASE_URL. Dropped after the test."""
    import psycopg

    created: list[str] = []

    def make() -> str:
        if not PG_URL:
            pytest.skip("P03_TEST_DATABASE_URL is unset")
        schema = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        created.append(schema)
        return pg_schema_url(PG_URL, schema)

    yield make
    if created:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for schema in created:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture()
def store_url(data_dir: Path, backend: str, request: pytest.FixtureRequest) -> str:
    """A URL for an empty store of ``backend``: ``sqlite:///<data_dir>/projects`` or a fresh PostGIS schema."""
    if backend == "postgis":
        return str(request.getfixturevalue("pg_url_factory")())
    return f"sqlite:///{data_dir / 'projects'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store file with every migration applied, made once per test process through
    the real migrations; copied for each test (seven committed transactions fewer per store)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    store = open_store(url="", folder=folder)
    assert store.migrate() == max(m[0] for m in MIGRATIONS)
    return folder / STORE_FILE


def seed_sqlite_store(folder: Path, template: Path) -> None:
    """Put a copy of the migrated ``template`` in ``folder`` (0700, the file 0600 like the store's own)
    unless a store is already there; opening it then finds every migration applied."""
    private_dir(folder)
    if not (folder / STORE_FILE).exists():
        shutil.copy2(template, folder / STORE_FILE)


@pytest.fixture()
def store(data_dir: Path, store_url: str, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path):
    """An empty store in ``data_dir``, once per backend (SQLite and PostGIS); P03_DATABASE_URL points
    at it so that pages and commands opening the store get the same one."""
    if store_url.startswith("postgresql://"):
        monkeypatch.setenv("P03_DATABASE_URL", store_url)
    else:
        seed_sqlite_store(Path(store_url[len("sqlite:///"):]), sqlite_template)
    s = open_store()
    yield s
    close = getattr(s, "close", None)
    if close is not None:
        close()


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path,
                         bounds: boundaries.Boundaries) -> Path:
    """A SQLite store folder holding the demo set loaded through the real set-up path (the store
    file and its kept files), made once per test process; copied for each SQLite ``demo_store``."""
    folder = tmp_path_factory.mktemp("sqlite-demo-template")
    seed_sqlite_store(folder, sqlite_template)
    store = open_store(url="", folder=folder)
    site_ops.load_demo(store, DEMO_DIR, actor="test", b=bounds)
    close = getattr(store, "close", None)
    if close is not None:
        close()
    return folder  # copied whole: the store file, its WAL if any, the kept files


@pytest.fixture()
def demo_store(request: pytest.FixtureRequest, store_url: str, data_dir: Path):
    """A store holding the committed demo set, loaded through the real set-up path: on PostGIS for
    each test, on SQLite copied from a template that was (0.01 s instead of 0.15 s a test)."""
    if store_url.startswith("sqlite:///"):
        folder = Path(store_url[len("sqlite:///"):])
        if not (folder / STORE_FILE).exists():
            template = request.getfixturevalue("sqlite_demo_template")
            private_dir(folder)
            shutil.copytree(template, folder, dirs_exist_ok=True)
    store = request.getfixturevalue("store")
    if not store.count_sites():  # PostGIS (or a store made earlier in the test): load it here
        site_ops.load_demo(store, DEMO_DIR, actor="test")
    return store
