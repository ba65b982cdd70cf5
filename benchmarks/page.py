"""The real page, measured as a person meets it: the app started with ``streamlit run`` on a scratch
store, Debian Chromium (Playwright) navigating to the district map, against a plain
streamlit-folium page (``benchmarks/naive_page.py``) over the same store, in the same run.

Per size (71 = the demo set; else synthetic sites inside Hanoi committed to the scratch store):

- ``page_first_marker_<n>_s``: navigation start to the first marker (or cluster) visible in the
  map (the project's is drawn in the page, the naive page's in streamlit-folium's iframe); ``page_table_<n>_s``: to the site table visible. Both are read in the browser
  (``performance.now()`` from navigation start, sampled every animation frame).
- ``page_filter_<n>_s``: the click on a category in the sidebar's list to the map holding that
  category's sites (a different category each run, so that no run is served from the server's cache).
- ``page_ws_bytes_<n>``: bytes the server sent over the websocket for the first load.
- ``http_reused_connection_ms`` (and ``_naive_ms``): one of Streamlit's script chunks fetched over
  a kept-alive connection, median of 20, on the project's server and the naive page's.
- ``ratio_page_<n>``: naive / project, first marker. ``page_rss_<n>_5_sessions_mb``: the
  Streamlit process's resident memory with five sessions open on the project's page.

Project figures are medians of ``BENCH_PAGE_REPEAT`` (default 3) cold browser contexts after one
warm-up navigation (its first marker printed as ``page_first_marker_<n>_server_cold_s``); the
naive page is measured once per size and not at all above ``NAIVE_MAX`` sites (at 100,000 its
Python popups alone take minutes). Tiles are answered with a blank PNG; every other request that
would leave the machine is aborted. Each first load prints a browser timeline (``BENCH_PAGE_BREAKDOWN=0``
turns it off; ``BENCH_PAGE_ELEMENTS=1`` adds when each kind of Streamlit element first showed).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import blank_tiles, synthetic_sites
from geo import boundaries, settings
from geo import sites as site_ops
from geo.schema import CATEGORIES
from geo.store import open_store

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO = 71
NAIVE_MAX = int(os.environ.get("BENCH_PAGE_NAIVE_MAX", "10000"))
TIMEOUT_MS = int(os.environ.get("BENCH_PAGE_TIMEOUT_S", "300")) * 1000
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"

# Sampled every animation frame in the top document: when a marker first shows in the map (the page's or an iframe's)
# and when the site table first shows (ms since navigation start).
_PROBE = """
(() => {
  if (window.top !== window) return;
  window.__bench = {longtask_ms: 0};
  try {
    new PerformanceObserver(l => { for (const e of l.getEntries()) window.__bench.longtask_ms += e.duration; })
      .observe({type: 'longtask', buffered: true});
  } catch (e) {}
  // when each kind of Streamlit element (data-testid) first enters the top document
  window.__bench.seen = {};
  new MutationObserver(ms => {
    const now = performance.now(), seen = window.__bench.seen;
    for (const m of ms) for (const n of m.addedNodes) {
      if (!n.querySelectorAll) continue;
      for (const el of [n, ...n.querySelectorAll('[data-testid]')]) {
        const id = el.getAttribute && el.getAttribute('data-testid');
        if (id && seen[id] === undefined) seen[id] = now;
      }
    }
  }).observe(document, {childList: true, subtree: true});
  const shown = el => !!el && el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0;
  const tick = () => {
    const b = window.__bench;
    const live = document.querySelector('.p03-live');  // the project's map, drawn in the page
    if (b.marker === undefined && live) {
      if (b.iframe === undefined) b.iframe = performance.now();
      if (b.leaflet === undefined && live.querySelector('.leaflet-container')) b.leaflet = performance.now();
      if (shown(live.querySelector('.leaflet-marker-icon'))) b.marker = performance.now();
    }
    if (b.marker === undefined) {
      for (const f of document.querySelectorAll("iframe[title='streamlit_folium.st_folium']")) {
        let d = null;
        try { d = f.contentDocument; } catch (e) { d = null; }
        if (b.iframe === undefined) b.iframe = performance.now();
        if (d && b.leaflet === undefined && d.querySelector('.leaflet-container')) b.leaflet = performance.now();
        if (d && shown(d.querySelector('.leaflet-marker-icon'))) { b.marker = performance.now(); break; }
      }
    }
    if (b.table === undefined && shown(document.querySelector(TABLE))) b.table = performance.now();
    if (b.app === undefined && document.querySelector("[data-testid='stSidebar']")) b.app = performance.now();
    if (b.marker === undefined || b.table === undefined) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""
_TABLE = {"project": ".st-key-dm_table [data-testid='stDataFrame']",
          "naive": "[data-testid='stDataFrame']"}  # the naive page's only table (no selection: no key class)
# the map in the iframe holds exactly N sites (the project's layer counts them in window.p03)
_MAP_COUNT = {
    "project": "n => { const m = document.querySelector('.p03-live'); return !!m && m.dataset.p03Sites === String(n); }",
    "naive": "n => { const f = document.querySelector(\"" + MAP_IFRAME + "\"); const w = f && f.contentWindow;"
             " if (!w || !w.L || !w.L.MarkerClusterGroup) return false;"
             " for (const k of Object.keys(w)) { const v = w[k];"
             "   if (v instanceof w.L.MarkerClusterGroup) return v.getLayers().length === n; }"
             " return false; }",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``streamlit run script`` on a free 127.0.0.1 port over the scratch ``data_dir``."""

    def __init__(self, script: Path, data_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "P03_DATA_DIR": str(data_dir), "P03_TILES": blank_tiles.tile_url(), "P03_LANG": "vi",
               **(extra_env or {})}
        env.pop("P03_DATABASE_URL", None)
        self.log = (data_dir.parent / f"streamlit-{self.port}.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not start: see {self.log.name}")

    def rss_mb(self) -> float:
        """Resident memory of the Streamlit process (MB)."""
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in text.splitlines() if line.startswith("VmRSS:"))
        return kb / 1024

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def scratch_data(root: Path, n: int, b: boundaries.Boundaries) -> Path:
    """A data dir with the installed boundaries, the OpenStreetMap reference layers (as `make run`
    installs them) and ``n`` sites (the demo set when n == 71)."""
    data = root / f"data-{n}"
    shutil.copytree(settings.boundaries_dir(), data / "boundaries")
    if settings.reference_dir().exists():
        shutil.copytree(settings.reference_dir(), data / "reference")
    store = open_store(url="", folder=data / "projects")
    if n == DEMO:
        site_ops.load_demo(store, REPO / "data" / "demo", actor="bench", b=b)
    else:
        store.commit_batch(synthetic_sites(n, b).drop(columns="batch_id"), actor="bench", kind="bench")
    close = getattr(store, "close", None)
    if close is not None:
        close()
    return data


def naive_script(root: Path) -> Path:
    """benchmarks/naive_page.py in a folder whose ``static/`` is the app's (Leaflet served locally)."""
    folder = root / "naive"
    folder.mkdir(exist_ok=True)
    shutil.copy(REPO / "benchmarks" / "naive_page.py", folder / "naive_page.py")
    if not (folder / "static").exists():
        (folder / "static").symlink_to(REPO / "static", target_is_directory=True)
    return folder / "naive_page.py"


def new_page(browser: Any, kind: str) -> Any:
    """A fresh context (cold cache) whose only outside world is the blank-tile server (nothing is
    intercepted: Playwright's routing would add a trip through this process to every request)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(_PROBE.replace("TABLE", repr(_TABLE[kind])))

    page = context.new_page()
    page.bench_ws_bytes = 0

    def on_ws(ws: Any) -> None:
        def got(payload: Any) -> None:
            page.bench_ws_bytes += len(payload)
        ws.on("framereceived", got)

    page.on("websocket", on_ws)
    return page


def choose_category(page: Any, label: str) -> Any:
    """Open the sidebar's category multiselect and type ``label`` (project and naive alike); return
    the option to click (the filter's time starts at that click)."""
    box = page.locator("[data-testid='stSidebar']").get_by_label("Loại công trình").first
    box.click()
    page.keyboard.type(label)
    option = page.get_by_role("option", name=label, exact=True).first
    option.wait_for(timeout=TIMEOUT_MS)
    return option


def one_run(browser: Any, url: str, kind: str, category: tuple[str, str, int] | None) -> dict[str, float]:
    """Cold navigation: first marker, table, websocket bytes; then a category filter."""
    page = new_page(browser, kind)
    try:
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        page.wait_for_function("() => window.__bench && window.__bench.marker !== undefined"
                               " && window.__bench.table !== undefined", timeout=TIMEOUT_MS, polling=100)
        got = page.evaluate("() => window.__bench")
        out = {"marker": got["marker"] / 1000, "table": got["table"] / 1000}
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        if os.environ.get("BENCH_PAGE_BREAKDOWN", "1") != "0":
            print(f"# {kind} {url.split('/')[-1] or '/'}: {breakdown(page, got)}", flush=True)
        out["ws_bytes"] = float(page.bench_ws_bytes)
        if category is not None:
            _code, label, expected = category
            option = choose_category(page, label)
            t0 = time.perf_counter()
            option.click()
            page.wait_for_function(_MAP_COUNT[kind], arg=expected, timeout=TIMEOUT_MS, polling="raf")
            out["filter"] = time.perf_counter() - t0
        return out
    finally:
        page.context.close()


_TIMELINE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const f = document.querySelector("MAP_IFRAME");
  let assets = null, script = null;
  if (f && f.contentWindow) {
    const w = f.contentWindow, shift = w.performance.timeOrigin - performance.timeOrigin;
    const res = w.performance.getEntriesByType('resource').filter(e => /vendor|leaflet|jquery|cluster/.test(e.name));
    if (res.length) assets = shift + Math.max(...res.map(e => e.responseEnd));
    const n = w.performance.getEntriesByType('navigation')[0];
    if (n) script = shift + n.domContentLoadedEventEnd;
  }
  return {dcl: nav.domContentLoadedEventEnd, assets, script,
          js_bytes: performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'))
                      .reduce((a, e) => a + (e.encodedBodySize || 0), 0)};
}""".replace("MAP_IFRAME", MAP_IFRAME)


def breakdown(page: Any, got: dict[str, float]) -> str:
    """Where the first load's time went, in the browser (seconds from navigation start)."""
    t = page.evaluate(_TIMELINE)
    parts = [("top document loaded", t.get("dcl")), ("sidebar drawn", got.get("app")),
             ("map iframe created", got.get("iframe")), ("iframe document loaded", t.get("script")),
             ("Leaflet assets loaded", t.get("assets")), ("Leaflet map created", got.get("leaflet")),
             ("first marker", got.get("marker")), ("table", got.get("table"))]
    text = ", ".join(f"{name} {ms / 1000:.2f}" for name, ms in parts if ms is not None)
    text = f"{text}; long tasks in the top frame {got.get('longtask_ms', 0) / 1000:.2f} s"
    if os.environ.get("BENCH_PAGE_ELEMENTS", "0") != "0":  # when each kind of element first showed
        seen = sorted((ms, kind) for kind, ms in (got.get("seen") or {}).items())
        text += "\n#   elements first seen: " + ", ".join(f"{kind} {ms / 1000:.2f}" for ms, kind in seen)
    return text


def median_runs(browser: Any, urls: dict[str, str], counts: dict[str, int], repeat: int) -> dict[str, dict[str, float]]:
    """Per kind ("project", "naive") of page at its URL, the median figures of ``repeat`` cold loads,
    the kinds taking turns (a machine that slows down for a while slows both alike)."""
    cats = [(c.code, c.label("vi"), counts.get(c.code, 0)) for c in CATEGORIES if counts.get(c.code)]
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in urls}
    for i in range(repeat):
        for kind, url in urls.items():
            runs[kind].append(one_run(browser, url, kind, cats[i % len(cats)]))
    return {kind: {k: statistics.median(r[k] for r in got) for k in got[0]} for kind, got in runs.items()}


def bench_pages(add: Callable[[str, float], None], sizes: list[int], repeat: int = 3) -> None:
    """Print the real-page figures for each size (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    b = boundaries.get()
    with tempfile.TemporaryDirectory(prefix="p03-page-bench-") as tmp, sync_playwright() as p:
        root = Path(tmp)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in sizes:
            data = scratch_data(root, n, b)
            counts = open_store(url="", folder=data / "projects").query_sites()["category"].value_counts().to_dict()
            bench_size(add, browser, root, data, n, counts, repeat)
        browser.close()


def bench_size(add: Callable[[str, float], None], browser: Any, root: Path, data: Path, n: int,
               counts: dict[str, int], repeat: int) -> None:
    """One size's figures: the project's page and (up to NAIVE_MAX sites) the naive one. At the demo
    size both are loaded ``repeat`` times in turns, each server warmed by one load first; above it the
    naive page is loaded once, after the project's runs."""
    server = Server(REPO / "app.py", data)
    naive = Server(naive_script(root), data, {"PYTHONPATH": str(REPO)}) if n == DEMO <= NAIVE_MAX else None
    try:
        url = server.url + "/district_map"
        cold = one_run(browser, url, "project", None)
        add(f"page_first_marker_{n}_server_cold_s", cold["marker"])
        urls = {"project": url}
        if naive is not None:
            add("http_reused_connection_ms", reused_connection_ms(server))
            add("http_reused_connection_naive_ms", reused_connection_ms(naive))
            one_run(browser, naive.url, "naive", None)
            urls["naive"] = naive.url
        both = median_runs(browser, urls, counts, repeat)
        proj = both["project"]
        add(f"page_first_marker_{n}_s", proj["marker"])
        add(f"page_table_{n}_s", proj["table"])
        add(f"page_filter_{n}_s", proj["filter"])
        add(f"page_ws_bytes_{n}", proj["ws_bytes"])
        if n >= 100_000:
            add(f"page_rss_{n}_5_sessions_mb", sessions_rss(browser, server, url, 5))
    finally:
        server.stop()
        if naive is not None:
            naive.stop()
    if n > NAIVE_MAX:
        print(f"# naive page at {n:,} sites skipped: its folium Markers and Popups take minutes to build "
              f"and paint (55-64 s at 10,000 already); no ratio_page_{n}", flush=True)
        return
    got = both.get("naive") or naive_once(browser, root, data, n, counts)
    add(f"page_first_marker_naive_{n}_s", got["marker"])
    add(f"page_table_naive_{n}_s", got["table"])
    add(f"page_filter_naive_{n}_s", got["filter"])
    add(f"page_ws_bytes_naive_{n}", got["ws_bytes"])
    add(f"ratio_page_{n}", got["marker"] / proj["marker"])
    add(f"ratio_page_filter_{n}", got["filter"] / proj["filter"])


def naive_once(browser: Any, root: Path, data: Path, n: int, counts: dict[str, int]) -> dict[str, float]:
    """The naive page's figures from one load (or the time-out, when it does not finish)."""
    naive = Server(naive_script(root), data, {"PYTHONPATH": str(REPO)})
    try:
        return median_runs(browser, {"naive": naive.url}, counts, 1)["naive"]
    except Exception as exc:  # noqa: BLE001 (a naive page too slow to finish is a result too)
        print(f"# naive page at {n:,} sites did not finish within {TIMEOUT_MS / 1000:.0f} s "
              f"({type(exc).__name__}); its figures below are that bound, the ratio a lower bound", flush=True)
        return {"marker": TIMEOUT_MS / 1000, "table": TIMEOUT_MS / 1000, "filter": TIMEOUT_MS / 1000, "ws_bytes": 0.0}
    finally:
        naive.stop()


def reused_connection_ms(server: Server, requests: int = 20) -> float:
    """Median milliseconds for one of Streamlit's script chunks fetched again and again over one
    kept-alive connection, as a browser fetches the page's 60-odd chunks over six (Nagle's
    algorithm left on costs each answer the client's 40 ms delayed ACK: pages.ui.nodelay)."""
    import http.client
    import re

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/")
        chunk = re.findall(r'src="\.?/?(static/js/[^"]+)"', conn.getresponse().read().decode())[0]
        took = []
        for _ in range(requests):
            start = time.perf_counter()
            conn.request("GET", "/" + chunk)
            conn.getresponse().read()
            took.append((time.perf_counter() - start) * 1000)
        return statistics.median(took)
    finally:
        conn.close()


def sessions_rss(browser: Any, server: Server, url: str, sessions: int) -> float:
    """The server's RSS (MB) with ``sessions`` pages open on ``url``, each showing its map."""
    pages = [new_page(browser, "project") for _ in range(sessions)]
    try:
        for page in pages:
            page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        for page in pages:
            page.wait_for_function("() => window.__bench && window.__bench.marker !== undefined"
                                   " && window.__bench.table !== undefined", timeout=TIMEOUT_MS, polling=200)
        return server.rss_mb()
    finally:
        for page in pages:
            page.context.close()


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_PAGE_SIZES", f"{DEMO},10000,100000").split(",") if s.strip()]

    def add(name: str, value: float) -> None:
        print(f"BENCH {name} {value:.4f}" if not float(value).is_integer() else f"BENCH {name} {int(value)}",
              flush=True)

    bench_pages(add, sizes, int(os.environ.get("BENCH_PAGE_REPEAT", "3")))


if __name__ == "__main__":
    main()
