"""Hostile text in the files people download: the 32 payloads of tests/data/xss/ stored through
the upload pipeline, then exported. Text must come back exactly, spreadsheets must hold no live
formula, XML must stay well-formed text, the print brief must stay script-free."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import defusedxml.ElementTree as DET
import openpyxl
import pytest

from geo import auth, ingest, visits
from geo import sites as site_ops
from geo.visits import brief

CORPUS = Path(__file__).resolve().parent / "data" / "xss" / "hostile_sites.geojson"
PROPS = {f["properties"]["id"]: f["properties"]
         for f in json.loads(CORPUS.read_text(encoding="utf-8"))["features"]}
FORMULA = ("=", "+", "-", "@")


@pytest.fixture()
def hostile(store, bounds):
    result = ingest.check(CORPUS.read_bytes(), CORPUS.name, store=store, b=bounds)
    assert result.all_valid
    ingest.commit(result, store, auth.User("lan", "editor"))
    return store.query_sites()


def test_geojson_export_keeps_text_exactly(hostile):
    doc = json.loads(site_ops.export(hostile, "geojson"))
    got = {f["properties"]["id"]: f["properties"] for f in doc["features"]}
    for sid, props in PROPS.items():
        for key in ("name", "notes", "responsible_unit"):
            assert got[sid][key] == props[key]


def test_csv_and_xlsx_hold_no_live_formula(hostile):
    evil = hostile.copy()
    evil.loc[evil.index[0], "name"] = '=HYPERLINK("http://evil.p03.test","Chợ")'
    evil.loc[evil.index[1], "notes"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    evil.loc[evil.index[2], "responsible_unit"] = "+1+1"
    rows = list(csv.DictReader(io.StringIO(site_ops.export(evil, "csv").decode("utf-8-sig"))))
    assert len(rows) == len(PROPS)
    for row in rows:
        for key in ("name", "notes", "responsible_unit"):
            assert not row[key].startswith(FORMULA), row[key]
    assert rows[0]["name"] == "'" + '=HYPERLINK("http://evil.p03.test","Chợ")'
    assert any(r["name"] == PROPS["xss-05"]["name"] for r in rows)  # other text unchanged
    wb = openpyxl.load_workbook(io.BytesIO(site_ops.export(evil, "xlsx")))
    cells = [c for row in wb["sites"].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {c.value for c in cells} >= {PROPS["xss-01"]["name"], PROPS["xss-17"]["name"]}


def test_kml_export_is_well_formed_and_literal(hostile):
    root = DET.fromstring(site_ops.export(hostile, "kml"))
    names = {el.text for el in root.iter() if el.tag.endswith("}name") or el.tag == "name"}
    assert {PROPS[s]["name"] for s in ("xss-01", "xss-09", "xss-29")} <= names


def test_visit_files_and_brief_with_hostile_sites(hostile, bounds):
    ids = [s for s in PROPS if PROPS[s]["name"].startswith("<")][:6]
    plan = visits.new_plan(name=PROPS["xss-09"]["name"], participants=[PROPS["xss-02"]["name"]], stop_ids=ids)
    route = visits.compute_route(plan, hostile)
    for text in (visits.to_gpx(route), visits.to_kml(route)):
        root = DET.fromstring(text.encode("utf-8"))
        got = [el.text for el in root.iter() if el.text]
        assert any(t.endswith(PROPS[ids[0]]["name"]) for t in got)  # "1. <name>"
    doc = brief.brief_html(route, hostile, bounds, plan_id="p-x")
    assert "<script" not in doc.lower().replace("&lt;script", "")

    class Tags(HTMLParser):
        bad: list[str] = []
        text = ""

        def handle_starttag(self, tag, attrs):
            refresh = tag == "meta" and ("http-equiv", "refresh") in attrs
            handler = any(k.startswith("on") for k, _ in attrs)
            if tag in ("script", "iframe", "object", "svg", "math", "base") or refresh or handler:
                Tags.bad.append(tag)

        def handle_data(self, data):
            Tags.text += data

    Tags().feed(doc)
    assert Tags.bad == []
    for sid in ids:
        assert PROPS[sid]["name"] in Tags.text
