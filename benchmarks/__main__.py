"""``python -m benchmarks`` (``make bench``): the project's map builder against the naive folium
baseline, time to painted map in headless Chromium, and the upload check.

Every figure is printed on its own line as ``BENCH <name> <value>`` (seconds, bytes), ratios as
``BENCH ratio_<name> <value>`` (baseline / project). ``--markdown FILE`` also writes the results and
the machine into the generated block of FILE (``docs/benchmarks.md``).

Environment: ``BENCH_SIZES`` (default ``1000,10000,100000``), ``BENCH_PAINT`` (``0`` skips the
browser), ``BENCH_REPEAT`` (runs per project figure, median; default 3); the real page
(``benchmarks/page.py``): ``BENCH_PAGE`` (``0`` skips it), ``BENCH_PAGE_SIZES`` (default
``71,10000,100000``), ``BENCH_PAGE_REPEAT`` (default 3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import folium

from benchmarks import build_and_render, naive_map, paint_seconds, synthetic_sites, timed
from geo import assets, boundaries
from geo.maps import sites as map_sites

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


class Results:
    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def add(self, name: str, value: float) -> None:
        self.values[name] = value
        shown = f"{value:.4f}" if isinstance(value, float) and not float(value).is_integer() else f"{int(value)}"
        print(f"BENCH {name} {shown}", flush=True)


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"model name\s*:\s*(.+)", text)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, AttributeError):
        pass
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = "not found"
    return {"cpu": f"{cpu} ({os.cpu_count()} cores)", "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "folium": folium.__version__, "chromium": chromium,
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}


def bench_maps(res: Results, b: boundaries.Boundaries, sizes: list[int], paint: bool, repeat: int) -> None:
    base_url = assets.local_base_url()
    assets.use(base_url)
    for n in sizes:
        sites = synthetic_sites(n, b)
        map_sites.BOUNDARY_CACHE.clear()
        t0 = time.perf_counter()
        build_and_render(lambda s=sites: map_sites.site_map(s, b, tiles=None))
        res.add(f"build_project_cold_{n}", time.perf_counter() - t0)
        sec, html = timed(lambda s=sites: build_and_render(lambda: map_sites.site_map(s, b, tiles=None)), repeat)
        res.add(f"build_project_{n}", sec)
        res.add(f"html_bytes_project_{n}", len(html.encode("utf-8")))
        nsec, nhtml = timed(lambda s=sites: build_and_render(lambda: naive_map(s)), 1)
        res.add(f"build_naive_{n}", nsec)
        res.add(f"html_bytes_naive_{n}", len(nhtml.encode("utf-8")))
        res.add(f"ratio_build_{n}", nsec / sec)
        res.add(f"ratio_html_bytes_{n}", len(nhtml) / len(html))
        if paint and n in (10_000, 100_000):
            _paint(res, n, html, nhtml if n == 10_000 else None)
        del nhtml


def _paint(res: Results, n: int, html: str, naive_html: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project.html"
        project.write_text(html, "utf-8")
        paint_seconds(project)  # warm the browser's disk cache and the OS
        res.add(f"paint_project_{n}", min(paint_seconds(project) for _ in range(3)))
        if naive_html is not None:
            naive = Path(tmp) / "naive.html"
            naive.write_text(naive_html, "utf-8")
            res.add(f"paint_naive_{n}", paint_seconds(naive))
            res.add(f"ratio_paint_{n}", res.values[f"paint_naive_{n}"] / res.values[f"paint_project_{n}"])


def bench_upload(res: Results) -> None:
    try:
        module = importlib.import_module("benchmarks.upload")
    except ModuleNotFoundError:
        print("# upload benchmark: benchmarks/upload.py is not there yet", file=sys.stderr)
        return
    out: Any = module.bench_upload(show=False)
    if isinstance(out, dict):
        for name, value in out.items():
            res.add(str(name), float(value))


def markdown(res: Results, info: dict[str, str]) -> str:
    lines = [START, "", f"Measured {info['date']} by `make bench`.", "",
             "| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in info.items() if k != "date"]
    sizes = sorted({int(m.group(1)) for k in res.values if (m := re.match(r"build_project_(\d+)$", k))})
    if sizes:
        lines += ["", "| sites | project build+render s (cold) | baseline s | ratio | project HTML | baseline HTML |",
                  "|---|---|---|---|---|---|"]
        v = res.values
        for n in sizes:
            lines.append(f"| {n:,} | {v[f'build_project_{n}']:.3f} ({v[f'build_project_cold_{n}']:.3f}) | "
                         f"{v[f'build_naive_{n}']:.2f} | {v[f'ratio_build_{n}']:.0f}× | "
                         f"{v[f'html_bytes_project_{n}'] / 1e6:.2f} MB | {v[f'html_bytes_naive_{n}'] / 1e6:.2f} MB |")
    paints = {k: val for k, val in res.values.items() if k.startswith(("paint_", "ratio_paint"))}
    others = {k: val for k, val in res.values.items()
              if not k.startswith(("paint_", "ratio_build", "ratio_html", "ratio_paint", "build_", "html_bytes_",
                                    "page_", "ratio_page"))}
    lines += page_table(res.values)
    if paints or others:
        lines += ["", "| figure | value |", "|---|---|"]
        lines += [f"| `{k}` | {val:.3f} |" for k, val in {**paints, **others}.items()]
    lines += ["", END]
    return "\n".join(lines)


def page_table(v: dict[str, float]) -> list[str]:
    """The real-page figures (benchmarks/page.py) as a table, project against naive."""
    sizes = sorted({int(m.group(1)) for k in v if (m := re.match(r"page_first_marker_(\d+)_s$", k))})
    if not sizes:
        return []

    def cell(name: str, fmt: str = "{:.2f} s") -> str:
        return fmt.format(v[name]) if name in v else "—"

    lines = ["", "| sites | first marker | naive | ratio | table | naive | filter | naive | ws MB | naive ws MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for n in sizes:
        lines.append(
            f"| {n:,} | {cell(f'page_first_marker_{n}_s')} | {cell(f'page_first_marker_naive_{n}_s')} | "
            f"{cell(f'ratio_page_{n}', '{:.1f}×')} | {cell(f'page_table_{n}_s')} | {cell(f'page_table_naive_{n}_s')} | "
            f"{cell(f'page_filter_{n}_s')} | {cell(f'page_filter_naive_{n}_s')} | "
            f"{v.get(f'page_ws_bytes_{n}', 0) / 1e6:.2f} | {v.get(f'page_ws_bytes_naive_{n}', 0) / 1e6:.2f} |")
    rss = [f"{k} = {val:.0f}" for k, val in v.items() if k.startswith("page_rss_")]
    cold = [f"{k} = {val:.2f}" for k, val in v.items() if k.endswith("_server_cold_s")]
    return [*lines, "", "; ".join(rss + cold)] if rss or cold else lines


def write_markdown(path: Path, block: str) -> None:
    text = path.read_text("utf-8") if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START in text and END in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", type=Path, default=None, help="write the results into this file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",") if s.strip()]
    paint = os.environ.get("BENCH_PAINT", "1") != "0"
    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    res = Results()
    info = machine()
    for key, value in info.items():
        print(f"# {key}: {value}")
    bench_maps(res, boundaries.get(), sizes, paint, repeat)
    bench_upload(res)
    from benchmarks.update import bench_update  # issue 11: update upload vs new upload, checked + diffed

    for name, value in bench_update(show=False).items():
        res.add(name, value)
    from benchmarks.cli import bench_cli

    for name, value in bench_cli().items():
        res.add(name, value)
    if os.environ.get("BENCH_PAGE", "1") != "0":
        from benchmarks.page import DEMO, bench_pages

        page_sizes = [int(s) for s in os.environ.get("BENCH_PAGE_SIZES", f"{DEMO},10000,100000").split(",") if s]
        bench_pages(res.add, page_sizes, int(os.environ.get("BENCH_PAGE_REPEAT", "3")))
    from benchmarks.photos import bench_photos  # issue 12: photo_save_s, site_details_20_photos_s

    for name, value in bench_photos().items():
        res.add(name, value)
    from benchmarks.reference import bench_reference  # OSM reference layers vs one folium.GeoJson each

    for name, value in bench_reference().items():
        res.add(name, value)
    from benchmarks.api import bench_api  # OGC API through GDAL's OAPIF driver vs a GeoPackage

    for name, value in bench_api().items():
        res.add(name, value)
    if args.markdown:
        write_markdown(args.markdown, markdown(res, info))
        print(f"# results written to {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
