"""Every P03_* setting, declared once: name, default, help.

Settings are read from the environment each time :func:`get` is called, so tests and the CLI
can change them with ``monkeypatch.setenv`` / ``os.environ``. The README's settings table is
checked against :data:`SETTINGS` by a test.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.errors import SettingError


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str], Any] = str


def _path(value: str) -> Path:
    return Path(value).expanduser()


def _lang(value: str) -> str:
    value = value.strip().lower()
    if value not in ("vi", "en"):
        raise ValueError("must be 'vi' or 'en'")
    return value


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("must be a date YYYY-MM-DD") from None


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

SETTINGS: tuple[Setting, ...] = (
    Setting("P03_DATA_DIR", "data", "Folder holding boundaries/ and projects/ (the store, uploads).", _path),
    Setting(
        "P03_BOUNDARIES_SRC",
        "../shared/data/boundaries",
        "Folder or http(s) URL the boundary layers are imported from at set-up.",
    ),
    Setting(
        "P03_SITES_SRC",
        "data/demo",
        "Folder whose *.geojson site files are loaded into an empty store at set-up (demo data).",
    ),
    Setting(
        "P03_TILES",
        OSM_TILES,
        "Basemap tile URL template; 'none' for no basemap (offline). Default: OpenStreetMap.",
    ),
    Setting(
        "P03_TILES_ATTRIBUTION",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        "Attribution shown for the basemap given by P03_TILES.",
    ),
    Setting("P03_LANG", "vi", "Default interface language: 'vi' or 'en'.", _lang),
    Setting("P03_DATABASE_URL", "", "PostgreSQL/PostGIS URL; empty: the embedded SQLite store under P03_DATA_DIR/projects/."),
    Setting("P03_PORT", "8501", "Port `make run` serves the app on (127.0.0.1).", int),
    Setting("P03_MAX_UPLOAD_MB", "50", "Largest upload accepted, in megabytes.", int),
    Setting("P03_MAX_FEATURES", "100000", "Most features accepted in one upload.", int),
    Setting("P03_READ_REQUIRES_LOGIN", "false", "Whether browsing maps needs sign-in (changes always do).", _bool),
    # sign-in and roles (geo/auth.py)
    Setting("P03_LOGIN_MAX_FAILURES", "5", "Failed sign-ins in a row that lock an account (earlier ones slow down).", int),
    Setting("P03_LOCKOUT_MINUTES", "15", "How long a locked account stays locked, in minutes.", int),
    Setting("P03_SESSION_IDLE_MINUTES", "60", "A signed-in session ends after this many minutes without activity.", int),
    Setting("P03_OIDC_DEFAULT_ROLE", "viewer",
            "Role of an organisation (OIDC) sign-in with no user row; 'none' refuses such sign-ins."),
    # programme indicators (geo/indicators/)
    Setting("P03_PROGRAMME_START", "2021-01-01",
            "Start of the straight line indicator status is judged against (YYYY-MM-DD).", _date),
    Setting("P03_PROGRAMME_END", "2025-12-31",
            "Programme end date: indicators behind the straight line from start to here are 'at risk'.", _date),
    # field visits (geo/visits/)
    Setting("P03_PUBLIC_URL", "http://127.0.0.1:8501",
            "Address people open the app at; the QR code on a visit brief links to the plan's page under it."),
    Setting("P03_VISIT_SPEED_KMH", "20",
            "Default average speed of a field visit over straight-line (great-circle) distance, km/h.", float),
    Setting("P03_VISIT_DWELL_MIN", "30", "Default minutes spent at each stop of a field visit.", float),
    # bounded work of one upload check (geo/ingest/limits.py, issue #10)
    Setting("P03_MAX_COLUMNS", "500", "Most columns (or distinct property names) in one upload.", int),
    Setting("P03_MAX_CELLS", "5000000", "Most cells (features × columns) in one upload.", int),
    Setting("P03_MAX_VERTICES_PER_GEOMETRY", "50000",
            "Most vertices in one site's geometry; a bigger one is rejected (simplify it).", int),
    Setting("P03_MAX_VERTICES", "5000000", "Most vertices in all the geometries of one upload.", int),
    Setting("P03_MAX_SHARED_STRINGS", "1000000", "Most shared strings in an uploaded XLSX workbook.", int),
    Setting("P03_MAX_NESTING", "64", "Deepest nesting of brackets in an uploaded JSON file.", int),
    Setting("P03_CHECK_SECONDS", "60", "Longest wall time of one upload check, in seconds.", int),
    # browser sign-in cookie (geo/websession.py)
    Setting("P03_SESSION_MAX_HOURS", "12",
            "A browser sign-in (its cookie) ends this many hours after signing in, however active.", float),
    # reference layers (geo/reference.py)
    Setting("P03_REFERENCE_SRC", "../shared/data/reference",
            "Folder or http(s) URL the OpenStreetMap reference layers (markets, parks, ...) are imported from at "
            "set-up; 'none' to skip them."),
    # field inspections (geo/photos.py)
    Setting("P03_MAX_PHOTO_MB", "20", "Largest inspection photo accepted, in megabytes.", int),
    # OGC API - Features (geo/api/, geo/tokens.py)
    Setting("P03_API_PORT", "5000", "Port `make api` serves the OGC API – Features on (127.0.0.1).", int),
    Setting("P03_API_URL", "",
            "Address clients reach the OGC API at (behind a proxy); empty: http://127.0.0.1:P03_API_PORT."),
    Setting("P03_API_RATE_PER_MIN", "1200", "Requests a minute one API token may make (per API process).", int),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> Any:
    """Return the parsed value of setting ``name`` from the environment or its default.

    Raises
    ------
    SettingError
        When the environment holds a value that cannot be parsed.
    """
    setting = _BY_NAME[name]
    raw = os.environ.get(name, setting.default)
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise SettingError(name, raw, str(exc)) from exc


def data_dir() -> Path:
    """The data folder (``P03_DATA_DIR``)."""
    return Path(get("P03_DATA_DIR"))


def boundaries_dir() -> Path:
    return data_dir() / "boundaries"


def projects_dir() -> Path:
    return data_dir() / "projects"


def tiles() -> str | None:
    """The basemap URL template, or None for no basemap."""
    value = str(get("P03_TILES")).strip()
    return None if value.lower() in ("", "none", "off") else value


def reference_dir() -> Path:
    """Where the imported reference layers live (``P03_DATA_DIR/reference``)."""
    return data_dir() / "reference"
