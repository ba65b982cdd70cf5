"""The district map drawn in the page (geo/maps/live.py): its data per run, keyed so the browser
redraws only what changed; the reference layers left out of it (fetched by URL); the preload
header. The browser side is in test_browser_district_map.py and test_browser_reference.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import reference
from geo.maps import live
from geo.maps import reference as map_reference
from geo.maps import sites as map_sites

pytestmark = pytest.mark.sqlite_only  # the map's data, not the store: one backend is enough


def test_each_part_keyed_so_a_filter_redraws_only_the_sites(bounds, demo_store):
    sites = demo_store.query_sites()
    city = map_sites.sites_view(sites, bounds, None, True)
    full = live.data(sites, bounds, view=city)
    markets = sites[sites["category"] == "market"]
    fewer = live.data(markets, bounds, view=city)
    assert fewer["baseKey"] == full["baseKey"] and fewer["refKey"] == full["refKey"]
    assert fewer["sitesKey"] != full["sitesKey"]
    assert len(json.loads(full["sites"])["ids"]) == len(sites) == 71
    assert len(json.loads(fewer["sites"])["ids"]) == len(markets)
    # another unit: its outlines (a new key) and its own view
    focus = bounds.districts[bounds.districts["code"] == "002"]
    hoan_kiem = sites[sites["district_codes"].str.contains("002")]
    one = live.data(hoan_kiem, bounds, focus=focus, view=map_sites.sites_view(hoan_kiem, bounds, focus))
    assert one["baseKey"] != full["baseKey"]
    base = json.loads(one["base"])
    assert base["view"] == map_sites.sites_view(hoan_kiem, bounds, focus)
    assert base["districts"]["002"] == "Hoàn Kiếm"  # the popups' unit names
    # the same run again: the same keys (nothing redrawn)
    assert live.data(sites, bounds, view=city) == full


def test_the_data_goes_as_utf8_json_with_its_parts_embedded(bounds, demo_store):
    """What the element receives: one JSON document in UTF-8 whose base, sites and reference
    parts are the payloads themselves (not strings to parse again), Vietnamese letters as they are,
    and text that could close a script still escaped."""
    sites = demo_store.query_sites().copy()
    sites.loc[sites.index[0], "name"] = "Chợ </script><b>x</b> & Đồng Xuân"
    parts = live.data(sites, bounds, view=map_sites.sites_view(sites, bounds, None, True), reference_text='{"found":null}')
    raw = live.encode(parts)
    got = json.loads(raw.decode("utf-8"))
    for key in ("base", "sites", "ref"):
        assert got[key] == json.loads(parts[key]), key
    assert {k: v for k, v in got.items() if k not in ("base", "sites", "ref")} == \
        {k: v for k, v in parts.items() if k not in ("base", "sites", "ref")}
    assert "Chợ </script><b>x</b> & Đồng Xuân" in got["sites"]["names"]
    assert b"</script>" not in raw and "Đồng Xuân".encode() in raw  # escaped for a script; UTF-8, not \\u1ed3
    assert len(raw) < len(json.dumps(parts))  # smaller than the parts sent as strings (10,000 sites: -18 %)
    assert json.loads(live.encode({**parts, "ref": None}))["ref"] is None


def test_assets_are_the_apps_own_and_preloaded():
    urls = live.asset_urls("/base/app/static/vendor")
    assert urls["js"][0] == "/base/app/static/vendor/leaflet/leaflet.js"
    assert all(u.startswith("/base/app/static/vendor/") for u in urls["js"] + urls["css"])
    link = live.preload_links("/app/static/vendor")
    assert link.count("rel=preload") == len(urls["js"]) + len(urls["css"])
    assert "<http" not in link  # no other host, ever
    text = live.module_text()
    assert "export default function" in text and "p03Map" in text and "drawReference" in text


def test_reference_features_fetched_by_url_not_sent_with_every_run(ref):
    url = "/p03/reference/vi.json?v=" + map_reference.layers_version(ref, "vi")
    small = map_reference.payload_text(ref, "vi", url=url)
    whole = map_reference.payload_text(ref, "vi")
    assert len(small) < 2_000 < 100_000 < len(whole)
    got = json.loads(small)
    assert got["url"] == url and all("fc" not in layer for layer in got["layers"])
    assert [layer["key"] for layer in got["layers"]] == [layer.key for layer in reference.LAYERS]
    fetched = json.loads(map_reference.layers_text(ref, "vi"))
    assert [layer["key"] for layer in fetched] == [layer.key for layer in reference.LAYERS]
    assert sum(len(layer["fc"]["features"]) for layer in fetched) == len(ref.features)
    # the URL changes with the content: the language's labels are part of it
    assert map_reference.layers_version(ref, "vi") != map_reference.layers_version(ref, "en")
    # the search hits still travel with the run (a handful, highlighted at once)
    hits = reference.search(ref, "dong xuan")
    assert json.loads(map_reference.payload_text(ref, "vi", hits, url=url))["found"]["features"]
