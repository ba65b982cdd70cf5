"""What every page helper needs and nothing imports back: the language, the cached store and
boundaries, Markdown escaping and the one way to show a domain error. ``pages/ui/__init__.py``
and ``pages/ui/auth.py`` both build on it (the package re-exports it as ``ui.t``, ``ui.store``,
``ui.show_error`` ...)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from geo import boundaries, settings
from geo.errors import P03Error
from geo.i18n import t as _t
from geo.store import Store, open_store

_MD_LINKS = re.compile(r"([\\\[\]<>])")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=])")

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


@st.cache_resource(show_spinner=False)
def _store(url: str, data_dir: str) -> Store:
    return open_store()


def store() -> Store:
    """The store chosen by the settings (one per process)."""
    return _store(str(settings.get("P03_DATABASE_URL")), str(settings.data_dir().resolve()))


def bounds() -> boundaries.Boundaries:
    """The installed boundary layers (cached in geo.boundaries until the files change)."""
    return boundaries.get()


def md_escape(text: Any) -> str:
    """``text`` with every Markdown/HTML-significant character backslash-escaped, for user
    strings shown through elements that render Markdown (st.markdown, st.caption, st.info ...).

    >>> md_escape("[x](javascript:alert(1)) **b**")
    '\\\\[x\\\\]\\\\(javascript\\\\:alert\\\\(1\\\\)\\\\) \\\\*\\\\*b\\\\*\\\\*'
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def md_neutralise(text: Any) -> str:
    r"""``text`` with only ``\ [ ] < >`` escaped: enough that no link, image or autolink comes
    out of it in Markdown, while the rest of a message (punctuation, code names) reads unchanged.

    >>> print(md_neutralise("File “![x](http://e.test/b.png)” <b>"))
    File “!\[x\](http://e.test/b.png)” \<b\>
    """
    return _MD_LINKS.sub(r"\\\1", str(text))


def show_error(exc: P03Error, *, icon: str = ":material/error:", warning: bool = False,
               literal: bool = False) -> None:
    """The one way a page shows a domain error: its message in the chosen language, neutralised
    (messages quote user input — file names, values, addresses: no links, images or HTML from it;
    ``literal``: no Markdown at all, for messages quoting a whole address); a warning box instead
    of an error box when ``warning``."""
    text = exc.message(lang())
    (st.warning if warning else st.error)(md_escape(text) if literal else md_neutralise(text), icon=icon)


@contextmanager
def errors_shown() -> Iterator[None]:
    """Show a domain error in plain words instead of a traceback, then stop the page."""
    try:
        yield
    except P03Error as exc:
        show_error(exc)
        st.stop()
