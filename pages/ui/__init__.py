"""Shared UI pieces for every page: language toggle, cached store and boundaries, error box.

Pages import this module; it is the only place (with the pages) that imports streamlit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from geo import assets, boundaries, settings
from geo.errors import P03Error
from geo.i18n import t as _t
from geo.store import Store, open_store

LANG_KEY = "p03_lang"


def lang() -> str:
    """The interface language chosen in the sidebar (default ``P03_LANG``)."""
    if LANG_KEY not in st.session_state:
        try:
            st.session_state[LANG_KEY] = settings.get("P03_LANG")
        except P03Error:
            st.session_state[LANG_KEY] = "vi"
    return str(st.session_state[LANG_KEY])


def t(key: str) -> str:
    return _t(key, lang())


def sidebar() -> str:
    """Draw the shared sidebar (language toggle); return the language."""
    current = lang()
    with st.sidebar:
        choice = st.radio(
            "Ngôn ngữ / Language", ["vi", "en"], index=0 if current == "vi" else 1, horizontal=True,
            format_func=lambda v: "Tiếng Việt" if v == "vi" else "English", key="p03_lang_radio")
    if choice != current:
        st.session_state[LANG_KEY] = choice
        st.rerun()
    return choice


@st.cache_resource(show_spinner=False)
def _store(url: str, data_dir: str) -> Store:
    return open_store()


def store() -> Store:
    """The store chosen by the settings (one per process)."""
    return _store(str(settings.get("P03_DATABASE_URL")), str(settings.data_dir().resolve()))


def bounds() -> boundaries.Boundaries:
    """The installed boundary layers (cached in geo.boundaries until the files change)."""
    return boundaries.get()


def use_local_assets() -> None:
    """Serve Leaflet and plugins from the app (``static/vendor``), never a CDN."""
    assets.install()
    assets.use(assets.APP_BASE_URL)


def show_error(exc: P03Error) -> None:
    st.error(exc.message(lang()), icon="⚠️")


@contextmanager
def errors_shown() -> Iterator[None]:
    """Show a domain error in plain words instead of a traceback, then stop the page."""
    try:
        yield
    except P03Error as exc:
        show_error(exc)
        st.stop()


def cached_version() -> int:
    """The store's version: pass it to ``st.cache_data`` functions as their cache key."""
    return store().version()


def query_params_get(name: str, default: Any = None) -> Any:
    return st.query_params.get(name, default)
