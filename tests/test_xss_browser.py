"""Hostile text in real Chromium: 32 sites whose names, notes and responsible units carry HTML/JS
payloads (tests/data/xss/hostile_sites.geojson) are committed through the upload pipeline by an
editor, then shown on the district map. Every tooltip and popup is opened through Leaflet;
no dialog may open, no payload may run (``window.__pwned`` stays undefined in every frame), no
``javascript:`` URL may reach the DOM, nothing may be fetched from outside, and each text must
show literally (tooltip/popup text equals the payload character for character)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo import auth, boundaries, ingest, visits
from geo.indicators import edits as ind_edits
from geo.indicators import registry as ind_registry
from geo.store import open_store
from tests.browser_support import (  # noqa: F401
    AppServer,
    browser,
    in_map,
    make_data_dir,
    map_frame,
    map_holds,
    new_page,
    out_dir,
    settled,
    sign_in,
    stable_box,
)

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


#: the uploaded file's own name is hostile too (no "/": browsers keep only the last path part)
FILE_NAME = "[bấm](javascript:window.__pwned=98) <img src=x onerror=window.__pwned=99> **đậm**.geojson"


def _traces(page) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in page.frames:
        try:
            out[f.url] = f.evaluate(TRACES)
        except Exception as exc:  # a frame that went away
            out[f.url] = str(exc)
    return out


def _assert_clean(page, dialogs: list[str]) -> None:
    assert dialogs == [], dialogs
    for url, tr in _traces(page).items():
        assert isinstance(tr, dict) and tr == {"pwned": "undefined", "jsUrls": 0, "handlers": 0, "imgX": 0,
                                               "scripts": 0}, (url, tr)
    assert page.p03_external == [], page.p03_external  # e.g. a Markdown image beacon


def _watch(page) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory, boundaries_dir, browser):
    """The app over a store that holds only the hostile corpus, uploaded by an editor through the
    Upload page (signed in with the sidebar form). Also a plan and an indicator definition whose
    texts are payloads. ``upload_report`` says what the upload page showed."""
    data = make_data_dir(tmp_path_factory.mktemp("xss"), boundaries_dir, demo=False)
    store = open_store(url="", folder=data / "projects")
    auth.add_user(store, "root", "root-pass-123", "admin", actor="test", bootstrap=True)
    auth.add_user(store, "lan", "lan-pass-1234", "editor", user=auth.User("root", "admin"))
    plan = visits.new_plan(name=PROPS["xss-09"]["name"], participants=[PROPS["xss-02"]["name"]],
                           stop_ids=["xss-01", "xss-02", "xss-13", "xss-24"])
    plan_id = store.save_plan(plan.to_dict(), actor="lan")
    d = ind_registry.get_indicator(store, "CT08").to_dict()
    d.update(title={"vi": PROPS["xss-24"]["name"], "en": PROPS["xss-05"]["name"]},
             department={"vi": PROPS["xss-02"]["name"], "en": PROPS["xss-03"]["name"]},
             unit={"vi": PROPS["xss-20"]["name"], "en": "x"})
    ind_edits.save_definition(store, d, user=auth.User("lan", "editor"))
    server = AppServer(data)
    server.plan_id = plan_id
    page = new_page(browser)
    dialogs = _watch(page)
    try:
        page.goto(server.url + "/upload")
        side = page.locator("[data-testid='stSidebar']")
        sign_in(page, "lan", "lan-pass-1234")
        side.get_by_text("Biên tập viên").wait_for(timeout=60_000)
        page.locator("input[type=file]").set_input_files(
            {"name": FILE_NAME, "mimeType": "application/geo+json", "buffer": CORPUS.read_bytes()})
        commit = page.get_by_role("button", name=f"Lưu {len(FEATURES)} đối tượng hợp lệ")
        commit.wait_for(timeout=120_000)
        settled(page)  # the preview drawn, its images loaded or failed (the preview map, returned_objects=[],
        # sends nothing back: streamlit-folium sends only a value that differs from its default)
        page.screenshot(path=str(Path(str(data)) / "upload.png"), full_page=True)
        report = {"literal_name": page.get_by_text(FILE_NAME, exact=False).count(),
                  "traces": _traces(page), "dialogs": list(dialogs), "external": list(page.p03_external)}
        commit.click()
        page.get_by_text(f"Đã lưu {len(FEATURES)} công trình").wait_for(timeout=60_000)
        report["dialogs_after"] = list(dialogs)
    finally:
        page.context.close()
    server.upload_report = report
    yield server
    server.stop()


def test_upload_page_shows_a_hostile_file_name_literally(hostile_app):
    report = hostile_app.upload_report
    assert report["dialogs"] == [] and report["dialogs_after"] == [], report
    assert report["external"] == [], report
    for url, tr in report["traces"].items():
        assert tr == {"pwned": "undefined", "jsUrls": 0, "handlers": 0, "imgX": 0, "scripts": 0}, (url, tr)
    assert report["literal_name"] >= 1  # "[bấm](javascript:…) <img …> **đậm**.geojson" as typed


def test_hostile_text_never_runs_and_shows_literally(hostile_app, browser, request):
    assert len({f["properties"]["name"] for f in FEATURES}) >= 20  # distinct payloads
    page = new_page(browser)
    dialogs = _watch(page)
    try:
        page.goto(hostile_app.url + "/district_map?district=002")
        page.get_by_text("32 công trình trong Quận Hoàn Kiếm").first.wait_for(timeout=60_000)
        frame = map_frame(page)
        frame.locator(".p03-pin, .marker-cluster").first.wait_for(timeout=30_000)
        map_holds(page, len(FEATURES))  # the kept map takes the run's sites a moment after the caption
        shown = in_map(frame, OPEN_ALL)
        settled(page)  # any late handler (image errors, focus) has had its turn
        page.screenshot(path=str(out_dir(request) / "hostile_hoan_kiem.png"), full_page=True)
        _assert_clean(page, dialogs)
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


@pytest.mark.parametrize("path,ready", [
    ("/", "Bản đồ Chương trình 03"),
    ("/indicators", "Chỉ tiêu Chương trình 03"),
    ("/indicators?section=units", "Chỉ tiêu Chương trình 03"),
    ("/field_visit?plan={plan}", "Đi kiểm tra thực địa"),
    ("/upload", "Tải lên"),
])
def test_hostile_text_on_other_pages(hostile_app, browser, request, path, ready):
    """A plan named with payloads, an indicator whose title, department and unit are payloads, and
    the hostile sites: on the home page, the indicators' cards and map, the field visit page and the
    uploads list."""
    page = new_page(browser)
    dialogs = _watch(page)
    try:
        page.goto(hostile_app.url + path.format(plan=hostile_app.plan_id))
        page.get_by_role("heading", name=ready).first.wait_for(timeout=60_000)
        settled(page)  # maps drawn; late handlers (image errors, focus) have had their turn
        page.screenshot(path=str(out_dir(request) / "page.png"), full_page=True)
        _assert_clean(page, dialogs)
        if path == "/indicators":
            page.get_by_text(PROPS["xss-24"]["name"]).first.wait_for(timeout=10_000)  # the title, literally
    finally:
        page.context.close()


def test_hostile_text_in_site_editing_and_history(hostile_app, browser, request):
    """An editor draws a site named with a payload, gives a payload as the reason, then edits its
    notes to another payload: the edit form, the "moved to" line, the history (who, reason, old ->
    new) and the details show each text literally; nothing runs, nothing is fetched."""
    name, reason, notes = PROPS["xss-01"]["name"], PROPS["xss-02"]["name"], PROPS["xss-03"]["name"]
    page = new_page(browser)
    dialogs = _watch(page)
    try:
        page.goto(hostile_app.url + "/district_map?district=002")
        sign_in(page, "lan", "lan-pass-1234")
        page.get_by_text(re.compile(r"Vẽ công trình mới$")).click()
        sel = "iframe[title='streamlit_folium.st_folium']"
        page.locator(sel).nth(0).wait_for(timeout=60_000)
        edit = page.frame_locator(sel).nth(0)
        edit.locator(".leaflet-pm-icon-marker").click()
        settled(page)  # the run that opened the editor is over: the page around the edit map stops moving
        page.locator(sel).nth(0).scroll_into_view_if_needed()
        box = stable_box(page, page.locator(sel).nth(0))
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.get_by_text("Vị trí mới nằm ở").wait_for(timeout=30_000)
        form = page.locator("[data-testid='stForm']").first
        form.get_by_label("Tên", exact=True).fill(name)
        form.get_by_label("Loại công trình").click()
        page.keyboard.type("Chợ")
        page.get_by_role("option", name="Chợ").first.wait_for(timeout=30_000)
        page.keyboard.press("Enter")
        form.get_by_label("Lý do thay đổi").fill(reason)
        page.get_by_role("button", name="Tạo công trình").click()
        page.get_by_text("Đã tạo công trình").wait_for(timeout=60_000)
        # the new site's details are open: edit its notes, then read its history
        page.get_by_text(re.compile(r"Sửa công trình$")).click()
        edit_form = page.locator("[data-testid='stForm']").filter(
            has=page.get_by_role("button", name="Lưu thay đổi"))
        edit_form.get_by_label("Ghi chú").wait_for(timeout=60_000)
        assert edit_form.get_by_label("Tên", exact=True).input_value() == name  # the form holds it as text
        edit_form.get_by_label("Ghi chú").fill(notes)
        edit_form.get_by_role("textbox", name="Lý do thay đổi").fill(reason)
        page.get_by_role("button", name="Lưu thay đổi").click()
        page.get_by_text("Đã lưu phiên bản 2").wait_for(timeout=60_000)
        page.get_by_text(re.compile(r"Lịch sử thay đổi$")).click()
        page.get_by_text("Phiên bản 2").first.wait_for(timeout=60_000)
        caption = page.locator("[data-testid='stCaptionContainer']").filter(has_text=reason).first
        caption.wait_for(timeout=30_000)
        assert caption.inner_text().strip() == reason  # the reason, literally
        settled(page)  # late handlers (image errors, focus) have had their turn
        page.screenshot(path=str(out_dir(request) / "history.png"), full_page=True)
        _assert_clean(page, dialogs)
        cells = page.locator("[data-testid='stDataFrame'] td").evaluate_all("els => els.map(e => e.textContent)")
        assert notes in cells and name in cells, cells  # old -> new cells and details, character for character
    finally:
        page.context.close()


def test_api_html_pages_show_hostile_names_literally(hostile_app, browser) -> None:
    """The OGC API's HTML pages (pygeoapi templates, geo/api/templates) over the hostile corpus:
    nothing runs, nothing is fetched from outside (no CDN), every name shows literally."""
    from tests.api_support import start_api

    with start_api({"P03_DATA_DIR": str(hostile_app.data_dir), "P03_DATABASE_URL": ""}) as url:
        page = new_page(browser)
        dialogs = _watch(page)
        try:
            page.goto(url + "/collections/sites/items?f=html&limit=100")
            page.locator("table").wait_for(timeout=60_000)
            _assert_clean(page, dialogs)
            for site_id, props in PROPS.items():
                page.goto(f"{url}/collections/sites/items/{site_id}?f=html")
                page.locator("main").wait_for(timeout=60_000)
                shown = " ".join(page.locator("main").inner_text().split())
                assert " ".join(str(props["name"]).split()) in shown, site_id
                _assert_clean(page, dialogs)
        finally:
            page.context.close()


#: field inspections (issue 12): findings, inspectors and a photo caption typed as payloads
INSP_FINDINGS = "<img src=x onerror=window.__pwned=41> [bấm](javascript:window.__pwned=42) **đậm** <script>window.__pwned=43</script>"
INSP_CAPTION = "![beacon](http://evil.p03.test/b.png) <svg onload=window.__pwned=44> `mã`"
INSP_PERSON = "<b onmouseover=window.__pwned=45>Minh</b> [x](javascript:window.__pwned=46)"


def test_hostile_inspection_text_shows_literally(hostile_app, browser, request):
    """An inspection whose findings, inspector and photo caption are payloads, in the site's details
    on the district map: shown as typed, nothing runs, nothing is fetched."""
    from geo import inspections as insp_ops
    from geo import photos
    from geo.store.base import SiteFilter
    from tests.photo_support import make_photo

    store = open_store(url="", folder=hostile_app.data_dir / "projects")
    sites = store.query_sites()
    site = next(r for r in sites.itertuples() if len(store.query_sites(SiteFilter(text=r.name))) == 1)
    photo = photos.prepare(make_photo(), "<img src=x onerror=window.__pwned=47>.jpg", INSP_CAPTION)
    insp_ops.record(store, insp_ops.Draft(site_id=site.id, findings=INSP_FINDINGS, inspectors=[INSP_PERSON],
                                          assessment="problem", photos=[photo]), auth.User("lan", "editor"))
    page = new_page(browser)
    dialogs = _watch(page)
    try:
        from urllib.parse import quote

        page.goto(hostile_app.url + "/district_map?q=" + quote(site.name))
        page.get_by_text("Kết quả kiểm tra thực địa").first.wait_for(timeout=90_000)
        page.get_by_text(INSP_FINDINGS, exact=False).first.wait_for(timeout=30_000)  # literally
        page.get_by_text(INSP_CAPTION, exact=False).first.wait_for(timeout=30_000)
        assert page.get_by_text("Minh</b> [x](javascript:", exact=False).count() >= 1
        settled(page)  # late handlers, image beacons
        page.screenshot(path=str(out_dir(request) / "inspection.png"), full_page=True)
        ignore = [u for u in page.p03_external if "/materialsymbolsrounded/" in u]  # the page icon (not ours)
        for u in ignore:
            page.p03_external.remove(u)
        _assert_clean(page, dialogs)
    finally:
        page.context.close()
