"""pygeoapi's configuration, generated from the project's settings (never a hand-kept YAML).

Collections: ``sites`` (the store), ``districts`` and ``communes`` (the imported boundary layers),
and one ``osm_*`` collection per OpenStreetMap reference layer (``P03_DATA_DIR/reference``, or
the shared folder while set-up has not imported them). Every collection carries its attribution,
read from the SOURCES.md of its source as the map does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo import boundaries, reference, settings
from geo.i18n import LANGS, pick

HANOI_BBOX = [105.28, 20.55, 106.03, 21.40]
#: largest page a client may ask for; offsets beyond MAX_OFFSET are refused (400)
MAX_ITEMS = 10_000
MAX_OFFSET = 10_000_000
_OSM = ("© Những người đóng góp OpenStreetMap (ODbL 1.0)", "© OpenStreetMap contributors (ODbL 1.0)")
_ODBL = "https://opendatacommons.org/licenses/odbl/1-0/"


@dataclass(frozen=True)
class Collection:
    """One collection: id, titles (vi, en), attribution, licence link and provider."""

    id: str
    title: tuple[str, str]
    description: tuple[str, str]
    attribution: str
    licence_url: str
    provider: str
    data: str
    id_field: str | None


def reference_dir() -> Path | None:
    """Where the OSM reference layers are: imported at set-up (``P03_DATA_DIR/reference``), else
    the shared folder they are imported from."""
    for folder in (settings.reference_dir(), Path("../shared/data/reference")):
        if folder.is_dir() and any(folder.glob("hanoi_osm_*.geojson")):
            return folder
    return None


def _reference_attribution(folder: Path) -> str:
    """The licence line of the reference SOURCES.md (bold ``© OpenStreetMap contributors, ODbL``)."""
    path = folder / "SOURCES.md"
    text = path.read_text("utf-8") if path.is_file() else ""
    m = re.search(r"\*\*(©[^*]*OpenStreetMap[^*]*)\*\*", text)
    return " ".join(m.group(1).split()) if m else _OSM[1]


def collections() -> list[Collection]:
    """Every collection served, in the order the landing page lists them."""
    attr = boundaries.get().attribution
    out = [
        Collection("sites", ("Công trình Chương trình 03", "Programme 03 sites"),
                   ("Các công trình của Chương trình 03-CTr/TU Hà Nội, dữ liệu trực tiếp từ P03 Map.",
                    "The sites of Hanoi's Programme 03-CTr/TU, live from P03 Map."),
                   "P03 Map", "", "geo.api.provider.SitesProvider", "store", "id"),
        Collection("districts", ("Quận, huyện (trước 2025)", "Districts (pre-2025)"),
                   ("30 quận, huyện, thị xã của Hà Nội trước 2025.", "Hanoi's 30 pre-2025 districts."),
                   attr.get(boundaries.DISTRICTS_FILE, ""), "https://www.gnu.org/licenses/gpl-3.0.html",
                   "geo.api.provider.LayerProvider", str(settings.boundaries_dir() / boundaries.DISTRICTS_FILE),
                   "code"),
        Collection("communes", ("Xã, phường (từ 1/7/2025)", "Communes and wards (from 1 July 2025)"),
                   ("126 xã, phường của Hà Nội từ 1/7/2025.", "Hanoi's 126 communes and wards since 1 July 2025."),
                   attr.get(boundaries.COMMUNES_FILE, ""), _ODBL,
                   "geo.api.provider.LayerProvider", str(settings.boundaries_dir() / boundaries.COMMUNES_FILE),
                   "code"),
    ]
    folder = reference_dir()
    if folder is not None:
        ref_attr = _reference_attribution(folder)
        titles = {layer.file: (layer.vi, layer.en) for layer in reference.LAYERS}
        for path in sorted(folder.glob("hanoi_osm_*.geojson")):
            key = path.stem.removeprefix("hanoi_osm_")
            vi, en = titles.get(path.name, (key, key))
            out.append(Collection(f"osm_{key}", (vi, en),
                                  (f"Lớp tham chiếu OpenStreetMap: {vi}.", f"OpenStreetMap reference layer: {en}."),
                                  ref_attr, _ODBL, "geo.api.provider.LayerProvider", str(path.resolve()), None))
    return out


def _text(vi: str, en: str, lang: str) -> dict[str, str]:
    """Both languages, ``lang`` first (pygeoapi shows the first one by default)."""
    both = dict(zip(LANGS, (vi, en), strict=True))
    return {lang: pick(lang, vi, en), **both}


def _resource(c: Collection, lang: str) -> dict[str, Any]:
    links = [{"type": "text/html", "rel": "license", "title": c.attribution or "P03 Map",
              "href": c.licence_url or "https://www.openstreetmap.org/copyright"}] if c.licence_url else []
    res: dict[str, Any] = {
        "type": "collection",
        "title": _text(*c.title, lang),
        "description": _text(f"{c.description[0]} Nguồn: {c.attribution}", f"{c.description[1]} Source: "
                             f"{c.attribution}", lang),
        "keywords": ["Hà Nội", "Chương trình 03", "Hanoi"],
        "links": links,
        "extents": {"spatial": {"bbox": HANOI_BBOX, "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
        "providers": [{"type": "feature", "name": c.provider, "data": c.data, "id_field": c.id_field or "id"}],
        "limits": {"default_items": 10, "max_items": MAX_ITEMS, "on_exceed": "throttle"},
    }
    if c.id == "sites":
        # ``datetime`` filters on the end date; no temporal extent is declared, so that pygeoapi
        # does not refuse dates outside the programme's years (sites may end later)
        res["providers"][0]["time_field"] = "end_date"
    return res


def build(url: str, lang: str | None = None, templates: Path | None = None,
          locale_dir: Path | None = None) -> dict[str, Any]:
    """pygeoapi's configuration for a service reached at ``url`` (interface in ``lang``)."""
    lang = lang or str(settings.get("P03_LANG"))
    port = int(settings.get("P03_API_PORT"))
    server: dict[str, Any] = {
        "bind": {"host": "127.0.0.1", "port": port}, "url": url.rstrip("/"),
        "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "gzip": False,
        "languages": [lang, *(other for other in LANGS if other != lang)], "pretty_print": False,
        "limits": {"default_items": 10, "max_items": MAX_ITEMS, "on_exceed": "throttle"},
        "map": {"url": settings.tiles() or "", "attribution": str(settings.get("P03_TILES_ATTRIBUTION"))},
        "admin": False,
    }
    if templates is not None:
        server["templates"] = {"path": str(templates)}
    if locale_dir is not None:
        server["locale_dir"] = str(locale_dir)
    return {
        "server": server,
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": _text("P03 Map — Bản đồ Chương trình 03", "P03 Map — Programme 03 map", lang),
                "description": _text("Dữ liệu trực tiếp của P03 Map theo chuẩn OGC API – Features (chỉ đọc).",
                                     "P03 Map's live data as OGC API – Features (read-only).", lang),
                "keywords": ["Hà Nội", "Hanoi", "Programme 03", "OGC API"], "keywords_type": "theme",
                "terms_of_service": "", "url": str(settings.get("P03_PUBLIC_URL")),
            },
            "license": {"name": "Xem từng lớp / see each layer", "url": "https://www.openstreetmap.org/copyright"},
            "provider": {"name": "P03 Map", "url": str(settings.get("P03_PUBLIC_URL"))},
            "contact": {"name": "P03 Map", "position": "", "address": "", "city": "Hà Nội",
                        "stateorprovince": "", "postalcode": "", "country": "Việt Nam", "phone": "", "fax": "",
                        "email": "", "url": str(settings.get("P03_PUBLIC_URL")), "hours": "", "instructions": "",
                        "role": "pointOfContact"},
        },
        "resources": {c.id: _resource(c, lang) for c in collections()},
    }


def attributions() -> dict[str, str]:
    """Collection id -> attribution (added to each collection's metadata as ``attribution``)."""
    return {c.id: c.attribution for c in collections()}
