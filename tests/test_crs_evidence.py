"""CRS ambiguity on real files: a CSV with no CRS whose X/Y are truly VN-2000 / UTM 48N
(EPSG:3405) fits TM-3 105° (EPSG:5897, ~700 m away) and WGS 84 / UTM 48N (~220 m) too. With names
that are OpenStreetMap features (or stored sites) at those places, the evidence picks 3405;
without, nothing is picked silently: the candidates are listed with the distance between them."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from geo import crs as crs_mod
from geo import ingest, reference
from geo.cli import main as cli_main
from geo.ingest import crs_evidence
from geo.store import SiteFilter
from tests.conftest import TEST_DATA

WITH_NAMES = TEST_DATA / "vn2000" / "utm48n_osm_names.csv"
NO_NAMES = TEST_DATA / "vn2000" / "utm48n_no_names.csv"


@pytest.fixture()
def with_reference(data_dir, shared_data):
    reference.import_reference(shared_data / "reference", data_dir / "reference")
    return data_dir


def test_names_matching_osm_features_pick_utm_48n(with_reference, bounds):
    r = ingest.check(WITH_NAMES.read_bytes(), WITH_NAMES.name, b=bounds)
    assert (r.crs, r.crs_source) == ("EPSG:3405", "evidence")
    ev = r.crs_evidence
    assert ev is not None and ev.picked == "EPSG:3405"
    assert [c.code for c in ev.candidates][0] == "EPSG:3405" and set(r.candidates) >= {"EPSG:3405", "EPSG:5897"}
    by_code = {c.code: c for c in ev.candidates}
    assert by_code["EPSG:3405"].matches == 4 and by_code["EPSG:5897"].matches == 0
    assert 650 < by_code["EPSG:5897"].offset_m < 750  # the ~700 m the issue saw
    assert 200 < by_code["EPSG:32648"].offset_m < 250  # the VN-2000 datum shift
    msg = next(p for p in r.warnings if p.field == "crs")
    assert "picked by evidence" in msg.en and "4 names" in msg.en and "698 m off" in msg.en
    # placed where OpenStreetMap has them (the file was made from their positions)
    ref = reference.get()
    assert ref is not None
    for name, geom in zip(r.accepted["name"], r.accepted.geometry, strict=True):
        osm = ref.features[ref.features["name"] == name].geometry.iloc[0]
        assert crs_mod.to_metric(np.array([geom]))[0].distance(crs_mod.to_metric(np.array([osm]))[0]) < 1.0


def test_without_evidence_the_choice_is_left_to_the_user_with_the_candidates(with_reference, bounds):
    r = ingest.check(NO_NAMES.read_bytes(), NO_NAMES.name, b=bounds)
    assert r.crs_source == "guessed"  # the page asks for confirmation; the CLI commits only with --crs
    ev = r.crs_evidence
    assert ev is not None and ev.picked is None and ev.ambiguous
    assert {c.code for c in ev.candidates} >= {"EPSG:3405", "EPSG:5897", "EPSG:32648"}
    assert all(c.matches == 0 for c in ev.candidates)
    assert ev.spread_m() > 650
    msg = next(p for p in r.warnings if p.field == "crs")
    assert "no evidence tells them apart" in msg.en and "Compare them on the map" in msg.en
    table = crs_evidence.table(ev, "en")
    assert list(table["code"]) == [c.code for c in ev.candidates]


def test_stored_sites_are_evidence_too(demo_store, bounds):
    stored = demo_store.query_sites(SiteFilter(district="002"))
    pts = stored[stored.geometry.geom_type == "Point"].head(4)
    x, y = crs_mod.from_wgs84_xy("EPSG:3405", pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy())
    buf = io.StringIO()
    pd.DataFrame({"ten": pts["name"].tolist(), "loai": pts["category"].tolist(), "x": x, "y": y}).to_csv(buf, index=False)
    r = ingest.check(buf.getvalue().encode(), "stored.csv", b=bounds, store=demo_store)
    assert (r.crs, r.crs_source) == ("EPSG:3405", "evidence")
    assert r.crs_evidence is not None and r.crs_evidence.candidates[0].matches == len(pts)


def test_a_stated_or_given_crs_needs_no_evidence(with_reference, bounds):
    r = ingest.check(WITH_NAMES.read_bytes(), WITH_NAMES.name, b=bounds, crs="EPSG:5897")
    assert r.crs_source == "user" and r.crs_evidence is None


def test_cli_reports_the_ranked_candidates(with_reference, capsys):
    code = cli_main(["--lang", "en", "import", str(WITH_NAMES), "--dry-run", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["crs"] == "EPSG:3405" and out["crs_source"] == "evidence"
    assert out["crs_evidence"][0] == {"crs": "EPSG:3405", "matches": 4, "offset_m": 0.0,
                                      "matched_names": ["Chợ Đồng Xuân", "Công viên Thống Nhất", "Chợ Hôm",
                                                        "Vườn hoa Lý Tự Trọng"]}
    code = cli_main(["--lang", "en", "import", str(NO_NAMES), "--dry-run", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["crs_source"] == "guessed" and all(c["matches"] == 0 for c in out["crs_evidence"])
