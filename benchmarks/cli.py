"""``python -m geo where``: wall time of one CLI call, against the same call with every heavy
module loaded up front (what each command paid before the commands imported them lazily, and
before ``where`` read the layers without geopandas: ``geo.locate``)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

WHERE = ["-m", "geo", "where", "21.0288", "105.8525"]
EAGER = ("import folium, matplotlib.pyplot, fpdf, gpxpy, geo.assets, geo.boundaries, geo.indicators.report, geo.visits.brief; "
         "import runpy, sys; sys.argv = ['geo', 'where', '21.0288', '105.8525']; "
         "runpy.run_module('geo', run_name='__main__')")


def _wall(args: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_cli(repeat: int = 5) -> dict[str, float]:
    """``cli_where_s`` (median wall seconds), the eager baseline and their ratio."""
    _wall(WHERE, 1)  # warm the OS file cache
    lazy = _wall(WHERE, repeat)
    eager = _wall(["-c", EAGER], repeat)
    return {"cli_where_s": lazy, "cli_where_eager_s": eager, "ratio_cli_where": eager / lazy}
