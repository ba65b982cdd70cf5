"""The OGC API service in process (Flask's test client, SQLite demo store): conformance,
collection metadata and attribution, queryables, HTML in the interface language with markup
escaped, refusals of hostile query values, styles; the styled GeoPackage export; token CLI."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import pyogrio
import pytest

from geo import cli, styles, tokens
from geo import sites as site_ops
from geo.errors import TokenRefused
from geo.schema import CATEGORIES
from tests.auth_support import sign_in_cli


@pytest.fixture()
def sqlite_demo(data_dir):
    from geo.store import open_store
    from tests.conftest import DEMO_DIR

    store = open_store()
    site_ops.load_demo(store, DEMO_DIR, actor="test")
    return store


@pytest.fixture()
def client(sqlite_demo, monkeypatch):
    from geo.api.server import create_app

    tokens.reset_limits()
    return create_app("http://127.0.0.1:5999").test_client()


def test_conformance_collections_queryables_and_attribution(client) -> None:
    conf = client.get("/conformance?f=json").get_json()["conformsTo"]
    for cls in ("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"):
        assert cls in conf
    assert not [c for c in conf if "create-replace-delete" in c]  # read-only: no transactions claimed
    colls = {c["id"]: c for c in client.get("/collections?f=json").get_json()["collections"]}
    assert {"sites", "districts", "communes"} <= set(colls)
    assert "dvhcvn" in colls["districts"]["attribution"]
    assert "OpenStreetMap" in colls["communes"]["attribution"]
    for cid, coll in colls.items():
        assert coll["attribution"], cid
    one = client.get("/collections/districts?f=json").get_json()
    assert one["attribution"] == colls["districts"]["attribution"]
    q = client.get("/collections/sites/queryables?f=json").get_json()["properties"]
    assert {"category", "status", "indicator", "district_code", "commune_code"} <= set(q)
    assert set(q["category"]["enum"]) == {c.code for c in CATEGORIES}
    assert client.get("/openapi?f=json").get_json()["openapi"].startswith("3.0")


def test_items_filters_paging_and_datetime(client, sqlite_demo) -> None:
    total = sqlite_demo.count_sites()
    doc = client.get("/collections/sites/items?limit=5&offset=0").get_json()
    assert doc["numberMatched"] == total and len(doc["features"]) == 5
    assert {"id", "name", "category", "status", "district_codes", "commune_codes", "budget_vnd",
            "progress_pct", "end_date", "batch_id"} <= set(doc["features"][0]["properties"])
    assert any(link["rel"] == "next" for link in doc["links"])
    hk = client.get("/collections/sites/items?district_code=002&limit=1000").get_json()
    assert hk["numberMatched"] > 5 and all("002" in f["properties"]["district_codes"] for f in hk["features"])
    ended = client.get("/collections/sites/items?datetime=../2022-12-31&limit=1000").get_json()
    assert all(f["properties"]["end_date"] <= "2022-12-31" for f in ended["features"])
    assert client.get("/collections/sites/items?limit=10000&offset=10000000").get_json()["features"] == []


@pytest.mark.parametrize("query", [
    "bbox=1,2,3", "bbox=-200,0,10,10", "bbox=0,-95,10,10", "bbox=10,10,0,0", "bbox=nan,0,1,1",
    "bbox=1e400,0,1,1", "limit=-1", "limit=0", "limit=abc", "offset=-5", "offset=1000000000",
    "offset=1e9", "name=Ch%E1%BB%A3", "category=market%27%20OR%201%3D1--", "status=done;DROP TABLE sites",
    "district_code=1%20OR%201=1", "filter=category%3D%27market%27", "filter=1%3D1%3B%20DROP%20TABLE%20sites",
    "q=cho", "sortby=name", "datetime=yesterday", "datetime=2024-13-45", "f=xml", "crs=EPSG:3857",
    "limit=1&limit=2", "indicator=" + "x" * 2000,
])
def test_hostile_query_values_get_400_json(client, query) -> None:
    start = time.perf_counter()
    resp = client.get(f"/collections/sites/items?{query}")
    assert resp.status_code == 400, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["code"] == "InvalidParameterValue" and "Traceback" not in body["description"]
    assert time.perf_counter() - start < 5  # refused before any query (generous: a loaded machine)


def test_read_only_and_unknown_paths_are_json(client) -> None:
    assert client.post("/collections/sites/items", json={}).status_code == 405
    assert client.delete("/collections/sites/items/demo-001").status_code == 405
    resp = client.get("/collections/nope/items")
    assert resp.status_code == 404 and resp.get_json()["code"] == "NotFound"
    assert client.get("/collections/sites/items/nope").status_code == 404


def test_html_in_interface_language_with_markup_escaped(client, sqlite_demo, monkeypatch) -> None:
    first = sqlite_demo.query_sites().iloc[0]["id"]
    sqlite_demo.update_site(first, {"name": "<script>alert(1)</script><img src=x onerror=alert(2)>"}, actor="t")
    page = client.get("/?f=html").get_data(as_text=True)
    assert '<html lang="vi"' in page and "Lớp dữ liệu" in page and "unpkg.com" not in page
    items = client.get("/collections/sites/items?f=html&limit=100").get_data(as_text=True)
    assert "<script>alert(1)" not in items and "&lt;script&gt;alert(1)&lt;/script&gt;" in items
    assert "<img src=x" not in items
    item = client.get(f"/collections/sites/items/{first}?f=html").get_data(as_text=True)
    assert "<script>alert(1)" not in item and "&lt;script&gt;" in item
    english = client.get("/?f=html&lang=en").get_data(as_text=True)
    assert '<html lang="en"' in english and "Collections" in english


def test_styles_download_and_styled_geopackage(client, sqlite_demo, tmp_path) -> None:
    qml = client.get("/styles/sites.qml?kind=line").get_data(as_text=True)
    root = ET.fromstring(qml.split("\n", 1)[1])
    assert root.find("renderer-v2").get("attr") == "category"
    sld = ET.fromstring(client.get("/styles/sites.sld").get_data())
    assert sld.tag.endswith("StyledLayerDescriptor")
    path = tmp_path / "sites.gpkg"
    gdf = sqlite_demo.query_sites()
    path.write_bytes(site_ops.export(gdf, "gpkg"))
    assert len(pyogrio.read_dataframe(path, layer="sites")) == len(gdf)
    styles_df = pyogrio.read_dataframe(path, layer="layer_styles")
    assert set(styles_df["f_table_name"]) == {"sites"} and styles_df["useAsDefault"].sum() == 1
    default = styles_df[styles_df["useAsDefault"]].iloc[0]
    assert default["f_geometry_column"] == "geom" and "điểm" in default["styleName"]  # the demo is mostly points
    doc = ET.fromstring(default["styleQML"].split("\n", 1)[1])
    cats = {c.get("value"): c.get("label") for c in doc.iter("category")}
    assert cats["market"] == "Chợ" and len(cats) == len(CATEGORIES)
    colours = {}
    for sym in doc.find("renderer-v2/symbols"):
        marker = sym.find("layer[@class='SimpleMarker']/Option")
        colours[sym.get("name")] = {o.get("name"): o.get("value") for o in marker}["color"]
    market = next(i for i, c in enumerate(CATEGORIES) if c.code == "market")
    hexc = CATEGORIES[market].color.lstrip("#")
    assert colours[str(market)] == ",".join(str(int(hexc[i:i + 2], 16)) for i in (0, 2, 4)) + ",255"
    kinds = set(styles_df["styleQML"].map(lambda q: ET.fromstring(q.split("\n", 1)[1]).find("layerGeometryType").text))
    assert kinds == {"0", "1", "2"}  # the demo has points, lines and polygons
    assert styles.kinds_of(["Point", "Point", "LineString"]) == ["point", "line"]


def test_token_commands(sqlite_demo, monkeypatch, capsys) -> None:
    sign_in_cli(monkeypatch, sqlite_demo, "admin")
    from tests.auth_support import ensure_user

    ensure_user(sqlite_demo, "viewer")
    assert cli.main(["users", "token", "issue", "test-viewer", "--label", "QGIS", "--json"]) == 0
    issued = json.loads(capsys.readouterr().out)
    assert issued["token"].startswith("p03_")
    assert cli.main(["users", "token", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["token_id"] == issued["token_id"] and issued["token"] not in json.dumps(listed)
    assert cli.main(["users", "token", "revoke", issued["token_id"]]) == 0
    assert cli.main(["users", "token", "revoke", issued["token_id"]]) == 1  # already revoked
    sign_in_cli(monkeypatch, sqlite_demo, "viewer")
    assert cli.main(["users", "token", "list"]) == 3  # not an admin


def test_token_rate_limit_and_once_a_minute_audit(client, sqlite_demo, monkeypatch) -> None:
    from tests.auth_support import ensure_user

    admin = ensure_user(sqlite_demo, "admin")
    viewer = ensure_user(sqlite_demo, "viewer")
    _, secret = tokens.issue(sqlite_demo, viewer.username, actor=admin)
    monkeypatch.setenv("P03_READ_REQUIRES_LOGIN", "true")
    monkeypatch.setenv("P03_API_RATE_PER_MIN", "5")
    assert client.get("/collections").status_code == 401
    codes = [client.get("/collections", headers={"Authorization": f"Bearer {secret}"}).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    assert len(sqlite_demo.audit(action="api_token_use")) == 1
    monkeypatch.setenv("P03_READ_REQUIRES_LOGIN", "false")
    assert client.get("/collections").status_code == 200  # open reads, as the map


def test_admin_page_issues_and_revokes_tokens(sqlite_demo) -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from tests.auth_support import PASSWORDS, ensure_user

    ensure_user(sqlite_demo, "admin")
    ensure_user(sqlite_demo, "viewer")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "pages" / "admin.py"), default_timeout=90)
    at.run()
    at.sidebar.text_input(key="p03_signin_user").input("test-admin")
    at.sidebar.text_input(key="p03_signin_pw").input(PASSWORDS["admin"])
    at.sidebar.button(key="p03_signin_submit").click()
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="p03_token_user").set_value("test-viewer")
    at.text_input(key="p03_token_label").input("QGIS <b>laptop</b>")
    at.button(key="p03_token_issue_submit").click().run()
    assert not at.exception, at.exception
    secret = at.code[0].value
    assert secret.startswith("p03_") and tokens.use_token(sqlite_demo, secret).username == "test-viewer"
    at.button(key="p03_token_revoke").click().run()
    assert not at.exception and at.code == [] or secret not in [c.value for c in at.code]
    with pytest.raises(TokenRefused):
        tokens.use_token(sqlite_demo, secret)
    assert {"api_token_issue", "api_token_revoke"} <= set(sqlite_demo.audit()["action"])


def test_district_map_offers_the_style_beside_the_geopackage(sqlite_demo) -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "pages" / "district_map.py"),
                           default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="dm_fmt").set_value("gpkg").run()
    assert not at.exception, at.exception
    keys = {b.key for b in at.get("download_button")}
    assert {"dm_download", "dm_qml", "dm_sld"} <= keys
