"""Hostile uploads (issue #10): no uploaded file makes the app read another file or reach a URL.

The corpus is written by ``tests/data/hostile/make_hostile.py`` into ``tmp_path``, pointing at a
secret file there and at a local HTTP server that must receive no request."""

from __future__ import annotations

import http.server
import importlib.util
import json
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest

from geo import cli, gdal_guard
from geo.errors import InputError

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
_spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE / "make_hostile.py")
assert _spec and _spec.loader
make_hostile = importlib.util.module_from_spec(_spec)
sys.modules["make_hostile"] = make_hostile
_spec.loader.exec_module(make_hostile)
SECRET = "P03-SECRET-MARKER"


@pytest.fixture()
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server answering every request with a CSV of one point; the requests it got."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(f"name,WKT\n{SECRET},POINT(105.85 21.03)\n".encode())

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            return None

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}/sites.csv", hits
    srv.shutdown()
    srv.server_close()


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.csv"
    path.write_text(f"name,WKT\n{SECRET},POINT(105.85 21.03)\n", "utf-8")
    return path


@pytest.mark.parametrize("case", make_hostile.CASES, ids=[c.file for c in make_hostile.CASES])
def test_hostile_file(case, tmp_path, data_dir, secret, server, capsys, monkeypatch):
    url, hits = server
    if case.env:
        name, value = case.env.split("=")
        monkeypatch.setenv(name, value)
    paths = make_hostile.build(tmp_path / "corpus", str(secret), url)
    code = cli.main(["--lang", "en", "import", str(paths[case.file]), "--dry-run", "--json"])
    out, err = capsys.readouterr()
    assert code == case.exit, (out, err)
    assert SECRET not in out + err
    assert hits == []
    if case.exit == 2:
        assert out == ""
        assert f"File “{case.file}”" in err
        assert case.message in err, err
        assert "Traceback" not in err
    else:
        messages = [i["message"] for i in json.loads(out)["errors"] + json.loads(out)["warnings"]]
        assert any(case.message in m for m in messages), messages


def test_vietnamese_message(tmp_path, data_dir, secret, server, capsys):
    paths = make_hostile.build(tmp_path / "corpus", str(secret), server[0])
    assert cli.main(["--lang", "vi", "import", str(paths["vrt_in_dbf.zip"]), "--dry-run"]) == 2
    assert "tệp “sites.dbf” không phải tệp dBASE (.dbf): là XML" in capsys.readouterr().err


def test_gdal_is_locked_down_process_wide(tmp_path, secret, server):
    """Even a caller that skips the magic-byte checks cannot make GDAL follow a VRT or reach a URL."""
    url, hits = server
    gdal_guard.harden()
    drivers = set(pyogrio.list_drivers())
    assert drivers <= gdal_guard.KEEP
    assert not {"VRT", "OGR_VRT", "GDALG", "WFS", "OAPIF", "HTTP", "SQLite", "LIBKML"} & drivers
    assert "/vsicurl/" in gdal_guard.status()["filesystems"]
    vrt_file = tmp_path / "layer.shp"
    vrt_file.write_bytes(make_hostile.vrt(str(secret)))
    targets = [vrt_file, f"/vsicurl/{url}", url, f"/vsizip//vsicurl/{url}", f"/vsicurl_streaming/{url}"]
    for target in targets:
        with pytest.raises(pyogrio.errors.DataSourceError):
            pyogrio.read_dataframe(target)
    vrt_url = tmp_path / "url.shp"
    vrt_url.write_bytes(make_hostile.vrt("/vsicurl/" + url))
    with pytest.raises(pyogrio.errors.DataSourceError):
        pyogrio.read_dataframe(vrt_url)
    assert hits == []


def test_real_shapefile_and_geopackage_still_read(tmp_path, data_dir, capsys):
    """The lock-down keeps what uploads need: a real zipped Shapefile and GeoPackage pass."""
    shp = tmp_path / "ok.zip"
    shp.write_bytes(make_hostile.zipped({f"sites{e}": d for e, d in make_hostile.shapefile(3).items()}))
    assert cli.main(["--lang", "en", "import", str(shp), "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["features"] == 3 and report["valid"] == 3


ENGCRS = ('ENGCRS["local",EDATUM["site"],CS[Cartesian,2],AXIS["x",east,LENGTHUNIT["metre",1]],'
          'AXIS["y",north,LENGTHUNIT["metre",1]]]')
CRS_CASES = [
    ("IAU_2015:30100", "perhaps a system of another celestial body", "thiên thể khác"),
    (ENGCRS, "it is a local (engineering) system, not tied to the Earth", "hệ tọa độ cục bộ"),
    ("EPSG:5703", "it is a vertical (height) system, not a horizontal one", "hệ độ cao"),
    ("+init=/etc/passwd:x", "PROJ “+init=” strings read files on the server", "đọc tệp trên máy chủ"),
    ("EPSG:99999999", "crs not found", "không dùng được hệ tọa độ"),
    ("không phải CRS", "cannot use the coordinate system “không phải CRS”", "không dùng được hệ tọa độ"),
]


@pytest.mark.parametrize(("crs", "en", "vi"), CRS_CASES, ids=[c[0][:20] for c in CRS_CASES])
def test_unusable_crs_is_a_clear_message(crs, en, vi, tmp_path, data_dir, capsys):
    path = tmp_path / "ok.csv"
    path.write_text("name,category,lon,lat\nChợ Hệ Tọa Độ,market,105.85,21.03\n", "utf-8")
    for lang, text in (("en", en), ("vi", vi)):
        assert cli.main(["--lang", lang, "import", str(path), "--crs", crs, "--dry-run"]) == 2
        out, err = capsys.readouterr()
        assert text in err and "Traceback" not in err and out == ""


def test_wkt_with_unknown_srid(tmp_path, data_dir, capsys):
    path = tmp_path / "srid.csv"
    path.write_text('name,category,wkt\nChợ SRID,market,"SRID=99999999;POINT(105.85 21.03)"\n', "utf-8")
    assert cli.main(["--lang", "en", "import", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "File “srid.csv”: the geometry column states SRID=99999999, which is not a usable EPSG" in err


def test_compound_crs_with_a_horizontal_part_is_fine(tmp_path, data_dir, capsys):
    path = tmp_path / "ok.csv"
    path.write_text("name,category,lon,lat\nChợ Hệ Tọa Độ,market,105.85,21.03\n", "utf-8")
    assert cli.main(["--lang", "en", "import", str(path), "--crs", "EPSG:9518", "--dry-run"]) == 0


@pytest.mark.parametrize("name", make_hostile.AMPLIFY)
def test_amplification_memory_stays_under_ten_times_the_file(name, tmp_path, data_dir, monkeypatch, bounds):
    """tracemalloc's peak (Python objects, numpy and pandas buffers) while checking each file
    built to blow memory up stays under 10× the file's size; the figures are printed."""
    from geo import ingest

    case = next(c for c in make_hostile.CASES if c.file == name)
    if case.env:
        monkeypatch.setenv(*case.env.split("="))
    content = case.build("", "")
    gdal_guard.harden()
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        result = ingest.check(content, name, b=bounds)
        outcome = f"{result.n_valid}/{result.n_features} valid"
    except InputError as exc:
        outcome = "refused: " + exc.en[:60]
    took = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"MEMORY {name}: {len(content) / 1e6:.2f} MB file, peak {peak / 1e6:.2f} MB "
          f"({peak / len(content):.1f}x), {took:.2f} s, {outcome}")
    assert peak < 10 * len(content)
    assert took < 60


def test_memory_error_is_not_called_damage(tmp_path, data_dir, monkeypatch, capsys):
    from geo.ingest import read

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setitem(read._READERS, "geojson", exhausted)
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    assert cli.main(["--lang", "en", "import", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "ran out of memory" in err and "damaged" not in err.replace("not damaged", "")


def test_cli_checks_the_size_before_reading(tmp_path, data_dir, monkeypatch, capsys):
    """A 60 MB (sparse) file is refused from its size on disk: not one byte of it is read."""
    path = tmp_path / "huge.geojson"
    with path.open("wb") as fh:
        fh.truncate(60 * 1024 * 1024)

    def no_reading(self: Path) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    assert cli.main(["--lang", "en", "import", str(path), "--dry-run"]) == 2
    assert "the file is 60.00 MB, beyond the 50 MB limit (P03_MAX_UPLOAD_MB)" in capsys.readouterr().err


def _fc(*props: dict) -> bytes:
    feats = [{"type": "Feature", "properties": {"category": "market", **p},
              "geometry": {"type": "Point", "coordinates": [105.85 + i * 0.001, 21.03]}} for i, p in enumerate(props)]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


def test_control_characters_nfd_ids_and_infinite_numbers(tmp_path, data_dir, capsys):
    """Each refused per field with the feature named; NFC and NFD spellings of one id are one id."""
    path = tmp_path / "text.geojson"
    path.write_bytes(_fc({"name": "Chợ\u0000Nul"}, {"name": "Chợ Màu", "notes": "đỏ\u001b[31m"},
                         {"id": "cafe\u0301", "name": "Chợ A"}, {"id": "caf\u00e9", "name": "Chợ B"},
                         {"name": "Chợ C", "budget_vnd": float("inf")}, {"name": "Chợ D", "progress_pct": float("nan")},
                         {"name": "Chợ\u0085E"}).replace(b"Infinity", b"1e309"))
    assert cli.main(["--lang", "en", "import", str(path), "--dry-run", "--json"]) == 1
    errors = {(e["feature"], e["field"]): e["message"] for e in json.loads(capsys.readouterr().out)["errors"]}
    assert "holds the control character U+0000 at position 4" in errors[(1, "name")]
    assert "holds the control character U+001B at position 3" in errors[(2, "notes")]
    assert "id “café” is repeated (already used by feature 3)" in errors[(4, "id")]
    assert "“1e309” is not a number" in errors[(5, "budget_vnd")]
    assert "“NaN” is not a number" in errors[(6, "progress_pct")]
    assert "U+0085" in errors[(7, "name")]
    assert (3, "id") not in errors


def test_export_into_a_missing_folder(tmp_path, data_dir, capsys):
    out = tmp_path / "no" / "such" / "sites.csv"
    assert cli.main(["--lang", "en", "sites", "export", "--format", "csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"there is no folder “{out.parent}” to write “sites.csv” into" in err and "Traceback" not in err


def test_store_and_uploads_are_private(tmp_path, monkeypatch):
    """The SQLite store (password hashes, audit trail) is 0600 in a 0700 folder; kept uploads too,
    whatever the umask."""
    import os
    import stat

    from geo.store import open_store
    from geo.store.base import Upload

    monkeypatch.setenv("P03_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("P03_DATABASE_URL", raising=False)
    old = os.umask(0o022)
    try:
        store = open_store()
        store.keep_file(Upload("a.geojson", b"{}"))
    finally:
        os.umask(old)
    projects = tmp_path / "data" / "projects"
    files = [p for p in projects.rglob("*") if p.is_file()]
    folders = [p for p in projects.rglob("*") if p.is_dir()]
    assert any(p.name.endswith(".sqlite") for p in files) and any(p.name == "a.geojson" for p in files)
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    for p in folders:
        assert stat.S_IMODE(p.stat().st_mode) == 0o700, p


def test_huge_shapes_are_simplified_for_the_map_only():
    """A 40,000-vertex park (under the per-geometry limit) is drawn with at most 2,000 vertices;
    its area barely changes; small shapes are untouched."""
    import numpy as np
    import shapely

    from geo import display

    t = np.linspace(0, 2 * np.pi, 40_000, endpoint=False)
    ring = np.column_stack([105.85 + 0.002 * np.cos(t), 21.03 + 0.002 * np.sin(t)])
    big, small = shapely.Polygon(ring), shapely.box(105.8, 21.0, 105.801, 21.001)
    out = display.lighter(np.array([big, small], dtype=object))
    assert shapely.get_num_coordinates(out[0]) <= display.DISPLAY_VERTICES
    assert abs(out[0].area - big.area) / big.area < 0.01
    assert out[1] is small
    assert shapely.get_num_coordinates(big) == 40_001  # the original is not changed


def _tcvn3(text: str) -> bytes:
    from geo.ingest import encoding

    back = {v: bytes([k]) for k, v in encoding._TCVN3.items()}
    return b"".join(back[ch] if ch in back else ch.encode("ascii") for ch in text)


@pytest.mark.parametrize("kind", ["tcvn3", "mixed"])
def test_legacy_vietnamese_encodings_are_converted_with_a_sample(kind, tmp_path, data_dir, capsys):
    """A CSV in TCVN3, and one mixing UTF-8 rows with Windows-1258 rows, are stored as the right
    Vietnamese letters (no mojibake), with a warning that names the encoding and shows a sample."""
    header = "name,category,lon,lat\n"
    rows = ["Chợ Bát Xát,market,105.85,21.03\n", "Chợ Mường Khương,market,105.851,21.031\n"]
    if kind == "tcvn3":
        content = _tcvn3(header + "".join(rows))
    else:
        content = (header + rows[0]).encode("utf-8") + _cp1258(rows[1])
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(content)
    assert cli.main(["--lang", "en", "import", str(path), "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    warning = " ".join(w["message"] for w in report["warnings"])
    if kind == "tcvn3":
        assert "read as TCVN3 (ABC, .VnTime) (tcvn3)" in warning and "e.g. “Chợ Bát Xát" in warning
    else:
        assert "mixes UTF-8 lines with 1 lines in Windows-1258" in warning and "Chợ Mường Khương" in warning


def _cp1258(text: str) -> bytes:
    """Windows-1258 bytes: tone marks as combining characters after the base letter."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            composed = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in "\u0306\u0302\u031b"))
            out += composed.encode("cp1258") + "".join(m for m in marks if m not in "\u0306\u0302\u031b").encode("cp1258")
    return out


def test_vni_text_is_refused_with_a_sample(tmp_path, data_dir, capsys):
    path = tmp_path / "vni.csv"
    path.write_bytes("name,category,lon,lat\nCho\u00f4\u00ef Ba\u00f9t Xa\u00f9t,market,105.85,21.03\n"
                     "Cho\u00f4\u00ef M\u00f6\u00f4\u00f8ng,market,105.851,21.031\n".encode("cp1252"))
    assert cli.main(["--lang", "en", "import", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "looks typed in the VNI-Windows encoding" in err and "Convert it to Unicode" in err
