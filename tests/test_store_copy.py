"""``python -m geo migrate`` and ``python -m geo copy``: schema upgrades in place, and moving a store
between SQLite and PostGIS without loss (rows, files, checksum), all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Point

from geo import auth, cli
from geo import sites as site_ops
from geo.cli.store import store_from_url
from geo.errors import StoreError
from geo.store import base as store_base
from geo.store import open_store
from geo.store.base import SiteFilter
from geo.store.copy import copy_store, tables
from tests.test_store import WEST_LAKE, make_sites, three_sites, upload

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
ADMIN_PASSWORD = "root-pass-123"


def fill(store) -> None:
    """A store with a history: demo set, an upload, a rollback, an edit, a delete, other tables."""
    site_ops.load_demo(store, DEMO_DIR, actor="setup")
    b = store.commit_batch(three_sites(), actor="alice", upload=upload(b"first file"))
    store.commit_batch(make_sites([{"id": "w-1", "name": "Vườn hoa <Hồ Tây>", "category": "park",
                                    "geometry": Point(*WEST_LAKE)}]), actor="bob", upload=upload(b"second"))
    store.rollback_batch(b, actor="carol")
    store.update_site("w-1", {"status": "completed", "progress_pct": 100}, actor="dave")
    first = store.query_sites()["id"].iloc[0]
    store.delete_site(first, actor="erin")
    auth.add_user(store, "root", ADMIN_PASSWORD, "admin", actor="test", bootstrap=True)
    with store.transaction() as cur:
        store.execute(cur, "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?)", ["lan", "Nguyễn Thị Lan", "editor", "$argon2id$x", "t", "t"])
        store.execute(cur, "INSERT INTO plans (plan_id, name, plan_json, created_by, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?)", ["p-1", "Đi thực địa", '{"stops": ["w-1"]}', "lan", "t", "t"])
        for v in (10.0, 20.5):
            store.execute(cur, "INSERT INTO indicator_values (indicator, value, as_of, entered_by, entered_at)"
                          " VALUES (?, ?, ?, ?, ?)", ["CT08", v, "2025-01-01", "lan", "t"])


def dump(store) -> dict:
    """Everything observable through the store's interface and its tables."""
    def records(df):
        return json.loads(df.to_json(orient="records", force_ascii=False))

    out = {"version": store.version(), "sites": records(store.query_sites().to_wkt()),
           "batches": records(store.list_batches()), "audit": records(store.audit())}
    for table in ("users", "plans", "indicator_values", "site_units"):
        rows = [{k: v for k, v in r.items() if k != "last_login"}  # signing in to copy sets it
                for r in store.fetchall(f"SELECT * FROM {table}")]
        out[table] = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
    return out


def test_copy_sqlite_to_sqlite(data_dir, tmp_path):
    src = open_store(f"sqlite:///{data_dir / 'projects'}")
    fill(src)
    dst = store_from_url(f"sqlite:///{tmp_path / 'copy'}")
    report = copy_store(src, dst)
    assert report.rows["sites"] == src.count_sites() > 50
    assert report.files == 3 and not report.missing_files
    assert dump(dst) == dump(src)
    for stored in dst.list_batches()["stored_path"].dropna():
        assert (dst.uploads_dir / stored).read_bytes() == (src.uploads_dir / stored).read_bytes()
    # the copy is a working store: spatial index rebuilt, new ids continue after the old ones
    assert len(dst.query_sites(SiteFilter(bbox=(105.81, 21.05, 105.83, 21.06)))) >= 1
    dst.commit_batch(three_sites("n"), actor="frank")
    assert dst.audit().iloc[0]["id"] > src.audit().iloc[0]["id"]


def test_copy_round_trip_through_postgis(data_dir, tmp_path, pg_url_factory, monkeypatch, capsys):
    src = open_store(f"sqlite:///{data_dir / 'projects'}")
    fill(src)
    pg_url = pg_url_factory()
    uploads = tmp_path / "pg-uploads"
    argv = ["--lang", "en", "copy", "--from", f"sqlite:///{data_dir / 'projects'}", "--to", pg_url]
    assert cli.main(argv) == 3  # the copy carries every account: an admin signs in first
    assert "Sign in" in capsys.readouterr().err
    monkeypatch.setenv("P03_USER", "root")
    monkeypatch.setenv("P03_PASSWORD", ADMIN_PASSWORD)
    assert cli.main(["copy", "--from", f"sqlite:///{data_dir / 'projects'}", "--to", pg_url,
                     "--to-uploads", str(uploads)]) == 0
    pg = store_from_url(pg_url, str(uploads))
    assert dump(pg) == dump(src)
    assert pg.count_sites() == src.count_sites()
    assert len(pg.query_sites(SiteFilter(bbox=(105.81, 21.05, 105.83, 21.06)))) >= 1
    back = tmp_path / "back"
    assert cli.main(["copy", "--from", pg_url, "--from-uploads", str(uploads), "--to", f"sqlite:///{back}"]) == 0
    assert dump(store_from_url(f"sqlite:///{back}")) == dump(src)
    # PostgreSQL's sequences continue after the copied ids
    pg.commit_batch(three_sites("n"), actor="frank")
    with pg.transaction() as cur:
        pg.execute(cur, "INSERT INTO indicator_values (indicator, value, as_of, entered_by, entered_at)"
                   " VALUES (?, ?, ?, ?, ?)", ["CT08", 1.0, "2025-02-01", "lan", "t"])
    assert pg.audit().iloc[0]["id"] > src.audit().iloc[0]["id"]
    pg.close()


def test_copy_refuses_non_empty_target(data_dir, tmp_path, store_url, capsys):
    src = open_store(f"sqlite:///{data_dir / 'projects'}")
    fill(src)
    target = store_from_url(store_url if store_url.startswith("postgresql") else f"sqlite:///{tmp_path / 't'}",
                            str(tmp_path / "up"))
    target.commit_batch(three_sites("z"), actor="zed")
    before = dump(target)
    with pytest.raises(StoreError, match="already holds data"):
        copy_store(src, target)
    assert dump(target) == before
    with pytest.raises(StoreError, match="same store"):
        copy_store(src, src)


def test_copy_failure_leaves_target_empty(data_dir, tmp_path, store_url, monkeypatch):
    src = open_store(f"sqlite:///{data_dir / 'projects'}")
    fill(src)
    target = store_from_url(store_url if store_url.startswith("postgresql") else f"sqlite:///{tmp_path / 't'}",
                            str(tmp_path / "up"))
    before = dump(target)
    import geo.store.copy as copy_mod

    real = copy_mod.sites_checksum
    calls = []

    def corrupted_on_target(store, cur):  # the second call checks the target
        calls.append(store)
        return real(store, cur) if len(calls) == 1 else "0" * 64

    monkeypatch.setattr(copy_mod, "sites_checksum", corrupted_on_target)
    with pytest.raises(StoreError, match="does not match the source"):
        copy_store(src, target)
    assert dump(target) == before
    assert target.count_sites() == 0


def test_copy_cli_errors(data_dir, tmp_path, capsys):
    assert cli.main(["--lang", "en", "copy", "--from", f"sqlite:///{tmp_path / 'nothing'}", "--to",
                     f"sqlite:///{tmp_path / 'x'}"]) == 2
    assert "no SQLite store" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "copy", "--from", "mysql://u:secret@h/db", "--to",
                     f"sqlite:///{tmp_path / 'x'}"]) == 2
    err = capsys.readouterr().err
    assert "not valid" in err and "secret" not in err


def test_migrate_command(store, capsys):
    assert cli.main(["migrate"]) == 0
    out = capsys.readouterr().out
    assert f"schema version {store.migrate()}" in out
    assert type(store).__name__ in out


def test_migration_upgrades_in_place(store, monkeypatch):
    store.commit_batch(three_sites(), actor="alice")
    v0, version = store.migrate(), store.version()

    def v_next(dialect: str) -> list[str]:
        return ["CREATE TABLE site_photos (site_id TEXT NOT NULL, path TEXT NOT NULL)",
                "INSERT INTO site_photos (site_id, path) SELECT id, 'none' FROM sites"]

    monkeypatch.setattr(store_base, "MIGRATIONS", [*store_base.MIGRATIONS, (v0 + 1, "photos", v_next)])
    assert store.migrate() == v0 + 1
    assert store.migrate() == v0 + 1  # applied once
    assert store.count_sites() == 3 and store.version() == version
    assert len(store.fetchall("SELECT * FROM site_photos")) == 3
    assert "site_photos" in tables(store)


def test_migration_missing_below_the_highest_is_still_applied(store, monkeypatch):
    """Migrations are numbered ahead by feature; a store that already has a later one (a branch
    landed first) still gets an earlier one it lacks, once."""
    top = store.migrate()

    def v_gap(dialect: str) -> list[str]:
        return ["CREATE TABLE gap_table (x INTEGER)"]

    with store.transaction() as cur:
        store.execute(cur, "DELETE FROM schema_version WHERE version = ?", [top])
        store.execute(cur, "INSERT INTO schema_version (version) VALUES (?)", [top + 5])
    monkeypatch.setattr(store_base, "MIGRATIONS", [(top, "gap", v_gap), *[
        m for m in store_base.MIGRATIONS if m[0] != top]])
    assert store.migrate() == top + 5
    assert store.migrate() == top + 5
    assert "gap_table" in tables(store)
    assert sorted(r["version"] for r in store.fetchall("SELECT version FROM schema_version")).count(top) == 1
