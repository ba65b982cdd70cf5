"""Several editors at once, and editors that die mid-write, on both backends.

- 8 processes commit 50 uploads each at the same time: every feature ends up present exactly
  once, every batch whole, and the indexes, audit trail and version agree.
- A process killed with SIGKILL in the middle of a commit (at each step of the transaction in turn)
  leaves the store exactly as before that commit, 20 times; the store stays writable.

Worker processes come from a fork server that has the store modules loaded, so starting one costs
milliseconds; each opens its own store (own connections) from the URL.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.cli.store import store_from_url
from geo.store import SiteFilter, Upload

pytestmark = pytest.mark.slow

WORKERS, UPLOADS, PER_UPLOAD = 8, 50, 2
KILLS = 12  # three at each stage
STAGES = ("batch_row", "sites", "audit", "version")


@pytest.fixture(scope="module")
def ctx():
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["geo.store.base", "geo.store.sqlite", "geo.store.postgis", "geo.cli.store",
                                    "geopandas", "psycopg"])
    # Under pytest-xdist the process's __main__ is execnet's generated script, which a new process
    # cannot run again ("name '__args' is not defined"); without its path the workers skip it (they
    # need nothing from __main__: _worker is imported from this module).
    main = sys.modules["__main__"]
    path = getattr(main, "__file__", None) if getattr(main, "__spec__", None) is None else None
    if path is not None:
        del main.__file__
    yield context
    if path is not None:
        main.__file__ = path


def sites(prefix: str, n: int) -> gpd.GeoDataFrame:
    rows = [{"id": f"{prefix}-{j}", "name": f"Công trình {prefix} {j}", "category": "park", "status": "planned",
             "district_codes": "002", "geometry": Point(105.80 + (hash(prefix) % 1000) / 10_000, 21.0 + j / 1000)}
            for j in range(n)]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def _worker(url: str, uploads: str, worker: int, start: float) -> None:
    store = store_from_url(url, uploads)
    while time.time() < start:  # all workers begin together
        time.sleep(0.001)
    for k in range(UPLOADS):
        content = f"worker {worker} upload {k}".encode()
        store.commit_batch(sites(f"w{worker}-u{k}", PER_UPLOAD), actor=f"editor{worker}",
                           upload=Upload(f"w{worker}-{k}.geojson", content))


def _dying_worker(url: str, uploads: str, stage: str, n: int, conn) -> None:
    """Commit one batch; at ``stage`` of its transaction tell the parent, then wait to be killed."""
    store = store_from_url(url, uploads)

    def stop_after(name: str, method):
        def wrapped(*args, **kwargs):
            out = method(*args, **kwargs)
            if name == stage:
                conn.send(stage)
                time.sleep(600)
            return out
        return wrapped

    original_execute = store.execute

    def execute(cur, sql, params=()):
        out = original_execute(cur, sql, params)
        if stage == "batch_row" and sql.startswith("INSERT INTO batches"):
            conn.send(stage)
            time.sleep(600)
        return out

    store.execute = execute
    store._insert_sites = stop_after("sites", store._insert_sites)
    store.record = stop_after("audit", store.record)
    store._bump = stop_after("version", store._bump)
    store.commit_batch(sites(f"dead-{stage}-{n}", 300), actor="doomed", upload=Upload(f"dead{n}.geojson", b"x%d" % n))
    conn.send("committed")  # never reached


def state(store) -> tuple:
    batches = store.list_batches()
    return (store.version(), store.count_sites(), tuple(sorted(store.query_sites()["id"])),
            tuple(sorted(batches["batch_id"])), len(store.audit()),
            len(store.fetchall("SELECT site_id FROM site_units")))


def check_consistent(store) -> None:
    """Every batch whole, indexes complete, audit and version agreeing with the batches."""
    batches = store.list_batches()
    committed = batches[batches["status"] == "committed"]
    assert (committed["n_present"] == committed["n_features"]).all()
    assert committed["n_present"].sum() == store.count_sites()
    everything = SiteFilter(bbox=(100.0, 15.0, 110.0, 25.0))
    assert len(store.query_sites(everything)) == store.count_sites()  # spatial index has every site
    if store.dialect == "sqlite":
        assert store.fetchall("SELECT COUNT(*) AS n FROM sites_rtree")[0]["n"] == store.count_sites()
    else:
        assert store.fetchall("SELECT COUNT(*) AS n FROM sites WHERE geom IS NULL")[0]["n"] == 0
    units = store.fetchall("SELECT COUNT(*) AS n FROM site_units WHERE site_id NOT IN (SELECT id FROM sites)")
    assert units[0]["n"] == 0
    assert len(store.audit(action="upload")) == len(batches)


def _open(store_url: str, data_dir: Path):
    return store_from_url(store_url, str(data_dir / "projects" / "uploads"))


def test_eight_editors_at_once(ctx, store_url, data_dir):
    store = _open(store_url, data_dir)
    start = time.time() + 1.0
    procs = [ctx.Process(target=_worker, args=(store_url, str(store.uploads_dir), w, start)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=150)
    assert [p.exitcode for p in procs] == [0] * WORKERS
    ids = list(store.query_sites()["id"])
    expected = {f"w{w}-u{k}-{j}" for w in range(WORKERS) for k in range(UPLOADS) for j in range(PER_UPLOAD)}
    assert len(ids) == len(set(ids)) == len(expected)  # each exactly once
    assert set(ids) == expected
    assert store.version() == WORKERS * UPLOADS
    batches = store.list_batches()
    assert len(batches) == WORKERS * UPLOADS and set(batches["status"]) == {"committed"}
    assert store.fetchall("SELECT COUNT(*) AS n FROM blobs WHERE kind = 'upload'")[0]["n"] == WORKERS * UPLOADS
    check_consistent(store)


def test_sigkill_mid_commit_leaves_store_as_before(ctx, store_url, data_dir):
    store = _open(store_url, data_dir)
    store.commit_batch(sites("base", 5), actor="alice", upload=Upload("base.geojson", b"base"))
    for n in range(KILLS):
        stage = STAGES[n % len(STAGES)]
        before = state(store)
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_dying_worker, args=(store_url, str(store.uploads_dir), stage, n, child))
        proc.start()
        assert parent.poll(60), f"the worker did not reach {stage}"
        assert parent.recv() == stage
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(timeout=30)
        assert proc.exitcode == -signal.SIGKILL
        assert state(store) == before, f"kill {n} at {stage} changed the store"
        check_consistent(store)
        if n % 4 == 3:  # still writable, by another process's store too
            store.commit_batch(sites(f"alive-{n}", 3), actor="alice", upload=Upload(f"a{n}.geojson", b"a%d" % n))
    # the ids of the killed commits were never taken
    store.commit_batch(sites("dead-sites-1", 300), actor="alice")
    check_consistent(store)


def _opener(url: str, uploads: str, start: float) -> None:
    while time.time() < start:
        time.sleep(0.001)
    store_from_url(url, uploads)


def test_processes_starting_together_migrate_once(ctx, store_url, data_dir):
    uploads = str(data_dir / "projects" / "uploads")
    start = time.time() + 1.0
    procs = [ctx.Process(target=_opener, args=(store_url, uploads, start)) for _ in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0] * 6
    store = _open(store_url, data_dir)
    versions = [r["version"] for r in store.fetchall("SELECT version FROM schema_version ORDER BY version")]
    assert versions == sorted(set(versions)) and versions[-1] == store.migrate()
    assert store.version() == 0
