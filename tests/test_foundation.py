"""Schema, vocabularies, settings, the streamlit-free domain package, exports and the CLI."""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from geo import schema, settings
from geo import sites as site_ops
from geo.i18n import STRINGS, fold, matches
from geo.store import SiteFilter

REPO = Path(__file__).resolve().parent.parent


def test_fold_and_match():
    assert fold("Chợ Đồng Xuân") == "cho dong xuan"
    assert matches("dong xuan", "Chợ Đồng Xuân")
    assert matches("ĐỒNG xuân", "cho dong xuan")
    assert not matches("dong xuan market", "Chợ Đồng Xuân")


@pytest.mark.parametrize(("text", "code"), [
    ("Chợ", "market"), ("cho dan sinh", "market"), ("Siêu thị", "supermarket"), ("TTTM", "supermarket"),
    ("Phố đi bộ", "pedestrian"), ("walking street", "pedestrian"), ("Biệt thự cũ", "old_villa"),
    ("công trình trước 1954", "pre1954"), ("Vườn hoa", "park"), ("khu tập thể", "old_apartment"),
    ("Hạ ngầm cáp", "cable_underground"), ("Xử lý nước thải", "wastewater"), ("bãi rác", "solid_waste"),
    ("solid_waste", "solid_waste"), ("Khác", "other"),
])
def test_category_synonyms(text, code):
    assert schema.match_category(text) == code


@pytest.mark.parametrize(("text", "code"), [
    ("Đang thi công", "in_progress"), ("hoàn thành", "completed"), ("Tạm dừng", "suspended"),
    ("planned", "planned"), ("on hold", "suspended"),
])
def test_status_synonyms(text, code):
    assert schema.match_status(text) == code


def test_vocabularies_are_bilingual_and_cover_the_programme():
    codes = {c.code for c in schema.CATEGORIES}
    assert {"wastewater", "solid_waste", "market", "supermarket", "pedestrian", "old_villa", "pre1954", "park",
            "old_apartment", "cable_underground", "other"} <= codes
    for term in (*schema.CATEGORIES, *schema.STATUSES):
        assert term.vi and term.en and term.vi != term.code
    assert all(vi and en for vi, en in STRINGS.values())


def test_readme_documents_schema_and_every_setting():
    readme = (REPO / "README.md").read_text("utf-8")
    for line in schema.schema_markdown().splitlines():
        assert line in readme, f"README schema table lacks: {line}"
    for s in settings.SETTINGS:
        assert f"`{s.name}`" in readme, f"setting {s.name} is not documented in README.md"


def test_bad_setting_says_which(monkeypatch):
    monkeypatch.setenv("P03_LANG", "fr")
    with pytest.raises(settings.SettingError, match="P03_LANG"):
        settings.get("P03_LANG")


def test_geo_never_imports_streamlit():
    for path in (REPO / "geo").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "streamlit" for n in names), f"{path} imports streamlit"


@pytest.mark.slow  # a process importing every module of geo/ (4 s); make test runs it, make check the line check above
def test_geo_never_imports_streamlit_even_through_a_dependency():
    code = ("import importlib, pkgutil, sys, geo\n"
            "for m in pkgutil.walk_packages(geo.__path__, 'geo.'):\n"
            "    if m.name != 'geo.__main__': importlib.import_module(m.name)\n"
            "assert 'streamlit' not in sys.modules, 'streamlit imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_demo_store_is_placed(demo_store):
    gdf = demo_store.query_sites()
    assert len(gdf) >= 45
    assert gdf["district_codes"].str.len().gt(0).all()
    assert gdf["commune_codes"].str.len().gt(0).all()
    opera = gdf[gdf["name"].str.contains("Nhà hát Lớn")].iloc[0]
    assert opera["district_codes"] == "002"
    hk = demo_store.query_sites(SiteFilter(district="002"))
    assert "Chợ Đồng Xuân" in set(hk["name"])
    assert len(demo_store.query_sites(SiteFilter(text="dong xuan"))) >= 1


@pytest.mark.parametrize("fmt", site_ops.EXPORT_FORMATS)
def test_export_round_trip(demo_store, tmp_path, fmt):
    gdf = demo_store.query_sites(SiteFilter(district="002"))
    blob = site_ops.export(gdf, fmt)
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(blob)
    if fmt in ("csv", "xlsx"):
        import pandas as pd

        df = pd.read_csv(io.BytesIO(blob), encoding="utf-8-sig") if fmt == "csv" else pd.read_excel(path)
        assert len(df) == len(gdf) and set(df["name"]) == set(gdf["name"])
        assert df["wkt"].str.startswith(("POINT", "LINESTRING", "POLYGON")).all()
        return
    back = gpd.read_file(path) if fmt != "kml" else pyogrio.read_dataframe(path)
    assert len(back) == len(gdf)
    names = set(back["Name" if fmt == "kml" else "name"])
    assert names == set(gdf["name"])
    if fmt == "geojson":
        doc = json.loads(blob)
        assert doc["features"][0]["properties"]["district_codes"] == ["002"]


def run_cli(*args: str, env_dir: Path) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "P03_DATA_DIR": str(env_dir), "P03_LANG": "vi"}
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, env=env, capture_output=True, text=True)


def test_cli_where(data_dir, capsys):
    ok = run_cli("where", "21.0288", "105.8525", "--json", env_dir=data_dir)  # the command as a process
    assert ok.returncode == 0, ok.stderr
    found = json.loads(ok.stdout)
    assert found["district"]["code"] == "002" and found["commune"]["name"] == "Hoàn Kiếm"
    from geo.cli import main  # the rest in this process (a process more would import geopandas again)

    assert main(["where", "10.7769", "106.7009"]) == 1
    assert "ngoài Hà Nội" in capsys.readouterr().err
    assert main(["--lang", "en", "where", "10.7769", "106.7009"]) == 1
    assert "outside Hanoi" in capsys.readouterr().err


@pytest.mark.slow  # subprocesses: set-up, list, export (8 s); make test runs it
def test_cli_setup_sites_list_and_export(data_dir, tmp_path):
    out = run_cli("setup", env_dir=data_dir)
    assert out.returncode == 0, out.stderr
    listed = run_cli("sites", "list", "--district", "Hoàn Kiếm", "--json", env_dir=data_dir)
    doc = json.loads(listed.stdout)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) >= 10
    assert all("002" in f["properties"]["district_codes"] for f in doc["features"])
    assert {"id", "name", "category", "status", "indicator", "commune_codes"} <= set(doc["features"][0]["properties"])
    target = tmp_path / "hk.gpkg"
    ex = run_cli("sites", "export", "--format", "gpkg", str(target), "--district", "002", env_dir=data_dir)
    assert ex.returncode == 0, ex.stderr
    assert len(gpd.read_file(target)) == len(doc["features"])
    bad = run_cli("sites", "list", "--district", "Gotham", env_dir=data_dir)
    assert bad.returncode == 1 and "Gotham" in bad.stderr
    again = run_cli("setup", env_dir=data_dir)
    assert "already holds" in again.stdout
