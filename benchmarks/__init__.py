"""Benchmarks of the map builder against what a general folium tool gives (``python -m benchmarks``).

The sites are synthetic but placed like real ones: uniformly inside Hanoi's real city boundary,
each placed in its district and commune by the real layers, with Vietnamese names, every
category and status, and the optional fields filled as uploads fill them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely

from geo import boundaries
from geo.schema import CATEGORIES, STATUSES, category_label, status_label

_WORDS = ("Chợ", "Công viên", "Vườn hoa", "Phố", "Nhà máy", "Biệt thự", "Chung cư", "Trung tâm", "Tuyến",
          "Khu", "Đường", "Cầu", "Hồ", "Làng")
_PLACES = ("Đồng Xuân", "Hàng Da", "Thống Nhất", "Yên Sở", "Hồ Tây", "Long Biên", "Cầu Giấy", "Mỹ Đình",
           "Hà Đông", "Gia Lâm", "Sóc Sơn", "Đông Anh", "Thanh Xuân", "Hoàng Mai", "Ba Đình", "Tây Hồ")


def synthetic_sites(n: int, b: boundaries.Boundaries, seed: int = 3, shapes: float = 0.0) -> gpd.GeoDataFrame:
    """``n`` sites in the schema, uniformly inside the city; a share ``shapes`` are small polygons."""
    rng = np.random.default_rng(seed)
    # inside the city and inside a 2025 commune (the layers' edges differ by up to a few hundred m)
    city = shapely.intersection(b.city_shape, shapely.union_all(b.communes.geometry.to_numpy()))
    shapely.prepare(city)
    minx, miny, maxx, maxy = city.bounds
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    while sum(len(x) for x in xs) < n:
        x = rng.uniform(minx, maxx, 2 * n)
        y = rng.uniform(miny, maxy, 2 * n)
        inside = shapely.contains_xy(city, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
    x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    geoms = shapely.points(x, y)
    n_shapes = int(n * shapes)
    if n_shapes:
        geoms[:n_shapes] = shapely.buffer(geoms[:n_shapes], 0.0008, quad_segs=4)
    cats = [c.code for c in CATEGORIES]
    sts = [s.code for s in STATUSES]
    idx = np.arange(n)
    names = [f"{_WORDS[i % len(_WORDS)]} {_PLACES[(i // 7) % len(_PLACES)]} số {i}" for i in idx]
    gdf = gpd.GeoDataFrame({
        "id": [f"bench-{i:06d}" for i in idx], "name": names,
        "category": np.array(cats)[rng.integers(0, len(cats), n)],
        "status": np.array(sts)[rng.integers(0, len(sts), n)],
        "indicator": None, "district_codes": None, "commune_codes": None,
        "responsible_unit": "UBND quận", "start_date": "2024-01-01", "end_date": "2025-12-31",
        "budget_vnd": rng.integers(1, 500, n) * 1e8, "progress_pct": rng.integers(0, 101, n).astype(float),
        "notes": None, "batch_id": "b-bench",
    }, geometry=geoms, crs=4326)
    gdf["district_codes"], gdf["commune_codes"] = boundaries.place(gdf.geometry, b)
    return gdf


def naive_map(sites: gpd.GeoDataFrame, lang: str = "vi") -> folium.Map:
    """What a general folium tool gives: a MarkerCluster of folium.Markers, each with a Python Popup."""
    m = folium.Map(location=[21.03, 105.85], zoom_start=10, tiles=None, max_zoom=19)
    m.options.update(max_zoom=19)  # markercluster needs the map's maxZoom when there is no tile layer
    cluster = folium.plugins.MarkerCluster().add_to(m)
    pts = sites.geometry.representative_point()
    for row, lon, lat in zip(sites.itertuples(index=False), pts.x, pts.y, strict=True):
        html = (f"<h4>{row.name}</h4><table><tr><th>Loại</th><td>{category_label(row.category, lang)}</td></tr>"
                f"<tr><th>Trạng thái</th><td>{status_label(row.status, lang)}</td></tr>"
                f"<tr><th>Quận</th><td>{row.district_codes}</td></tr><tr><th>Mã</th><td>{row.id}</td></tr></table>")
        folium.Marker([lat, lon], tooltip=row.name, popup=folium.Popup(html, max_width=320)).add_to(cluster)
    return m


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Median seconds of ``repeat`` runs of ``fn`` and its last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def build_and_render(build: Callable[[], folium.Map]) -> str:
    """Build a map and render it to the HTML a browser (or st_folium) gets."""
    return build().get_root().render()


def paint_seconds(html_file: Path, chromium: str = "/usr/bin/chromium", timeout_s: float = 120) -> float:
    """Seconds from navigation to the map's markers painted in headless Chromium (Playwright)."""
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        t0 = time.perf_counter()
        page.goto(html_file.resolve().as_uri(), wait_until="commit")
        page.wait_for_selector(".leaflet-marker-icon", state="visible", timeout=timeout_s * 1000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        seconds = time.perf_counter() - t0
        browser.close()
    return seconds
