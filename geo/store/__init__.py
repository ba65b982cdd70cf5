"""The store: :func:`open_store` returns the backend chosen by the settings."""

from __future__ import annotations

from pathlib import Path

from geo import settings
from geo.store.base import SiteFilter, Store, Upload

__all__ = ["SiteFilter", "Store", "Upload", "open_store"]


def open_store(url: str | None = None, folder: Path | None = None) -> Store:
    """The PostGIS store when ``url`` (or ``P03_DATABASE_URL``) is a postgresql:// URL, else the
    embedded SQLite store in ``folder`` (default ``P03_DATA_DIR/projects``)."""
    url = url if url is not None else str(settings.get("P03_DATABASE_URL") or "")
    if url.startswith(("postgresql://", "postgres://")):
        from geo.store.postgis import PostGISStore  # imported lazily: psycopg is optional at run time

        return PostGISStore(url, settings.projects_dir() / "uploads")
    if url.startswith("sqlite:///"):
        folder = Path(url[len("sqlite:///"):])
    from geo.store.sqlite import SQLiteStore

    return SQLiteStore(folder or settings.projects_dir())
