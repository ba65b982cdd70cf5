"""The maps' JavaScript, parsed by node (Debian's ``nodejs``, installed by scripts/system-deps.sh):
every ``geo/maps/*.js`` file as it is and as the page wraps it, every inline script of real maps
rendered from the real boundaries, reference layers and demo sites (folium's Jinja-templated
parts after rendering, never raw), and the script streamlit-folium builds from each map. Also:
one ``esc()`` (``common.js``) that escapes what it should, one place for the highlight colour."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon

from geo import assets, reference, visits
from geo.maps import asset_text, base, choropleth, colors
from geo.maps import edit as edit_map
from geo.maps import reference as map_reference
from geo.maps import sites as map_sites
from geo.maps.route import StopsLayer, route_map

MAPS_DIR = Path(base.__file__).resolve().parent
JS_FILES = sorted(p.name for p in MAPS_DIR.glob("*.js"))
#: the scripts drawn through ScriptLayer (a function expression wrapped with common.js)
LAYER_FILES = sorted({cls.script_file for cls in (base.FrameScript, choropleth.UnitsLayer, map_reference.ReferenceLayers,
                                                  map_reference.CandidatesLayer, edit_map.SiteEditor, StopsLayer)})
#: sites.js (geo/map_sites.py's site map) is not drawn through ScriptLayer yet and keeps its own copy
#: of esc(); the test below holds the two copies to the same output until it adopts common.js
OWN_ESC = {"common.js", "sites.js"}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)

# compiles each [name, source] pair (vm.Script parses, nothing runs; a name ending in "(module)" is
# parsed as an ES module) and prints the errors as JSON
_PARSER = """
const vm = require("vm"), fs = require("fs");
const errors = [];
for (const [name, src] of JSON.parse(fs.readFileSync(process.argv[1], "utf8"))) {
  try {
    if (name.endsWith("(module)")) new vm.SourceTextModule(src, {identifier: name});
    else new vm.Script(src, {filename: name});
  } catch (e) { errors.push(name + ": " + e.message); }
}
process.stdout.write(JSON.stringify(errors));
"""


def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        pytest.fail("node is missing: run `make test` (scripts/system-deps.sh installs Debian's nodejs)")
    return found


def syntax_errors(sources: dict[str, str], tmp_path: Path) -> list[str]:
    """node's syntax errors in ``sources`` (name -> JavaScript), one line each."""
    listing = tmp_path / "sources.json"
    listing.write_text(json.dumps(list(sources.items())), "utf-8")
    out = subprocess.run([node(), "--experimental-vm-modules", "--no-warnings", "-e", _PARSER, str(listing)],
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def page_scripts(m, name: str) -> dict[str, str]:
    """The inline scripts of map ``m``'s standalone page, and the script streamlit-folium runs."""
    from streamlit_folium import generate_leaflet_string

    html = m.get_root().render()
    scripts = {f"{name}[{k}]": s for k, s in enumerate(INLINE_SCRIPT.findall(html)) if s.strip()}
    assert scripts, f"{name}: no inline script"
    scripts[f"{name}[streamlit-folium]"] = generate_leaflet_string(m)
    return scripts


@pytest.fixture(autouse=True)
def local_assets():
    assets.use(assets.local_base_url())


@pytest.fixture()
def backend() -> str:
    """The route map needs demo sites from a store: SQLite is enough here."""
    return "sqlite"


def test_the_parser_reports_a_broken_script(tmp_path):
    errors = syntax_errors({"ok": "(function (map, D) { var x = 1; })", "broken": "(function (map) { var = ; })"},
                           tmp_path)
    assert len(errors) == 1 and errors[0].startswith("broken: ")


#: the in-page map's module files (``export default``): geo/maps/live.py joins them with the layer scripts
MODULE_FILES = {"live.js"}


def test_the_parser_reports_a_broken_module(tmp_path):
    errors = syntax_errors({"ok (module)": "export default function (c) { return c; }",
                            "broken (module)": "export default function (c) { var = ; }"}, tmp_path)
    assert len(errors) == 1 and errors[0].startswith("broken (module): ")


def test_every_script_file_parses_alone_and_as_the_page_wraps_it(tmp_path):
    from geo.maps import live

    assert {"common.js", *LAYER_FILES, *MODULE_FILES} <= set(JS_FILES)
    sources = {name + (" (module)" if name in MODULE_FILES else ""): asset_text(name) for name in JS_FILES}
    sources["the in-page map (module)"] = live.module_text()
    sources.update({f"{name} (wrapped)": base.layer_script(name, "map_x", "{}") for name in LAYER_FILES})
    assert syntax_errors(sources, tmp_path) == []
    for name in LAYER_FILES:  # a function expression the page calls: no global name of its own
        assert asset_text(name).strip().endswith("})"), name


def test_real_maps_render_scripts_that_parse(tmp_path, bounds, ref, demo_store):
    districts = bounds.layer("district")
    table = pd.DataFrame({"code": districts["code"], "value": np.arange(len(districts), dtype=float),
                          "lag": np.linspace(-0.6, 0.6, len(districts))})
    sites = demo_store.query_sites()
    hostile = "Chợ <script>alert(1)</script>`${alert(2)}` {{ 7*7 }} {% if %}"
    sites.loc[sites["id"] == "demo-012", "name"] = hostile
    route = visits.compute_route(visits.new_plan(stop_ids=["demo-012", "demo-013", "demo-042"]), sites)
    lonlat = np.array([[105.85, 21.03], [105.86, 21.02], [np.nan, np.nan]])
    maps = {
        "frame": base.new_map(tiles="https://t.example/{z}/{x}/{y}.png", attribution=["<b>Ranh giới</b>"]),
        "choropleth": choropleth.unit_choropleth(table, bounds, "district", title=hostile, tiles=None,
                                                 link="district_map?district={code}"),
        "choropleth-lag": choropleth.unit_choropleth(table, bounds, "district", column="lag", tiles=None),
        "reference": map_sites.site_map(sites, bounds, reference=ref, reference_found=reference.search(ref, "dong xuan"),
                                     tiles=None),
        "candidates": map_reference.candidates_map([("VN-2000 <i>", lonlat, ["a", hostile, "c"]),
                                                    ("WGS 84", lonlat + 0.01, ["a", "b", "c"])], bounds, ref),
        "edit": edit_map.edit_map(Polygon([(105.84, 21.01), (105.85, 21.01), (105.85, 21.02)]), tiles=None),
        "draw": edit_map.edit_map(None, lang="en"),
        "route": route_map(route, sites, bounds, tiles=None),
    }
    sources: dict[str, str] = {}
    for name, m in maps.items():
        sources.update(page_scripts(m, name))
    assert syntax_errors(sources, tmp_path) == []
    # the user's text reaches the scripts as escaped JSON only, never compiled as a template
    for name, src in sources.items():
        assert "<script>alert(1)" not in src, name
    assert any("{{ 7*7 }} {% if %}" in src for src in sources.values())  # kept as text, not evaluated


def test_the_frame_is_local_and_holds_its_limits_and_attribution():
    m = base.new_map(tiles="https://t.example/{z}/{x}/{y}.png", min_zoom=8, attribution=["<b>Ranh giới</b>"])
    html = m.get_root().render()
    refs = re.findall(r"""<(?:script|link)[^>]*(?:src|href)=["']([^"']+)""", html)
    assert refs and all(r.startswith("file://") for r in refs) and not any("jquery" in r for r in refs), refs
    assert '"maxZoom": 19' in html and '"minZoom": 8' in html and "https://t.example/{z}/{x}/{y}.png" in html
    assert "\\u003cb\\u003eRanh giới" in html and "<b>Ranh" not in html  # escaped JSON, esc() in the browser
    assert base.view_of((105.8, 21.0, 105.9, 21.1)) == [[21.0, 105.8], [21.1, 105.9]]


def test_esc_is_written_once_and_escapes_markup(tmp_path):
    holders = {name for name in JS_FILES if re.search(r"function\s+esc\s*\(", asset_text(name))}
    assert "common.js" in holders and holders <= OWN_ESC, holders
    for py in MAPS_DIR.glob("*.py"):
        assert "function esc" not in py.read_text("utf-8"), py.name
    probe = json.dumps("<img src=x onerror='a`b`'>&\"/=\\")
    expected = "&#60;img src&#61;x onerror&#61;&#39;a&#96;b&#96;&#39;&#62;&#38;&#34;&#47;&#61;&#92;"
    script = asset_text("common.js") + f"\nprocess.stdout.write(esc({probe}) + '|' + esc(null));"
    out = subprocess.run([node(), "-e", script], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out == expected + "|"
    if "sites.js" in holders:  # the other copy gives the same text
        script = "var window = {};\n" + asset_text("sites.js") + f"\nprocess.stdout.write(window.p03Map.esc({probe}));"
        other = subprocess.run([node(), "-e", script], capture_output=True, text=True, timeout=60, check=True).stdout
        assert other + "|" == out, (other, out)


def test_the_highlight_colour_is_written_once():
    texts = {p.name: p.read_text("utf-8") for p in MAPS_DIR.iterdir() if p.suffix in (".py", ".js", ".css")}
    assert [name for name, text in texts.items() if colors.HIGHLIGHT.lower() in text.lower()] == ["colors.py"]
    assert map_reference.CANDIDATE_COLORS[0] == colors.HIGHLIGHT
