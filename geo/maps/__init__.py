"""Map layers built with folium, their JavaScript and CSS kept as files beside them
(``importlib.resources``) rather than in Python strings."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def asset_text(name: str) -> str:
    """The text of a JS/CSS file shipped in this package (``geo/maps/<name>``), read once."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
