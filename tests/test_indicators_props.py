"""Properties of progress and status, checked by Hypothesis over random sites and dates: the value
at a date is the number of achieved sites completed by then (never decreasing as the date moves
on), progress stays in 0–1 and reaches 1 exactly at the target's low end, and the status agrees
with the straight line."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.i18n import Text
from geo.indicators import judge as ind_judge
from geo.indicators.registry import Indicator, Target
from tests.conftest import examples

START, END = dt.date(2021, 1, 1), dt.date(2025, 12, 31)
days = st.integers(min_value=-400, max_value=2400).map(lambda d: START + dt.timedelta(days=d))
site = st.tuples(st.sampled_from(["planned", "in_progress", "completed", "suspended"]),
                 st.one_of(st.none(), days))


def frame(rows: list[tuple[str, dt.date | None]]) -> gpd.GeoDataFrame:
    n = len(rows)
    return gpd.GeoDataFrame({
        "id": [f"s{i}" for i in range(n)], "name": ["x"] * n, "category": ["market"] * n,
        "status": [r[0] for r in rows], "indicator": ["CT08"] * n,
        "end_date": [None if r[1] is None else r[1].isoformat() for r in rows],
        "district_codes": ["002"] * n, "commune_codes": [""] * n,
    }, geometry=[shapely.Point(105.85, 21.03)] * n, crs=4326)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(site, max_size=30), a=days, b=days, low=st.integers(1, 40))
def test_count_progress_and_status(store, rows, a, b, low):
    ind = Indicator("CT08", Text("Chợ", "Markets"), Target(low, low + 5), categories=("market",))
    sites = frame(rows)
    first, second = sorted((a, b))
    p1, p2 = (ind_judge.compute(store, d, indicators=[ind], sites=sites)[0] for d in (first, second))
    for p, day in ((p1, first), (p2, second)):
        expected = sum(1 for status, end in rows
                       if status == "completed" and (end or START) <= day)
        assert p.value == expected and p.count == expected
        assert p.progress is not None and 0 <= p.progress <= 1
        assert (p.progress == 1) == (expected >= low)
        line = ind_judge.expected_share(day, START, END)
        assert p.status == ("done" if expected >= low else "on_track" if p.progress + 1e-9 >= line else "at_risk")
        assert p.reason("vi") and p.reason("en")
    assert p2.value >= p1.value
