"""Shared UI pieces for every page: navigation, language toggle, cached store and boundaries,
error box.

Pages import this package (``from pages import ui``); with the pages it is the only code that
imports streamlit. It is a package, not ``pages/ui.py``, so that Streamlit does not list it as a
page: the app uses Streamlit's ``pages/`` folder (app.py is the home page) with the built-in
navigation hidden and replaced by :func:`nav`, whose labels follow the chosen language.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from geo import assets, settings, views
from geo.schema import CATEGORIES, STATUSES, category_label, status_label
from pages.ui import chrome
from pages.ui.core import (  # noqa: F401  (the package's helpers: ui.t, ui.store, ui.show_error ...)
    LANG_KEY,
    bounds,
    errors_shown,
    lang,
    md_escape,
    md_neutralise,
    show_error,
    store,
    t,
)

# (script, title key, Material Symbols icon: no emoji, which shows as a box where no emoji font
# exists). A page is listed once its file exists.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("app.py", "home", ":material/home:"),
    ("pages/district_map.py", "district_map", ":material/map:"),
    ("pages/upload.py", "upload", ":material/upload_file:"),
    ("pages/field_visit.py", "field_visit", ":material/directions_car:"),
    ("pages/indicators.py", "indicators", ":material/monitoring:"),
    ("pages/admin.py", "admin", ":material/admin_panel_settings:"),
)
ROOT = Path(__file__).resolve().parent.parent.parent


def existing_pages() -> list[tuple[str, str, str]]:
    return [p for p in PAGES if (ROOT / p[0]).exists()]


def nav() -> None:
    """The bilingual page list at the top of the sidebar (skipped when a page runs on its own,
    as in an AppTest of that page, where the other pages are unknown to Streamlit)."""
    with st.sidebar:
        try:
            for script, key, icon in existing_pages():
                st.page_link(script, label=t(key), icon=icon)
        except StreamlitPageNotFoundError:
            return
        st.divider()


TOP_KEY = "_p03_sidebar_top"


def sidebar_top() -> Any:
    """The sidebar slot above the sign-in box (for a page's key filters, e.g. the district
    chooser), filled this run by :func:`sidebar`; the sidebar itself when there is none."""
    return st.session_state.get(TOP_KEY) or st.sidebar


@functools.cache
def page_icon() -> str:
    """The page's icon as a data URL, read once: given a file, Streamlit would keep it as a media file
    of each run, and a browser still asking for a copy a later run has dropped gets a 404."""
    png = Path(__file__).with_name("page_icon.png").read_bytes()
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _lang_chosen() -> None:
    """The language radio's callback: the run it starts is in the new language from its first line."""
    st.session_state[LANG_KEY] = st.session_state["p03_lang_radio"]


def _start(first: Any) -> str:
    current = lang()
    st.set_page_config(page_title=t("app_title"), page_icon=page_icon(), layout="wide")
    if first is not None:
        first()
    chrome.install(t)  # Streamlit's own English strings in the chosen language
    return current


def page_start(first: Any = None) -> str:
    """For a page that draws its main content before the sidebar (then :func:`sidebar` with
    ``started=True``): the page's config, ``first`` (a function: what must come right after it), the
    stylesheet; returns the language. The sidebar's elements, sent after the content, then do not
    compete with it for the browser's first paint. A visitor the site asks to sign in before reading
    (``P03_READ_REQUIRES_LOGIN``) gets the sidebar at once, and the page stops there."""
    current = _start(first)
    if settings.get("P03_READ_REQUIRES_LOGIN") and current_user() is None:
        sidebar(started=True)  # the sign-in box, then st.stop()
    return current


def sidebar(sign_in_first: bool = False, first: Any = None, *, started: bool = False) -> str:
    """Draw the shared sidebar (navigation, language toggle, sign-in box: its form shown at once when
    the page is for signed-in users only, ``sign_in_first``); return the language. ``first`` (a
    function) draws what must come right after the page's config, before anything else; ``started``:
    :func:`page_start` has done that already."""
    current = lang() if started else _start(first)
    nav()
    with st.sidebar:
        choice = st.radio(
            "Ngôn ngữ / Language", ["vi", "en"], index=0 if current == "vi" else 1, horizontal=True,
            format_func=lambda v: "Tiếng Việt" if v == "vi" else "English", key="p03_lang_radio",
            on_change=_lang_chosen)
    if choice != current:  # not through the radio's callback (its state set some other way)
        st.session_state[LANG_KEY] = choice
        st.rerun()
    st.session_state[TOP_KEY] = st.sidebar.container()  # page filters go here, above the sign-in box
    gate(sign_in_first)  # sign-in box; stops anonymous visitors when P03_READ_REQUIRES_LOGIN
    return choice


def use_local_assets() -> None:
    """Serve Leaflet and plugins from the app (``static/vendor``), never a CDN."""
    assets.install()
    assets.use(assets.APP_BASE_URL)


def cached_version() -> int:
    """The store's version: pass it to ``st.cache_data`` functions as their cache key."""
    return store().version()


def query_params_get(name: str, default: Any = None) -> Any:
    return st.query_params.get(name, default)


# --- sign-in and roles (pages/ui/auth.py), re-exported: pages call ui.require_role("editor") etc.
from pages.ui.account_box import gate, sign_in_box  # noqa: E402, F401
from pages.ui.auth import (  # noqa: E402, F401
    current_user,
    require_role,
    role_label,
    sign_out,
)


def kept_index(options: list[Any], key: str) -> int:
    """Where the value seeded into ``st.session_state[key]`` is in ``options`` (0 if it is not there),
    for the widget's ``index=``: a widget the browser draws a run late no longer gets the seeded
    value from Streamlit and would report its default back (see :func:`view_filters`)."""
    value = st.session_state.get(key)
    return options.index(value) if value in options else 0


def view_filters(prefix: str, lang: str, *, horizontal: bool = False,
                 extra_indicators: tuple[str, ...] = ()) -> views.View:
    """The boundary-layer, unit, category, status, indicator and name-search widgets (keys
    ``<prefix>_layer``, ``_unit``, ``_cats``, ``_status``, ``_ind``, ``_q``) -> a map View. Call it
    inside the container the page wants them in (the sidebar, an expander).

    A page that seeds the widgets (from its URL) keeps the seeded View as ``<prefix>_start``: it is
    also each widget's default. The browser may first draw a widget a run or two after the run that
    seeded it (its code still loading on a busy machine); Streamlit then sends the seeded value no
    more, and a widget without it as its default would report its empty default back."""
    b = bounds()
    start = st.session_state.get(f"{prefix}_start") or views.View()
    layers = ["district", "commune"]
    layer = st.radio(t("layer_pick"), layers, key=f"{prefix}_layer", horizontal=horizontal,
                     index=layers.index(start.layer) if start.layer in layers else 0,
                     format_func=lambda v: views.layer_label(b, v, lang))
    options = views.unit_options(b, layer, lang)
    if st.session_state.get(f"{prefix}_unit") not in options:
        st.session_state[f"{prefix}_unit"] = None
    units = [None, *options]
    unit = st.selectbox(t("choose_unit"), units, key=f"{prefix}_unit", placeholder=t("st_choose"),
                        index=units.index(start.unit) if start.unit in options else 0,
                        format_func=lambda c: t("whole_city") if c is None else options[c])
    cat_codes = [c.code for c in CATEGORIES]
    cats = st.multiselect(t("category"), cat_codes, key=f"{prefix}_cats", placeholder=t("all"),
                          default=[c for c in start.categories if c in cat_codes],
                          format_func=lambda c: category_label(c, lang))
    status_codes = [s.code for s in STATUSES]
    statuses = st.multiselect(t("status"), status_codes, key=f"{prefix}_status", placeholder=t("all"),
                              default=[s for s in start.statuses if s in status_codes],
                              format_func=lambda s: status_label(s, lang))
    known = sorted({c.indicator for c in CATEGORIES if c.indicator} | set(extra_indicators))
    inds = st.multiselect(t("indicator"), known, key=f"{prefix}_ind", placeholder=t("all"),
                          default=[i for i in start.indicators if i in known])
    text = st.text_input(t("search"), value=start.text, key=f"{prefix}_q", help=t("search_help"))
    return views.View(layer=layer, unit=unit, categories=tuple(cats), statuses=tuple(statuses),
                      indicators=tuple(inds), text=text.strip())
