"""Streamlit's own words in the chosen language.

Streamlit 1.67 has no locale setting: its widgets carry a few English strings of their own. Where
the API takes a text we pass one (``placeholder=`` on select boxes, see :func:`pages.ui.view_filters`);
the rest is restyled here with CSS: the English text is hidden (``visibility: hidden``, so it is
neither seen nor read out by ``innerText``) and the translation drawn in its place with
``::after``. Covered: the file uploader's "Upload" button and "NNMB per file" line, the "Press
Enter to apply" hint under text boxes, the "Running..."/"Stop" status in the top bar, the
keyboard "Skip to main content" link and the "No results" line of a searched select box.
``tests/test_browser_language.py`` checks every page for any of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

#: (CSS selector of an English text Streamlit draws, i18n key of its replacement)
_REPLACED: tuple[tuple[str, str], ...] = (
    ("[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p", "st_upload_button"),
    ("[data-testid='stFileUploaderDropzoneInstructions'] span", "st_upload_limit"),
    ("[data-testid='InputInstructions']", "st_press_enter"),
    ("[data-testid='stSkipToContent']", "st_skip_to_content"),
)


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (JSON's escaping is valid CSS for these texts)."""
    return json.dumps(text).replace("<", "\\3C ")


def css(t: Callable[[str], object]) -> str:
    """The stylesheet: ``t`` is :func:`pages.ui.t` (key -> text in the chosen language)."""
    mb = int(st.get_option("server.maxUploadSize"))
    rules = []
    for selector, key in _REPLACED:
        text = str(t(key)).format(mb=mb)
        rules.append(f"{selector} {{ visibility: hidden; font-size: 0 !important; }}\n"
                     f"{selector}::after {{ content: {_css_string(text)}; visibility: visible;"
                     " font-size: 0.875rem; }")
    # the top bar's running man and its "Running..." / "Stop": keep the man, hide the words
    rules.append("[data-testid='stStatusWidget'] label, [data-testid='stStatusWidget'] button"
                 " { display: none !important; }")
    # the empty element that fetches the in-page map's code early (pages/ui/live_map.early): no room
    rules.append(".st-key-p03_map_early { display: none !important; }")
    return "\n".join(rules)


def install(t: Callable[[str], object]) -> None:
    """Add the stylesheet to the page (a style-only st.html takes no room)."""
    st.html(f"<style>{css(t)}</style>")
