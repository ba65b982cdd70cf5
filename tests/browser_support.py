"""Browser-test support: start the real app (Streamlit) on a free port and drive Debian's
chromium through Playwright. Only the world outside is mocked: basemap tiles are answered with
a blank PNG, and every other non-local request is aborted and recorded (the app must need none).

Use the fixtures ``app_server`` (a running app over a data dir holding the real boundaries and
the demo sites) and ``browser_page`` (a fresh page; ``page.p03_external`` lists blocked requests,
``page.p03_console_errors`` console errors).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks import blank_tiles
from geo import boundaries
from geo import sites as site_ops
from geo.store import open_store

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """A running ``streamlit run app.py`` over ``data_dir``."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, "P03_DATA_DIR": str(data_dir), "P03_TILES": blank_tiles.tile_url(),
                    "P03_LANG": "vi", **(env or {})}
        full_env.pop("P03_DATABASE_URL", None) if "P03_DATABASE_URL" not in (env or {}) else None
        self.log = (data_dir.parent / f"streamlit-{self.port}.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=REPO, env=full_env, stdout=self.log, stderr=subprocess.STDOUT)
        atexit.register(self.stop)  # also when a fixture fails after starting it (no orphan server)
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not start in time")

    def stop(self) -> None:
        """Stop the server (again: nothing to do)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if not self.log.closed:
            self.log.close()


def make_data_dir(root: Path, boundaries_dir: Path, demo: bool = True) -> Path:
    """A data dir with the real boundaries and (optionally) the demo sites."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "boundaries").exists():
        shutil.copytree(boundaries_dir, data / "boundaries")
    if demo:
        store = open_store(url="", folder=data / "projects")
        site_ops.load_demo(store, REPO / "data" / "demo", actor="test", b=boundaries.get(data / "boundaries"))
    return data


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path) -> Iterator[AppServer]:
    data = make_data_dir(tmp_path_factory.mktemp("app"), boundaries_dir)
    server = AppServer(data)
    yield server
    server.stop()


_PLAYWRIGHT: dict[str, object] = {}


def shared_browser() -> object:
    """One Chromium for the whole test process, however many test modules import the fixture
    (each import defines its own session fixture; Playwright's sync API may start only once)."""
    if "browser" not in _PLAYWRIGHT:
        if not Path(CHROMIUM).exists():
            pytest.fail("Debian chromium is missing: run `make test` (scripts/system-deps.sh installs it)")
        from playwright.sync_api import sync_playwright

        manager = sync_playwright()
        playwright = manager.start()
        _PLAYWRIGHT["manager"] = manager
        _PLAYWRIGHT["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        atexit.register(_close_browser)
    return _PLAYWRIGHT["browser"]


def _close_browser() -> None:
    browser = _PLAYWRIGHT.pop("browser", None)
    manager = _PLAYWRIGHT.pop("manager", None)
    try:
        if browser is not None:
            browser.close()  # type: ignore[attr-defined]
        if manager is not None:
            manager.stop()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001,S110 (the process is ending)
        pass


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    yield shared_browser()


def new_page(browser: object, width: int = 1400, height: int = 900, **kwargs: object) -> object:
    """A page whose only outside world is the blank-tile server (benchmarks.blank_tiles)."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True,  # type: ignore[attr-defined]
                                  **kwargs)
    page = context.new_page()
    page.p03_external = []
    page.p03_console_errors = []

    # every request is seen, none intercepted (interception would turn Chromium's cache off and
    # send each request through this process); the tiles come from the local blank-tile server
    context.on("request", lambda r: None if blank_tiles.is_local(r.url) else page.p03_external.append(r.url))
    def console(m: object) -> None:
        # every one counts, a 404 from Streamlit probing <page>/_stcore/health too (pages.ui.page_html
        # tells it where the server is)
        url = (m.location or {}).get("url", "")  # type: ignore[attr-defined]
        if m.type == "error":  # type: ignore[attr-defined]
            page.p03_console_errors.append(f"{m.text} ({url})")  # type: ignore[attr-defined]

    page.on("console", console)
    page.on("pageerror", lambda e: page.p03_console_errors.append(str(e)))
    return page


@pytest.fixture()
def browser_page(browser: object) -> Iterator[object]:
    page = new_page(browser)
    yield page
    page.context.close()  # type: ignore[attr-defined]


FOLIUM_IFRAME = "iframe[title='streamlit_folium.st_folium']"


# the district map, drawn in the page itself (pages/ui/live_map.py); data-p03-sites: the sites it holds
LIVE_MAP = ".p03-live"


def map_frame(page: object, timeout: float = 30_000) -> object:
    """The page's first map, once Leaflet has drawn it: the district map drawn in the page (a locator
    of its element) or a streamlit-folium iframe (a frame locator); both find what is inside."""
    first = page.wait_for_selector(f"{LIVE_MAP}, {FOLIUM_IFRAME}", timeout=timeout)  # type: ignore[attr-defined]
    if first.evaluate("e => e.matches('.p03-live')"):
        holder = page.locator(LIVE_MAP).first  # type: ignore[attr-defined]
    else:
        holder = page.frame_locator(FOLIUM_IFRAME).first  # type: ignore[attr-defined]
    holder.locator(".leaflet-container").wait_for(timeout=timeout)
    return holder


def in_map(holder: object, script: str) -> object:
    """Evaluate ``script`` (a JS function) in the window of the map ``holder`` (from :func:`map_frame`):
    the page's own for the district map, the iframe's for a streamlit-folium map."""
    if hasattr(holder, "page"):  # a Locator in the page
        return holder.page.evaluate(script)  # type: ignore[attr-defined]
    return holder.locator("body").evaluate(script)  # type: ignore[attr-defined]


def map_holds(page: object, n: int, timeout: float = 30_000) -> None:
    """Wait until the page's map holds ``n`` sites (the district map's ``data-p03-sites``, else
    ``window.p03.count`` in the first iframe): a view change reaches the kept map a moment after the
    page's own text has changed."""
    page.wait_for_function(  # type: ignore[attr-defined]
        f"""n => {{ const m = document.querySelector("{LIVE_MAP}");
        if (m) return m.dataset.p03Sites === String(n);
        const f = document.querySelector("{FOLIUM_IFRAME}"); const w = f && f.contentWindow;
        return !!(w && w.p03 && w.p03.count === n); }}""", arg=n, timeout=timeout)


# the element's centre is inside the visible map and nothing else (a cluster, a line's canvas, the
# attribution) is drawn over it there: a click on it reaches it
ON_TOP = """e => { const r = e.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const map = e.closest('.leaflet-container').getBoundingClientRect();
  if (x < map.left + 30 || x > map.right - 30 || y < map.top + 30 || y > map.bottom - 30) return false;
  const hit = document.elementFromPoint(x, y); return !!hit && (hit === e || e.contains(hit)); }"""


def pin_on_top(pins: object, skip: set[str | None] = frozenset()) -> object:  # type: ignore[assignment]
    """The first of ``pins`` (a locator in a map's frame) whose title is not in ``skip`` and that a click
    reaches: Leaflet keeps markers outside the view in the DOM, and some lie under others."""
    for k in range(pins.count()):  # type: ignore[attr-defined]
        pin = pins.nth(k)  # type: ignore[attr-defined]
        if pin.get_attribute("title") not in skip and pin.evaluate(ON_TOP):
            return pin
    raise AssertionError("no pin on the map can be clicked")


def out_dir(request: pytest.FixtureRequest) -> Path:
    """A per-test output folder for screenshots (test-output/<test name>/)."""
    d = REPO / "test-output" / request.node.name.replace("/", "_")
    d.mkdir(parents=True, exist_ok=True)
    return d


# Streamlit marks its root ``[data-testid=stApp]`` with ``data-test-script-state`` ("running",
# "rerunRequested", "notRunning"). ARM_RERUN records, from now on, every change of it; RERUN_OVER is
# true once a run has started since then and none is running now. Mutation records are queued, so
# a run too quick to be seen by polling is still counted.
ARM_RERUN = """() => {
  const app = document.querySelector("[data-testid=stApp]");
  window.__p03RunSeen = false;
  if (window.__p03RunObserver) window.__p03RunObserver.disconnect();
  window.__p03RunObserver = new MutationObserver(() => {
    if (app.getAttribute("data-test-script-state") !== "notRunning") window.__p03RunSeen = true;
  });
  window.__p03RunObserver.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
RERUN_OVER = """() => window.__p03RunSeen === true &&
  document.querySelector("[data-testid=stApp]").getAttribute("data-test-script-state") === 'notRunning'"""
# no run in progress and nothing left of the last one: while a run draws, Streamlit keeps the elements
# it has not reached yet, marked data-stale="true" (two sign-in boxes can show side by side)
SCRIPT_IDLE = """() => document.querySelector("[data-testid=stApp]")?.getAttribute("data-test-script-state")
  === 'notRunning' && !document.querySelector("[data-stale='true']")"""
# every image of a document has finished loading or failed (an ``onerror`` handler has had its turn)
IMAGES_DONE = "() => document.readyState === 'complete' && Array.from(document.images).every(i => i.complete)"


@contextmanager
def rerun(page: object, timeout: float = 90_000) -> Iterator[None]:
    """Around an action that makes Streamlit run the page again (a widget change, Enter in a text
    input): on leaving, wait until that run has started and finished. A run still in progress on
    entering (a file upload's, say) is waited out first, so that the action is not taken into it."""
    page.wait_for_function(SCRIPT_IDLE, timeout=timeout)  # type: ignore[attr-defined]
    page.evaluate(ARM_RERUN)  # type: ignore[attr-defined]
    yield
    page.wait_for_function(RERUN_OVER, timeout=timeout)  # type: ignore[attr-defined]


def settled(page: object, timeout: float = 90_000) -> None:
    """The page has finished its work: no script run in progress, every map drawn, every image in every frame loaded
    or failed, and two animation frames drawn since (handlers queued by loads and focus have run)."""
    page.wait_for_function(SCRIPT_IDLE, timeout=timeout)  # type: ignore[attr-defined]
    maps = page.locator(FOLIUM_IFRAME)  # type: ignore[attr-defined]
    for i in range(maps.count()):
        page.frame_locator(FOLIUM_IFRAME).nth(i).locator(".leaflet-container").wait_for(timeout=timeout)  # type: ignore[attr-defined]
    for frame in page.frames:  # type: ignore[attr-defined]
        try:
            frame.wait_for_function(IMAGES_DONE, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 (a frame replaced meanwhile has nothing left to load)
            if "detached" not in str(exc).lower():
                raise
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # type: ignore[attr-defined]


def stable_box(page: object, locator: object, timeout: float = 30_000) -> dict[str, float]:
    """``locator``'s bounding box once it no longer moves: the same over two animation frames (an
    iframe above it setting its height, an image loading, a scroll still going on move it)."""
    frames = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    deadline = time.monotonic() + timeout / 1000
    box = locator.bounding_box(timeout=timeout)  # type: ignore[attr-defined]
    while time.monotonic() < deadline:
        page.evaluate(frames)  # type: ignore[attr-defined]
        again = locator.bounding_box(timeout=timeout)  # type: ignore[attr-defined]
        if again == box:
            return dict(again)
        box = again
    raise AssertionError(f"{locator} kept moving for {timeout / 1000:.0f} s")


# A successful sign-in runs the page, then the page's script (pages/ui/cookies.py, its element
# keyed p03_cookie_set) POSTs the one-time code for the cookie, marks <body data-p03-cookie="ok"> and
# reports back, which runs the page once more without the script. SIGNED_IN is true once the mark is
# there, the script is gone and no run is going on (a file chosen during that run could be lost with
# the uploader it re-draws). ARM_SIGN_IN clears an older mark first.
ARM_SIGN_IN = """() => { delete document.body.dataset.p03Cookie; }"""
SIGNED_IN = """() => document.body.dataset.p03Cookie === "ok" && !document.querySelector(".st-key-p03_cookie_set") &&
  (""" + SCRIPT_IDLE + """)()"""


def open_sign_in(page: object, timeout: float = 90_000) -> None:
    """Show the sidebar's sign-in form: expand the sidebar if it is collapsed (a phone), then open
    its "staff account" expander unless the form shows already (pages where reading needs no
    account keep the form in it)."""
    side = page.locator("[data-testid='stSidebar']")  # type: ignore[attr-defined]
    if side.get_attribute("data-collapsed") == "true":
        page.get_by_test_id("stExpandSidebarButton").or_(  # type: ignore[attr-defined]
            page.get_by_test_id("stSidebarCollapsedControl").locator("button")).first.click()  # type: ignore[attr-defined]
        side.get_by_text("Tài khoản cán bộ").or_(side.get_by_label("Tên đăng nhập")).first.wait_for(timeout=timeout)
    if not side.get_by_label("Tên đăng nhập").count():
        page.wait_for_function(SCRIPT_IDLE, timeout=timeout)  # type: ignore[attr-defined]
        side.get_by_text("Tài khoản cán bộ").click()
    # the run the click starts draws the form (waited for as such: a run the page was about to start
    # anyway, e.g. a view taken from the URL, can take the click in and leave no run of its own)
    try:
        side.get_by_label("Tên đăng nhập").wait_for(timeout=timeout)
    except Exception as exc:  # say what the sidebar showed instead
        state = page.evaluate("""() => ({run: document.querySelector("[data-testid=stApp]").getAttribute("data-test-script-state"),
          stale: document.querySelectorAll("[data-stale='true']").length,
          boxes: Array.from(document.querySelectorAll("[data-testid=stSidebar] details")).map(d => [d.open, d.textContent.slice(0, 30)])})""")  # type: ignore[attr-defined]
        raise AssertionError(f"the sign-in form never showed after opening its box: {state}") from exc
    page.wait_for_function(SCRIPT_IDLE, timeout=timeout)  # type: ignore[attr-defined]


def sign_in(page: object, name: str, password: str, *, enter: bool = True, ok: bool = True,
            timeout: float = 90_000) -> None:
    """Sign in through the sidebar's sign-in box (opened first when it is closed), once no run is
    drawing it, by pressing Enter in the password box or, with ``enter=False``, clicking the form's
    button: a page that is still settling (widgets drawn above the box after its run, their code
    loaded late, a phone's short viewport) can move that button between Playwright's check that it
    is still and its click, and the click then lands beside it. Returns once the run that
    submitting starts is over and, when the sign-in is to succeed (``ok``), once the cookie is set
    and the run that follows it is over too."""
    page.wait_for_function(SCRIPT_IDLE, timeout=timeout)  # type: ignore[attr-defined]
    side = page.locator("[data-testid='stSidebar']")  # type: ignore[attr-defined]
    form = page.get_by_label("Tên đăng nhập")  # type: ignore[attr-defined]
    form.or_(side.get_by_text("Tài khoản cán bộ")).first.wait_for(state="attached", timeout=timeout)  # or its box
    open_sign_in(page, timeout)
    page.evaluate(ARM_SIGN_IN)  # type: ignore[attr-defined]
    with rerun(page, timeout):
        side.get_by_label("Tên đăng nhập").fill(name)
        box = side.get_by_label("Mật khẩu")
        box.fill(password)
        if enter:
            box.press("Enter")
        else:
            side.get_by_role("button", name="Đăng nhập").click()
    if ok:
        try:
            page.wait_for_function(SIGNED_IN, timeout=timeout)  # type: ignore[attr-defined]
        except Exception as exc:  # say which part of the hand-off never came
            state = page.evaluate("""() => ({cookie: document.body.dataset.p03Cookie,
              script_drawn: !!document.querySelector(".st-key-p03_cookie_set"),
              sent: Object.keys((window.__p03cookie || {}).sent || {}),
              run: document.querySelector("[data-testid=stApp]").getAttribute("data-test-script-state")})""")  # type: ignore[attr-defined]
            raise AssertionError(f"sign-in of {name!r} not over: {state}") from exc
