"""The site editor's map (geo.maps.edit) and form values (geo.site_form), without a browser: local
Leaflet-Geoman only, the site's geometry in the script and nothing else, drawings read back into
one geometry (Multi* for several parts, mixed kinds refused naming the field), and a form's
changes reduced to the fields that really changed."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping

from geo import assets, site_form
from geo.errors import InputError
from geo.maps import edit as edit_map
from geo.schema import FIELDS


@pytest.fixture(autouse=True)
def local_assets():
    assets.use(assets.local_base_url())


def feature(geom) -> dict:
    return {"type": "Feature", "properties": {}, "geometry": mapping(geom)}


def test_edit_map_uses_the_vendored_geoman_only():
    html = edit_map.edit_map(Point(105.8525, 21.0288), tiles=None).get_root().render()
    refs = re.findall(r"""<(?:script|link)[^>]*(?:src|href)=["']([^"']+)""", html)
    assert any(r.endswith("/leaflet_geoman/leaflet-geoman.min.js") for r in refs), refs
    assert any(r.endswith("/leaflet_geoman/leaflet-geoman.css") for r in refs), refs
    assert all(r.startswith("file://") for r in refs), refs
    for cdn in ("unpkg.com", "cdn.jsdelivr", "cdnjs", "googleapis"):
        assert cdn not in html
    installed = assets.install()
    assert (installed / "leaflet_geoman" / "LICENSE").read_text().startswith("MIT License")


def _editor(m) -> tuple[str, dict]:
    """The page's HTML and the editor's payload (which the page holds as it is)."""
    html = m.get_root().render()
    editor = next(c for c in m._children.values() if isinstance(c, edit_map.SiteEditor))
    assert editor.payload in html
    return html, json.loads(editor.payload)


def test_edit_map_holds_the_site_and_its_controls():
    html, data = _editor(edit_map.edit_map(Point(105.8525, 21.0288), tiles=None, lang="vi"))
    assert data["site"] == {"type": "Point", "coordinates": [105.8525, 21.0288]}
    assert "window.drawnItems = items" in html  # the group streamlit-folium reports
    assert "draw:edited" in html and data["undo_label"] == "↶ Hoàn tác"  # changes reported; the undo button
    assert data["draw"] is False and data["lang"] == "vi" and data["texts"]["actions"]["finish"] == "Xong"
    new, data = _editor(edit_map.edit_map(None, tiles=None, lang="en"))
    assert data["draw"] is True and "map.pm.addControls" in new and "draw:created" in new  # a new site is drawn
    assert data["undo_label"] == "↶ Undo" and data["site"] is None and data["texts"] == {}


def test_drawing_geometry():
    assert edit_map.drawing_geometry(None) is None
    assert edit_map.drawing_geometry([]) is None
    assert edit_map.drawing_geometry([feature(Point(105.85, 21.03))]).equals(Point(105.85, 21.03))
    a = Polygon([(105.84, 21.01), (105.85, 21.01), (105.85, 21.02)])
    b = Polygon([(105.86, 21.01), (105.87, 21.01), (105.87, 21.02)])
    both = edit_map.drawing_geometry([feature(a), feature(b)])
    assert isinstance(both, MultiPolygon) and len(both.geoms) == 2
    with pytest.raises(InputError) as err:
        edit_map.drawing_geometry([feature(a), feature(LineString([(105.8, 21.0), (105.81, 21.0)]))])
    assert err.value.field == "geometry"
    with pytest.raises(InputError, match="geometry"):
        edit_map.drawing_geometry([{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "x"}}])


def test_center_of(bounds):
    assert edit_map.center_of(None) == (21.0288, 105.8525)
    hk = bounds.layer("district")
    lat, lon = edit_map.center_of(hk[hk["code"] == "002"])
    assert hk[hk["code"] == "002"].geometry.iloc[0].contains(Point(lon, lat))


SITE = {"id": "s-1", "name": "Chợ A", "category": "market", "status": "planned", "indicator": "CT08",
        "responsible_unit": None, "start_date": "2024-03-01", "end_date": None, "budget_vnd": 1.5e9,
        "progress_pct": None, "notes": "", "geometry": Point(105.85, 21.03)}


def test_form_defaults_and_no_change():
    values = site_form.form_defaults(SITE)
    assert values["start_date"] == dt.date(2024, 3, 1) and values["end_date"] is None
    assert values["budget_vnd"] == 1.5e9 and values["progress_pct"] is None and values["notes"] == ""
    assert set(values) == {f.name for f in FIELDS if not f.derived and f.name not in ("id", "geometry")}
    assert site_form.form_changes(SITE, values) == {}
    assert site_form.form_changes(SITE, values, Point(105.85, 21.03)) == {}  # the same place


def test_form_changes_only_what_changed():
    values = {**site_form.form_defaults(SITE), "status": "completed", "end_date": dt.date(2025, 6, 30),
              "progress_pct": 100.0, "notes": "  ", "name": " Chợ A "}
    moved = Point(105.851, 21.031)
    changes = site_form.form_changes(SITE, values, moved)
    assert changes == {"status": "completed", "end_date": "2025-06-30", "progress_pct": 100.0, "geometry": moved}
    assert site_form.status_changes(changes)
    cleared = site_form.form_changes(SITE, {**site_form.form_defaults(SITE), "budget_vnd": None})
    assert cleared == {"budget_vnd": None}


def test_new_site_fields_leave_out_empty_ones():
    values = {**site_form.form_defaults(None), "name": "Phố đi bộ", "category": "pedestrian"}
    assert site_form.new_site_fields(values) == {"name": "Phố đi bộ", "category": "pedestrian", "status": "planned"}


def test_where_names(bounds):
    district, commune = site_form.where_names(Point(105.8525, 21.0288), bounds, "vi")
    assert district == "Hoàn Kiếm" and "Hoàn Kiếm" in commune
