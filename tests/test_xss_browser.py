"""Hostile text in real Chromium: 32 sites whose names, notes and responsible units carry HTML/JS
payloads (tests/data/xss/hostile_sites.geojson) are committed through the upload pipeline by an
editor, then shown on the district map. Every tooltip and popup is opened through Leaflet;
no dialog may open, no payload may run (``window.__pwned`` stays undefined in every frame), no
``javascript:`` URL may reach the DOM, nothing may be fetched from outside, and each text must
show literally (tooltip/popup text equals the payload character for character)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import auth, boundaries, ingest
from geo.store import open_store
from tests.browser_support import AppServer, browser, make_data_dir, map_frame, new_page, out_dir  # noqa: F401

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parent / "data" / "xss" / "hostile_sites.geojson"
FEATURES = json.loads(CORPUS.read_text(encoding="utf-8"))["features"]
PROPS = {f["properties"]["id"]: f["properties"] for f in FEATURES}

# Opens the tooltip and the popup of every site as a person would (clusters are opened first, a
# real DOM mouseover on each pin binds and opens its tooltip) and returns what the browser shows:
# the tooltip's bold name and the popup's title and table cells.
OPEN_ALL = """
async () => {
  const p = window.p03, out = [];
  const read = (layer, at) => {
    if (at) { layer.openTooltip(at); layer.openPopup(at); } else { layer.openTooltip(); layer.openPopup(); }
    const tip = layer.getTooltip().getElement(), pop = layer.getPopup().getElement();
    const cells = {};
    pop.querySelectorAll("tr").forEach(tr => {
      cells[tr.querySelector("th")?.textContent] = tr.querySelector("td")?.textContent; });
    const small = tip.querySelector("small")?.textContent || "";
    out.push({tip: tip.querySelector("b")?.textContent, id: small.slice(small.lastIndexOf("#") + 1),
              title: pop.querySelector("h4")?.textContent, cells: cells,
              tipTags: tip.querySelectorAll("*").length, rows: pop.querySelectorAll("tr").length,
              popTags: pop.querySelector(".p03-popup")?.querySelectorAll("*").length});
    layer.closePopup(); layer.closeTooltip();
  };
  for (const m of p.points.getLayers()) {
    await new Promise(resolve => p.points.zoomToShowLayer(m, resolve));
    m.getElement().dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
    read(m);
  }
  p.shapes.eachLayer(l => read(l, l.getBounds().getCenter()));
  return out;
}
"""

# In one frame: payload traces that must not exist.
TRACES = """
() => ({
  pwned: typeof window.__pwned,
  jsUrls: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i], [data^="javascript:" i],'
    + ' [formaction], [action^="javascript:" i], iframe[srcdoc], base[href], meta[http-equiv="refresh" i]').length,
  handlers: Array.from(document.querySelectorAll("*")).filter(e => Array.from(e.attributes).some(
    a => /^on/i.test(a.name) && /__pwned/.test(a.value))).length,
  imgX: Array.from(document.images).filter(i => i.getAttribute("src") === "x").length,
  // a script made from a payload, or the map's data script with a payload not escaped (\\u003c)
  scripts: Array.from(document.scripts).filter(s => /^\\s*(window|parent)\\.__pwned|<[^>]*__pwned/.test(s.textContent)).length,
})
"""


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory, boundaries_dir):
    """The app over a store holding only the hostile corpus, committed by an editor through the
    same pipeline the upload page and the CLI use."""
    data = make_data_dir(tmp_path_factory.mktemp("xss"), boundaries_dir, demo=False)
    store = open_store(url="", folder=data / "projects")
    auth.add_user(store, "root", "root-pass-123", "admin", actor="test", bootstrap=True)
    auth.add_user(store, "lan", "lan-pass-1234", "editor", actor="root")
    editor = auth.authenticate(store, "lan", "lan-pass-1234")
    result = ingest.check(CORPUS.read_bytes(), CORPUS.name, store=store, b=boundaries.get(data / "boundaries"))
    assert result.all_valid, result.table("en")
    ingest.commit(result, store, editor.username)
    server = AppServer(data)
    yield server
    server.stop()


def test_hostile_text_never_runs_and_shows_literally(hostile_app, browser, request):
    assert len({f["properties"]["name"] for f in FEATURES}) >= 20  # distinct payloads
    page = new_page(browser)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(hostile_app.url + "/district_map?district=002")
        page.get_by_text("32 công trình trong Quận Hoàn Kiếm").first.wait_for(timeout=60_000)
        frame = map_frame(page)
        frame.locator(".p03-pin, .marker-cluster").first.wait_for(timeout=30_000)
        assert frame.locator("body").evaluate("() => window.p03.count") == len(FEATURES)
        shown = frame.locator("body").evaluate(OPEN_ALL)
        page.wait_for_timeout(1500)  # let any late handler (image errors, focus) fire
        page.screenshot(path=str(out_dir(request) / "hostile_hoan_kiem.png"), full_page=True)
        traces = {}
        for f in page.frames:
            try:
                traces[f.url] = f.evaluate(TRACES)
            except Exception as exc:  # a frame that went away
                traces[f.url] = str(exc)
        assert dialogs == [], dialogs
        for url, tr in traces.items():
            assert isinstance(tr, dict) and tr == {"pwned": "undefined", "jsUrls": 0, "handlers": 0, "imgX": 0,
                                                   "scripts": 0}, (url, tr)
        assert page.p03_external == [], page.p03_external  # e.g. the Markdown image beacon
        assert sorted(s["id"] for s in shown) == sorted(PROPS)
        for s in shown:
            props = PROPS[s["id"]]
            assert s["tip"] == props["name"], s
            assert s["title"] == props["name"], s
            assert s["cells"]["Ghi chú"] == props["notes"], s
            assert s["cells"]["Đơn vị chịu trách nhiệm"] == props["responsible_unit"], s
            # no element made from the text: <b><br><small>; <h4><table><tbody> and <tr><th><td> per row
            assert s["tipTags"] == 3 and s["popTags"] == 3 + 3 * s["rows"], s
    finally:
        page.context.close()
