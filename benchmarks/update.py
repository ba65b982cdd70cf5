"""Update-by-upload benchmark (issue 11): checking an upload of 10,000 *changed* stored sites (each
matched by id and diffed field by field against the store) next to checking 10,000 *new* sites
against the same store (matched by name and place, found new), in the same run.

Target: ``ratio_update_vs_new_check`` (update / new) <= 2.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.upload import synthetic_geojson

STATUS_NEXT = {"planned": "in_progress", "Đang thực hiện": "completed", "completed": "suspended",
               "Hoàn thành": "in_progress"}


def _variant(content: bytes, *, new: bool) -> bytes:
    """The same sites with every status changed (``new=False``), or 10,000 other sites: other ids
    and names, moved ~300 m (``new=True``)."""
    doc = json.loads(content)
    for f in doc["features"]:
        props = f["properties"]
        if new:
            props["id"] = props["id"].replace("bench-", "new-")
            props["name"] = props["name"].replace("Công trình số", "Công trình mới số")
            coords = f["geometry"]["coordinates"]
            if f["geometry"]["type"] == "Point":
                f["geometry"]["coordinates"] = [coords[0] + 0.003, coords[1]]
            else:
                f["geometry"]["coordinates"] = [[[x + 0.003, y] for x, y in ring] for ring in coords]
        else:
            props["status"] = STATUS_NEXT[props["status"]]
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def bench_update(n: int = 10_000, repeat: int = 3, show: bool = True) -> dict[str, float]:
    """Commit ``n`` sites into a fresh SQLite store, then time :func:`geo.ingest.check` with the
    store of an update file (every site's status changed) and of a file of ``n`` new sites;
    print ``BENCH`` lines; return the figures. Needs the boundary layers (``make setup``)."""
    from geo import auth, boundaries
    from geo.ingest import check, commit
    from geo.store.sqlite import SQLiteStore

    b = boundaries.get()
    base = synthetic_geojson(n)
    update, fresh = _variant(base, new=False), _variant(base, new=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "projects")
        commit(check(base, "base.geojson", store=store, b=b), store, auth.User("bench", "editor"))
        first = check(update, "update.geojson", store=store, b=b)
        counts = first.plan.counts() if first.plan else {}
        if counts.get("changed") != n:
            raise RuntimeError(f"update benchmark: {counts} (expected {n} changed)")
        updates, news = [], []
        for _ in range(repeat):  # interleaved: both see the same machine load
            t0 = time.perf_counter()
            check(update, "update.geojson", store=store, b=b)
            updates.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            check(fresh, "new.geojson", store=store, b=b)
            news.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        commit(first, store, auth.User("bench", "editor"))
        commit_s = time.perf_counter() - t0
    update_s, new_s = statistics.median(updates), statistics.median(news)
    figures: dict[str, Any] = {f"update_check_{n}_s": round(update_s, 3), f"new_check_{n}_s": round(new_s, 3),
                               "ratio_update_vs_new_check": round(update_s / new_s, 2),
                               f"update_commit_{n}_s": round(commit_s, 3)}
    if show:
        for key, value in figures.items():
            print(f"BENCH {key} {value}")
    return figures


if __name__ == "__main__":
    bench_update()
