"""The versioned schema. Each migration upgrades a store in place; never edit a released one,
append a new one. Statements are written once with portable types that each dialect maps:

``AUTOID`` → autoincrement integer key, ``BLOB`` → bytea on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

_TYPES = {
    "sqlite": {"AUTOID": "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB": "BLOB", "REAL": "REAL"},
    "postgis": {"AUTOID": "BIGSERIAL PRIMARY KEY", "BLOB": "BYTEA", "REAL": "DOUBLE PRECISION"},
}


def _portable(*statements: str) -> Callable[[str], list[str]]:
    def render(dialect: str) -> list[str]:
        out = []
        for stmt in statements:
            for word, sql in _TYPES[dialect].items():
                stmt = stmt.replace(word, sql)
            out.append(stmt)
        return out

    return render


#: version 1, the first release: sites and their upload batches, the audit trail
_V1_SITES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO meta (key, value) VALUES ('version', 0)",
    """CREATE TABLE batches (
        batch_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
        file_name TEXT, sha256 TEXT, stored_path TEXT, n_features INTEGER NOT NULL, crs TEXT,
        status TEXT NOT NULL, rolled_back_at TEXT, rolled_back_by TEXT, report_json TEXT)""",
    "CREATE INDEX batches_sha256 ON batches (sha256)",
    """CREATE TABLE sites (
        rid AUTOID,
        id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, category TEXT NOT NULL, status TEXT NOT NULL,
        indicator TEXT, district_codes TEXT, commune_codes TEXT, responsible_unit TEXT,
        start_date TEXT, end_date TEXT, budget_vnd REAL, progress_pct REAL, notes TEXT,
        batch_id TEXT REFERENCES batches (batch_id), name_folded TEXT NOT NULL,
        geom_wkb BLOB NOT NULL, minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL,
        maxy REAL NOT NULL)""",
    "CREATE INDEX sites_category ON sites (category)",
    "CREATE INDEX sites_batch ON sites (batch_id)",
    """CREATE TABLE site_units (site_id TEXT NOT NULL, layer TEXT NOT NULL, code TEXT NOT NULL,
        PRIMARY KEY (site_id, layer, code))""",
    "CREATE INDEX site_units_code ON site_units (layer, code)",
    """CREATE TABLE audit (
        id AUTOID, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL,
        entity_id TEXT, before_json TEXT, after_json TEXT, batch_id TEXT)""",
    "CREATE INDEX audit_at ON audit (at)",
)

#: version 1: people, visit plans and indicator figures
_V1_PEOPLE = (
    """CREATE TABLE users (
        username TEXT PRIMARY KEY, display_name TEXT, role TEXT NOT NULL, password_hash TEXT,
        disabled INTEGER NOT NULL DEFAULT 0, failed_count INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT, last_login TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE plans (
        plan_id TEXT PRIMARY KEY, name TEXT NOT NULL, visit_date TEXT, participants TEXT,
        plan_json TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)""",
    """CREATE TABLE indicator_defs (
        code TEXT PRIMARY KEY, definition_json TEXT NOT NULL, updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL)""",
    """CREATE TABLE indicator_values (
        id AUTOID, indicator TEXT NOT NULL, value REAL NOT NULL, as_of TEXT NOT NULL,
        source TEXT, note TEXT, unit_layer TEXT, unit_code TEXT, entered_by TEXT NOT NULL,
        entered_at TEXT NOT NULL)""",
    "CREATE INDEX indicator_values_ind ON indicator_values (indicator, as_of)",
    """CREATE TABLE unit_targets (
        indicator TEXT NOT NULL, layer TEXT NOT NULL, unit_code TEXT NOT NULL, target REAL NOT NULL,
        updated_by TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (indicator, layer, unit_code))""",
)

#: version 1: the spatial index each backend has
_V1_SPATIAL = {
    "sqlite": ["CREATE VIRTUAL TABLE sites_rtree USING rtree(rid, minx, maxx, miny, maxy)"],
    "postgis": [
        "ALTER TABLE sites ADD COLUMN geom geometry(Geometry, 4326)"
        " GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromWKB(geom_wkb), 4326)) STORED",
        "CREATE INDEX sites_geom ON sites USING GIST (geom)",
    ],
}


def _v1_sites(dialect: str) -> list[str]:
    return _portable(*_V1_SITES, *_V1_PEOPLE)(dialect) + _V1_SPATIAL[dialect]


#: the snapshot columns of a site kept in site_versions (as in sites)
_SNAPSHOT = ("id, name, category, status, indicator, district_codes, commune_codes, responsible_unit, start_date,"
             " end_date, budget_vnd, progress_pct, notes, batch_id, geom_wkb")


def _v2_site_versions(dialect: str) -> list[str]:
    """Every site gets a version number and every version of it is kept (geo.edits): who, when,
    through which batch or edit, why, what changed, and the whole site as it was. Existing sites
    become version 1, dated and signed by the batch that added them."""
    return _portable(
        "ALTER TABLE sites ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
        """CREATE TABLE site_versions (
            id TEXT NOT NULL, version INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, at TEXT NOT NULL,
            actor TEXT NOT NULL, source TEXT NOT NULL, via_batch TEXT, reason TEXT, inspection_id TEXT,
            changes_json TEXT,
            name TEXT NOT NULL, category TEXT NOT NULL, status TEXT NOT NULL, indicator TEXT, district_codes TEXT,
            commune_codes TEXT, responsible_unit TEXT, start_date TEXT, end_date TEXT, budget_vnd REAL,
            progress_pct REAL, notes TEXT, batch_id TEXT, geom_wkb BLOB NOT NULL,
            PRIMARY KEY (id, version))""",
        "CREATE INDEX site_versions_batch ON site_versions (via_batch)",
        "CREATE INDEX site_versions_at ON site_versions (at)",
        f"""INSERT INTO site_versions (version, deleted, at, actor, source, via_batch, {_SNAPSHOT})
            SELECT 1, 0, COALESCE(b.created_at, '1970-01-01T00:00:00+00:00'), COALESCE(b.actor, 'migration'),
                   COALESCE(b.kind, 'migration'), s.batch_id, {', '.join('s.' + c.strip() for c in _SNAPSHOT.split(','))}
            FROM sites s LEFT JOIN batches b ON b.batch_id = s.batch_id""",
    )(dialect)


def _v4_api_tokens(dialect: str) -> list[str]:
    """Personal API tokens for the OGC API (h14): only a SHA-256 of each token is kept."""
    return _portable(
        """CREATE TABLE api_tokens (
            token_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, username TEXT NOT NULL,
            label TEXT, created_at TEXT NOT NULL, created_by TEXT NOT NULL, revoked_at TEXT,
            revoked_by TEXT, last_used_at TEXT)""",
        "CREATE INDEX api_tokens_user ON api_tokens (username)",
    )(dialect)


def _v6_inspections(dialect: str) -> list[str]:
    """Field inspections and their photos; kept files (uploads, photos) listed in ``blobs``, their
    bytes in ``blobs.content`` on PostGIS (no shared folder between app servers) and under
    ``uploads/`` on SQLite (``content`` NULL). The upload files an older PostGIS store kept in its
    folder are moved in by :meth:`geo.store.base.SQLStore._v6_files`."""
    return _portable(
        """CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, file_name TEXT NOT NULL, stored_path TEXT NOT NULL,
            size_bytes INTEGER NOT NULL, content BLOB, created_at TEXT NOT NULL)""",
        """CREATE TABLE inspections (
            inspection_id TEXT PRIMARY KEY, site_id TEXT NOT NULL, plan_id TEXT, stop_seq INTEGER,
            inspected_at TEXT NOT NULL, inspectors TEXT, findings TEXT NOT NULL, assessment TEXT NOT NULL,
            proposed_status TEXT, proposed_progress REAL, applied_at TEXT, applied_by TEXT,
            created_by TEXT NOT NULL, created_at TEXT NOT NULL)""",
        "CREATE INDEX inspections_site ON inspections (site_id, inspected_at)",
        "CREATE INDEX inspections_plan ON inspections (plan_id)",
        """CREATE TABLE photos (
            photo_id TEXT PRIMARY KEY, inspection_id TEXT NOT NULL REFERENCES inspections (inspection_id),
            seq INTEGER NOT NULL, sha256 TEXT NOT NULL REFERENCES blobs (sha256), file_name TEXT NOT NULL,
            media_type TEXT NOT NULL, size_bytes INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
            caption TEXT, taken_at TEXT, lat REAL, lon REAL, distance_m REAL, flags_json TEXT,
            thumb BLOB NOT NULL, display BLOB NOT NULL)""",
        "CREATE INDEX photos_inspection ON photos (inspection_id, seq)",
    )(dialect)


# (version, name, statements(dialect))
MIGRATIONS: list[tuple[int, str, Callable[[str], list[str]]]] = [
    (1, "sites, batches, audit, users, plans, indicators", _v1_sites),
    (2, "site versions", _v2_site_versions),
    (4, "personal API tokens", _v4_api_tokens),
    (6, "inspections, photos, kept files in the store", _v6_inspections),
]


def _v5_web_sessions(dialect: str) -> list[str]:
    """Browser sign-ins that outlive a Streamlit session (see geo.websession): only hashes of the
    cookie token and of the one-time hand-off code are kept; times are epoch seconds."""
    return _portable(
        """CREATE TABLE web_sessions (
            sid TEXT PRIMARY KEY, username TEXT NOT NULL, source TEXT NOT NULL,
            token_hash TEXT UNIQUE, handoff_hash TEXT UNIQUE, created_at REAL NOT NULL,
            last_seen REAL NOT NULL, expires_at REAL NOT NULL, revoked_at REAL)""",
        "CREATE INDEX web_sessions_user ON web_sessions (username)",
    )(dialect)


MIGRATIONS.append((5, "web sessions (sign-in cookie)", _v5_web_sessions))


def _v3_login_throttle(dialect: str) -> list[str]:
    """Sign-in failures and locks per account and client (see geo.throttle, issue #10)."""
    return _portable(
        """CREATE TABLE login_throttle (
            username TEXT NOT NULL, client TEXT NOT NULL, failed_count INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT, PRIMARY KEY (username, client))""",
    )(dialect)


MIGRATIONS.append((3, "sign-in throttling per account and client", _v3_login_throttle))
