"""Where one run of the district map page spends its time on the server: ``python -m
benchmarks.profile_page [N]`` runs ``pages/district_map.py`` in Streamlit's AppTest over a scratch
store of N synthetic sites (default 10,000), under cProfile, first with empty caches and then again
(a rerun, as after a widget change), and prints the functions with the most cumulative time.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from benchmarks.page import REPO, scratch_data
from geo import boundaries

PROFILE = cProfile.Profile()
_run_script = script_runner.ScriptRunner._run_script


def _profiled(self: Any, rerun_data: Any) -> None:
    """The script thread's run under the profiler (cProfile sees one thread only)."""
    PROFILE.enable()
    try:
        _run_script(self, rerun_data)
    finally:
        PROFILE.disable()


def show(title: str, seconds: float, top: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(PROFILE, stream=out).sort_stats("cumulative")
    stats.print_stats(r"(geo|pages|streamlit_folium|streamlit/elements|pandas|folium)", top)
    print(f"## {title}: {seconds:.2f} s")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 10_000
    top = int(os.environ.get("PROFILE_TOP", "25"))
    script_runner.ScriptRunner._run_script = _profiled  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory(prefix="p03-profile-") as tmp:
        data = scratch_data(Path(tmp), n, boundaries.get())
        os.environ.update(P03_DATA_DIR=str(data), P03_TILES="none", P03_LANG="vi")
        os.environ.pop("P03_DATABASE_URL", None)
        at = AppTest.from_file(str(REPO / "pages" / "district_map.py"), default_timeout=600)
        t0 = time.perf_counter()
        at.run()
        show(f"first run, {n:,} sites, empty caches", time.perf_counter() - t0, top)
        PROFILE.clear()  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        at.run()
        show(f"rerun, {n:,} sites", time.perf_counter() - t0, top)
        assert not at.exception, at.exception


if __name__ == "__main__":
    main(sys.argv[1:])
