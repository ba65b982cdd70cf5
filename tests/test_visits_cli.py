"""`python -m geo visit` on the demo store: text, --json keys, PDF/GPX/KML files, errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import defusedxml.ElementTree as DET
import gpxpy
import pypdf
import pytest

from geo import visits
from geo.cli import main
from tests.conftest import REPO


def run(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_json_keys_and_optimal_order(demo_store, capsys):
    rc, out, _ = run(capsys, "visit", "--sites", "demo-013,demo-048,demo-012,demo-042", "--start", "21.0300,105.8530",
                     "--json")
    assert rc == 0
    doc = json.loads(out)
    assert set(doc) == {"stops", "total_km", "total_minutes"}
    assert [set(s) for s in doc["stops"]] == [{"id", "name", "lat", "lon", "leg_km", "arrive"}] * 4
    assert sorted(s["id"] for s in doc["stops"]) == ["demo-012", "demo-013", "demo-042", "demo-048"]
    assert doc["total_km"] == pytest.approx(sum(s["leg_km"] for s in doc["stops"]), abs=0.01)
    assert doc["stops"][0]["arrive"] >= "08:00"
    # 20 km/h, 30 min per stop by default
    assert doc["total_minutes"] == pytest.approx(doc["total_km"] * 3 + 4 * 30, abs=0.5)
    assert "Chợ Đồng Xuân" in out  # UTF-8, not \\u escapes
    # the same sites kept in the order given are no shorter
    rc, out2, _ = run(capsys, "visit", "--sites", "demo-013,demo-048,demo-012,demo-042", "--start",
                      "21.0300,105.8530", "--json", "--keep-order")
    kept = json.loads(out2)
    assert [s["id"] for s in kept["stops"]] == ["demo-013", "demo-048", "demo-012", "demo-042"]
    assert kept["total_km"] >= doc["total_km"]


def test_district_filter_return_and_text(demo_store, capsys):
    rc, out, _ = run(capsys, "visit", "--district", "Hoàn Kiếm", "--category", "Chợ", "--start", "ubnd_tp",
                     "--return", "--speed", "15", "--dwell", "20", "--depart", "07:30")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].startswith(" 0  07:30") and "79 Đinh Tiên Hoàng" in lines[0]
    assert any("Chợ Đồng Xuân" in line for line in lines)
    assert lines[-2].startswith(" ↩")
    assert lines[-1].startswith("Tổng:")


def test_files_pdf_gpx_kml(demo_store, capsys, tmp_path, bounds):
    pdf, gpx, kml = tmp_path / "b.pdf", tmp_path / "r.gpx", tmp_path / "r.kml"
    rc, out, err = run(capsys, "visit", "--sites", "demo-012,demo-013,demo-051", "--start", "21.03,105.853",
                       "--pdf", str(pdf), "--gpx", str(gpx), "--kml", str(kml), "--name", "Đi chợ",
                       "--date", "2026-11-26", "--participant", "Đ/c Hằng", "--json")
    assert rc == 0, err
    names = [s["name"] for s in json.loads(out)["stops"]]
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) == 4
    assert "Đi chợ" in reader.pages[0].extract_text()
    parsed = gpxpy.parse(gpx.read_text("utf-8"))
    assert [w.name for w in parsed.waypoints][1:] == [f"{i}. {n}" for i, n in enumerate(names, 1)]
    root = DET.fromstring(kml.read_bytes())
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    assert "PDF -> " in err and "GPX -> " in err and "KML -> " in err


@pytest.mark.parametrize("argv, rc, message", [
    (["--sites", "demo-012,nope", "--start", "21.03,105.853"], 1, "nope"),
    (["--sites", "demo-012", "--start", "21.03"], 2, "lat,lon"),
    (["--district", "Atlantis", "--start", "21.03,105.853"], 1, "Atlantis"),
    (["--district", "Hoàn Kiếm", "--category", "bakery", "--start", "21.03,105.853"], 2, "bakery"),
    (["--sites", "demo-012", "--start", "21.03,105.853", "--speed", "0"], 2, "speed"),
])
def test_errors_are_plain_messages(demo_store, capsys, argv, rc, message):
    code, _, err = run(capsys, "--lang", "en", "visit", *argv)
    assert code == rc
    assert message in err and "Traceback" not in err


def test_sites_and_district_are_exclusive(capsys):
    with pytest.raises(SystemExit):
        main(["visit", "--sites", "a", "--district", "b", "--start", "21,105"])


def test_module_entry_point(demo_store):
    """The real `python -m geo visit` process, as people run it."""
    proc = subprocess.run([sys.executable, "-m", "geo", "visit", "--sites", "demo-012,demo-013", "--start",
                           "21.03,105.853", "--json"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert len(doc["stops"]) == 2
    lat, lon = doc["stops"][0]["lat"], doc["stops"][0]["lon"]
    assert visits.haversine_km(21.03, 105.853, lat, lon) == pytest.approx(doc["stops"][0]["leg_km"], abs=0.001)
