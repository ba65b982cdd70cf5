"""Reference layers (OpenStreetMap markets, supermarkets, parks, historic sites, lakes): imported
from the real shared files through the real importer, a broken source refused whole, searched
without diacritics, matched by name within 30 m, drawn on the map with their attribution."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import shapely

from geo import crs, reference
from geo.cli import main as cli_main
from geo.errors import ReferenceLayerError
from geo.maps import sites as map_sites
from geo.maps.reference import ReferenceLayers


@pytest.fixture(scope="module")
def ref_src(shared_data: Path) -> Path:
    return shared_data / "reference"


@pytest.fixture(scope="module")
def ref(tmp_path_factory: pytest.TempPathFactory, ref_src: Path) -> reference.Reference:
    dest = tmp_path_factory.mktemp("ref") / "reference"
    reference.import_reference(ref_src, dest)
    loaded = reference.get(dest)
    assert loaded is not None
    return loaded


def test_import_installs_every_layer_with_names_and_attribution(tmp_path, ref_src):
    dest = tmp_path / "reference"
    counts = reference.import_reference(ref_src, dest)
    assert counts == {"hanoi_osm_markets.geojson": 170, "hanoi_osm_supermarkets.geojson": 239,
                      "hanoi_osm_parks.geojson": 598, "hanoi_osm_historic.geojson": 231,
                      "hanoi_osm_lakes.geojson": 170}
    # file names kept as in the source (other readers, such as the OGC API, find them there)
    for layer in reference.LAYERS:
        assert (dest / layer.file).read_bytes() == (ref_src / layer.file).read_bytes()
    assert "ODbL" in (dest / "SOURCES.md").read_text("utf-8")
    loaded = reference.get(dest)
    assert loaded is not None and len(loaded.features) == sum(counts.values())
    assert "OpenStreetMap" in loaded.attribution_line("vi") and "ODbL" in loaded.attribution_line("en")


def _broken_copy(tmp_path: Path, ref_src: Path, file: str, edit) -> Path:
    src = tmp_path / "src"
    shutil.copytree(ref_src, src)
    (src / file).chmod(0o644)
    doc = json.loads((src / file).read_text("utf-8"))
    edit(doc)
    (src / file).write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return src


def _outside(doc: dict) -> None:
    doc["features"][41]["geometry"]["coordinates"] = [106.70, 10.77]  # Hồ Chí Minh City


def _no_kind(doc: dict) -> None:
    del doc["features"][2]["properties"]["kind"]


def _line_for_lake(doc: dict) -> None:
    doc["features"][0]["geometry"] = {"type": "LineString", "coordinates": [[105.8, 21.0], [105.81, 21.01]]}


@pytest.mark.parametrize(("file", "edit", "words"), [
    ("hanoi_osm_parks.geojson", _outside, ("hanoi_osm_parks.geojson", "feature 42", "outside Hanoi")),
    ("hanoi_osm_markets.geojson", _no_kind, ("hanoi_osm_markets.geojson", "feature 3", "kind")),
    ("hanoi_osm_lakes.geojson", _line_for_lake, ("hanoi_osm_lakes.geojson", "feature 1", "LineString")),
])
def test_a_broken_source_is_refused_whole_and_the_installed_layers_stay(tmp_path, ref_src, file, edit, words):
    dest = tmp_path / "reference"
    reference.import_reference(ref_src, dest)
    before = {p.name: p.read_bytes() for p in dest.iterdir()}
    src = _broken_copy(tmp_path, ref_src, file, edit)
    with pytest.raises(ReferenceLayerError) as err:
        reference.import_reference(src, dest)
    for word in words:
        assert word in err.value.en
    assert "Nothing was imported" in err.value.en and "Không nhập gì cả" in err.value.vi
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".reference-")]


def test_a_missing_file_or_licence_is_refused(tmp_path, ref_src):
    src = tmp_path / "src"
    shutil.copytree(ref_src, src)
    (src / "hanoi_osm_lakes.geojson").unlink()
    with pytest.raises(ReferenceLayerError, match="hanoi_osm_lakes.geojson"):
        reference.import_reference(src, tmp_path / "reference")
    assert not (tmp_path / "reference").exists()
    shutil.copy(ref_src / "hanoi_osm_lakes.geojson", src)
    (src / "SOURCES.md").chmod(0o644)
    (src / "SOURCES.md").write_text("# some layers\n", "utf-8")
    with pytest.raises(ReferenceLayerError, match="ODbL"):
        reference.import_reference(src, tmp_path / "reference")


def test_cli_import_prints_counts_and_a_plain_error(tmp_path, ref_src, capsys, monkeypatch):
    monkeypatch.setenv("P03_DATA_DIR", str(tmp_path / "data"))
    assert cli_main(["reference", "import", str(ref_src)]) == 0
    assert "hanoi_osm_markets.geojson: 170" in capsys.readouterr().out
    assert cli_main(["--lang", "en", "reference", "import", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "is missing" in err and "Traceback" not in err
    assert cli_main(["--lang", "en", "reference", "search", "dong xuan", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert "Chợ Đồng Xuân" in [r["name"] for r in rows]


def test_search_ignores_diacritics_and_case(ref):
    names = reference.search(ref, "cho dong xuan")["name"].tolist()
    assert "Chợ Đồng Xuân" in names
    assert "Công viên Thống Nhất" in reference.search(ref, "CONG VIEN thong nhat")["name"].tolist()
    assert set(reference.search(ref, "thong nhat", ("markets",))["layer"]) <= {"markets"}
    assert reference.search(ref, "   ").empty


def test_names_near_matches_the_same_name_within_30_m_only(ref):
    row = ref.features[ref.features["name"] == "Chợ Đồng Xuân"].iloc[0]
    pt = crs.to_metric(np.array([row.geometry]))[0]
    moved = shapely.Point(pt.x + 20, pt.y)
    far = shapely.Point(pt.x + 60, pt.y)
    got = reference.names_near(ref, ["cho dong xuan", "Chợ Đồng Xuân", "Chợ Khác", "Chợ Đồng Xuân", None],
                               np.array([moved, pt, pt, far, pt]))
    assert got.tolist() == [True, True, False, False, False]


def test_map_offers_the_layers_off_by_default_with_attribution_and_escaped_names(ref, bounds):
    from geo.ingest.pipeline import _empty

    empty = _empty()
    hits = reference.search(ref, "dong xuan")
    m = map_sites.site_map(empty, bounds, reference=ref, reference_found=hits, tiles=None)
    html = m.get_root().render()
    assert "L.control.layers(null, overlays" in html
    assert "Chợ (OSM)" in html and "Hồ, ao (OSM)" in html
    assert "OpenStreetMap" in html and "ODbL" in html
    payload = next(c for c in m._children.values() if isinstance(c, ReferenceLayers)).payload
    assert payload in html and "</script><" not in payload and "<" not in payload
    assert html.count('"n":"Chợ Đồng Xuân"') == 2  # in its layer and highlighted as found


def test_setup_imports_when_absent_and_can_be_switched_off(tmp_path, ref_src, monkeypatch):
    from geo.cli.reference import setup_reference

    monkeypatch.setenv("P03_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("P03_REFERENCE_SRC", "none")
    assert "skipped" in setup_reference() and not reference.installed()
    monkeypatch.setenv("P03_REFERENCE_SRC", str(ref_src))
    assert "hanoi_osm_lakes.geojson" in setup_reference() and reference.installed()
    assert "present" in setup_reference()
