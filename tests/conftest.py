"""Shared fixtures: the real boundary files from ../shared/data, fresh stores, the demo set.

Environment:
- ``P03_SHARED_DATA``: the shared data folder (default ``../shared/data`` beside the repo).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from geo import boundaries
from geo import sites as site_ops
from geo.store import open_store

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("P03_SHARED_DATA", REPO.parent / "shared" / "data")).resolve()
DEMO_DIR = REPO / "data" / "demo"
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


@pytest.fixture()
def store(data_dir: Path):
    """An empty store in ``data_dir`` (the backend chosen by the settings)."""
    return open_store()


@pytest.fixture()
def demo_store(store):
    """A store holding the committed demo set, loaded through the real set-up path."""
    site_ops.load_demo(store, DEMO_DIR, actor="test")
    return store
