"""The base map frame every map starts from, and the element every layer script is drawn by.

:func:`new_map` builds the ``folium.Map``: no CDN (Leaflet and its plugins come from the app, see
:mod:`geo.assets`), the basemap of the ``P03_TILES`` setting with its attribution, the zoom limits,
Leaflet's attribution prefix and the data's attribution lines. :func:`fit` fits it to bounds.

:class:`ScriptLayer` draws a layer from one script of this package: the file holds a function
expression ``(function (map, data) {...})``; the page calls it with the map and a script-safe JSON
payload, inside a closure that first defines the shared helpers of ``common.js`` (``esc``). The
script goes into the page as it is, never compiled as a Jinja template (a payload is data, and
may be large), and streamlit-folium, which calls the ``script`` macro itself, gets the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from jinja2 import Template

from geo import assets, settings
from geo.maps import asset_text
from geo.maps.payload import script_json

#: where a map with nothing to fit starts (central Hà Nội), lat/lon
HANOI = (21.03, 105.85)
#: the whole province (minx, miny, maxx, maxy), for a map with neither boundaries nor sites
PROVINCE_BOUNDS = (105.28, 20.56, 106.02, 21.39)
#: Leaflet's attribution prefix (without the flag Leaflet 1.9 adds)
LEAFLET_PREFIX = "<a href='https://leafletjs.com'>Leaflet</a>"
#: ``tiles`` arguments: True for the ``P03_TILES`` setting, None/False for no basemap, or a URL template
Tiles = str | bool | None


def tiles_url(tiles: Tiles = True) -> str | None:
    """The basemap URL template ``tiles`` stands for (None: no basemap).

    >>> tiles_url(None), tiles_url(False), tiles_url("https://t.example/{z}/{x}/{y}.png")
    (None, None, 'https://t.example/{z}/{x}/{y}.png')
    """
    if tiles is True:
        return settings.tiles()
    return tiles or None


def ensure_local_assets() -> None:
    """Point folium at the app's own copies of Leaflet and its plugins unless that is done already
    (:func:`geo.assets.use`, called by the app and the tests with their base URL): never a CDN."""
    if any(url.startswith(("http://", "https://", "//")) for _name, url in folium.Map.default_js):
        assets.use()


def new_map(*, tiles: Tiles = True, height: int | str = "100%", max_zoom: int = 19, min_zoom: int | None = None,
             center: tuple[float, float] = HANOI, zoom_start: int = 10, attribution: Sequence[str] = (),
             **options: Any) -> folium.Map:
    """The map frame every map starts from: local assets (Leaflet, no jQuery), the basemap ``tiles`` (see :func:`tiles_url`)
    with the ``P03_TILES_ATTRIBUTION`` setting, zoom limits on the map itself (markercluster needs
    ``maxZoom``), a scale bar, Leaflet's attribution prefix and the ``attribution`` lines (escaped in
    the browser). ``options`` go to ``folium.Map`` (``prefer_canvas``, ``zoom_snap``, ``font_size``…)."""
    ensure_local_assets()
    m = folium.Map(tiles=None, control_scale=True, zoom_start=zoom_start, location=list(center), height=height,
                   **options)
    m.options.update({"max_zoom": max_zoom} if min_zoom is None else {"max_zoom": max_zoom, "min_zoom": min_zoom})
    # no jQuery: nothing on these maps uses it, and streamlit-folium loads each file after the previous one
    m.default_js = [(name, src) for name, src in m.default_js if name != "jquery"]
    url = tiles_url(tiles)
    if url:
        folium.TileLayer(url, attr=str(settings.get("P03_TILES_ATTRIBUTION")), max_zoom=max_zoom,
                         name="basemap").add_to(m)
    FrameScript(script_json({"prefix": LEAFLET_PREFIX, "lines": list(attribution)})).add_to(m)
    return m


def view_of(bounds: Sequence[float], pad: float = 0.0) -> list[list[float]]:
    """Leaflet bounds ``[[south, west], [north, east]]`` of ``(minx, miny, maxx, maxy)``, ``pad``
    degrees wider on every side.

    >>> view_of((105.8, 21.0, 105.9, 21.1), 0.5)
    [[20.5, 105.3], [21.6, 106.4]]
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    return [[miny - pad, minx - pad], [maxy + pad, maxx + pad]]


def fit(m: folium.Map, bounds: Sequence[float], pad: float = 0.0) -> list[list[float]]:
    """Fit ``m`` to ``(minx, miny, maxx, maxy)`` (``pad`` degrees around); returns the Leaflet bounds."""
    view = view_of(bounds, pad)
    m.fit_bounds(view)
    return view


class Raw(Element):
    """Text that goes into the page as it is (not compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text itself."""
        return self.text


def layer_script(script_file: str, map_name: str, payload: str) -> str:
    """The page's script for one layer: ``script_file`` (a function expression) called with the map
    and ``payload``, in a closure that defines ``common.js`` first."""
    return (f"(function () {{\n{asset_text('common.js')}\n({asset_text(script_file).strip()})"
            f"({map_name}, {payload});\n}})();")


class ScriptLayer(MacroElement):
    """A layer drawn by ``script_file`` of this package from a script-safe JSON ``payload``, with
    ``style_file`` (CSS) in the page's header; see the module docstring. Subclasses set the files.
    Asset lists (``default_js``/``default_css``) of a folium plugin mixed in are linked too."""

    _template = Template("""
{% macro header(this, kwargs) %}{{ this.style() }}{% endmacro %}
{% macro script(this, kwargs) %}{{ this.script(this._parent.get_name()) }}{% endmacro %}
""")
    script_file: ClassVar[str]
    style_file: ClassVar[str | None] = None

    def __init__(self, payload: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's MacroElement.__init__ is unannotated
        self._name = type(self).__name__
        self.payload = payload

    def style(self) -> str:
        """The layer's ``<style>`` element ("" without a style file)."""
        return f"<style>{asset_text(self.style_file)}</style>" if self.style_file else ""

    def script(self, map_name: str) -> str:
        """The layer's script on the map called ``map_name``."""
        return layer_script(self.script_file, map_name, self.payload)

    def render(self, **kwargs: Any) -> str:
        """Add the asset links, the style and the script to the figure, as they are (nothing is
        returned: "", where a plain element returns its HTML)."""
        figure, parent = self.get_root(), self._parent
        if not isinstance(figure, Figure) or parent is None:
            raise TypeError(f"{self._name} is rendered on a map in a figure (add it to a map first)")
        for name, url in getattr(self, "default_js", []):
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in getattr(self, "default_css", []):
            figure.header.add_child(CssLink(url), name=name)
        if self.style_file:
            figure.header.add_child(Raw(self.style()), name=self.get_name())
        figure.script.add_child(Raw(self.script(parent.get_name())), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


class FrameScript(ScriptLayer):
    """The frame's attribution prefix and lines (``frame.js``)."""

    script_file = "frame.js"
