"""OGC API benchmark: 10,000 sites read through GDAL's OAPIF driver (pyogrio) from a running
``python -m geo api``, every page, against pyogrio reading the same sites from a GeoPackage file,
in the same run and the same client process.

``api_items_10000_s`` uses GDAL's default page size (1,000: 10 pages and an empty one, as QGIS
pages); ``api_items_10000_page10000_s`` asks for pages of 10,000. Target (issue 14):
``api_items_10000_s`` ≤ 5 × ``api_gpkg_10000_s``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

N = 10_000
_CLIENT = r"""
import json, sys, time
import pyogrio
url, gpkg, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
api, big, local = [], [], []
pyogrio.read_dataframe("OAPIF:" + url, max_features=10)  # warm: the service builds its feature cache
for _ in range(repeat):
    t = time.perf_counter(); a = pyogrio.read_dataframe("OAPIF:" + url); api.append(time.perf_counter() - t)
    t = time.perf_counter(); b = pyogrio.read_dataframe("OAPIF:" + url, PAGE_SIZE="10000")
    big.append(time.perf_counter() - t)
    t = time.perf_counter(); g = pyogrio.read_dataframe(gpkg); local.append(time.perf_counter() - t)
    assert len(a) == len(b) == len(g), (len(a), len(b), len(g))
print(json.dumps({"api": api, "big": big, "gpkg": local, "n": len(a)}))
"""


def bench_api(repeat: int = 3) -> dict[str, float]:
    """``api_items_10000_s``, ``api_gpkg_10000_s`` (medians) and their ratio."""
    from benchmarks import synthetic_sites
    from geo import boundaries, settings
    from geo import sites as site_ops
    from geo.store import open_store
    from tests.api_support import start_api

    b = boundaries.get()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(settings.boundaries_dir(), data / "boundaries")
        env = {"P03_DATA_DIR": str(data), "P03_DATABASE_URL": "", "P03_READ_REQUIRES_LOGIN": "false"}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            store = open_store()
            sites = site_ops.complete(synthetic_sites(N, b, seed=14, shapes=0.1), b)
            store.commit_batch(sites, actor="bench", kind="bench")
            gpkg = Path(tmp) / "sites.gpkg"
            gpkg.write_bytes(site_ops.export(store.query_sites(), "gpkg"))
            with start_api(env) as url:
                out = subprocess.run([sys.executable, "-c", _CLIENT, f"{url}/collections/sites", str(gpkg),
                                      str(repeat)], check=True, capture_output=True, text=True, timeout=1800)
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    times = json.loads(out.stdout.strip().splitlines()[-1])
    api_s, gpkg_s = statistics.median(times["api"]), statistics.median(times["gpkg"])
    big_s = statistics.median(times["big"])
    return {"api_items_10000_s": api_s, "api_items_10000_page10000_s": big_s, "api_gpkg_10000_s": gpkg_s,
            "ratio_api_vs_gpkg": api_s / gpkg_s, "ratio_api_page10000_vs_gpkg": big_s / gpkg_s}


if __name__ == "__main__":
    for name, value in bench_api().items():
        print(f"BENCH {name} {value:.4f}")
