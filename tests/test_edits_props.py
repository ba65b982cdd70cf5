"""Property (Hypothesis): any sequence of edits, update uploads (through the real pipeline),
rollbacks, deletions and restores keeps every site's last version equal to the stored site and
loses no version (numbers 1..n, no gap); a refused step leaves the store as it was. Both backends."""

from __future__ import annotations

import itertools
import json

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import auth, edits, ingest
from geo.errors import ConflictError, EditConflict, InputError, NotFound, SiteInvalid
from tests.conftest import examples
from tests.test_store import snapshot, three_sites

USER = auth.User("lan", "editor")
STATUSES = ("planned", "in_progress", "completed", "suspended")
_RUN = itertools.count()

step = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(STATUSES), st.integers(0, 100)),
    st.tuples(st.just("upload"), st.integers(1, 7), st.sampled_from(STATUSES), st.integers(0, 100)),
    st.tuples(st.just("rollback"), st.integers(0, 3), st.none(), st.none()),
    st.tuples(st.just("restore"), st.integers(0, 2), st.none(), st.integers(1, 9)),
    st.tuples(st.just("delete"), st.integers(0, 2), st.none(), st.none()),
    st.tuples(st.just("undelete"), st.integers(0, 2), st.none(), st.none()),
)


def _upload(store, ids: list[str], status: str, progress: int, bounds) -> str:
    feats = []
    for sid in ids:
        s = store.get_site(sid)
        feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(s["geometry"]),
                      "properties": {"id": sid, "name": s["name"], "category": s["category"], "status": status,
                                     "progress_pct": progress}})
    content = json.dumps({"type": "FeatureCollection", "features": feats, "n": next(_RUN)}).encode()
    return ingest.commit(ingest.check(content, "update.geojson", store=store, b=bounds), store, auth.User("bot", "editor"))


def _apply(store, ids, batches, op, bounds) -> None:
    kind, k, status, n = op
    sid = ids[k % len(ids)] if kind != "upload" else None
    if kind == "edit":
        v = store.get_site(sid)["version"]
        edits.edit_site(store, sid, {"status": status, "progress_pct": n}, user=USER, expected_version=v,
                        reason="đổi", b=bounds)
    elif kind == "upload":
        live = [i for j, i in enumerate(ids) if k & (1 << j) and i in set(store.query_sites()["id"])]
        if live:
            batches.append(_upload(store, live, status, n, bounds))
    elif kind == "rollback" and batches:
        ingest.rollback(store, batches[k % len(batches)], auth.User("bot", "editor"))
    elif kind == "restore":
        current = store.get_site(sid, include_deleted=True)["version"]
        edits.restore_version(store, sid, 1 + (n - 1) % current, user=USER, expected_version=current)
    elif kind == "delete":
        edits.delete_site(store, sid, user=USER, reason="thử", expected_version=store.get_site(sid)["version"])
    elif kind == "undelete":
        edits.undelete_site(store, sid, user=USER)


def _check_invariants(store, ids) -> None:
    shown = set(store.query_sites()["id"])
    for sid in ids:
        history = edits.site_history(store, sid)
        assert [h["version"] for h in history] == list(range(1, len(history) + 1))
        last = history[-1]
        if last["deleted"]:
            assert sid not in shown
            with pytest.raises(NotFound):
                store.get_site(sid)
            continue
        stored = store.get_site(sid)
        assert sid in shown and stored["version"] == last["version"]
        assert {k: v for k, v in stored.items() if k != "geometry"} == \
            {k: v for k, v in last["site"].items() if k != "geometry"}
        assert stored["geometry"].equals_exact(last["site"]["geometry"], 0)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(step, min_size=1, max_size=7))
def test_history_follows_every_change(store, bounds, ops):
    prefix = f"p{next(_RUN)}"
    store.commit_batch(three_sites(prefix), actor="alice")
    ids = [f"{prefix}-{i}" for i in (1, 2, 3)]
    batches: list[str] = []
    for op in ops:
        before = snapshot(store)
        try:
            _apply(store, ids, batches, op, bounds)
        except (ConflictError, EditConflict, InputError, NotFound, SiteInvalid):
            assert snapshot(store) == before  # refused whole
        _check_invariants(store, ids)
