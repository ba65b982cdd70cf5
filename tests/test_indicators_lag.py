"""Indicators by district answer "which districts lag": the map coloured by the gap to the
expected share (diverging, no data grey and distinct from 'on the line'), the table worst first
with pledges as numbers, and the view opening on the indicator furthest behind."""

from __future__ import annotations

import datetime as dt
import math

from geo.indicators import judge as ind_judge
from geo.indicators import measure as ind_measure
from geo.indicators import progress as ind_progress
from geo.indicators import registry as ind_registry
from geo.maps import choropleth
from tests.test_indicators import ind_store  # noqa: F401  (fixture)
from tests.test_indicators_page import run


def test_lag_map_and_order(ind_store, bounds):  # noqa: F811
    as_of = dt.date(2025, 1, 1)
    expected = ind_judge.expected_share(as_of, *ind_progress.programme_window())
    ind = ind_registry.get_indicator(ind_store, "CT08")
    table = ind_judge.unit_lag(ind_measure.by_unit(ind_store, ind, bounds, "district", as_of), expected)
    lags = table["lag"].tolist()
    known = [v for v in lags if not math.isnan(v)]
    assert known == sorted(known) and all(math.isnan(v) for v in lags[len(known):])  # worst first, no data last
    m = choropleth.unit_choropleth(table, bounds, "district", column="lag", tiles=None)
    values = choropleth.map_values(m)
    layer = next(c for c in m._children.values() if isinstance(c, choropleth.UnitsLayer))
    colors = {f["properties"]["code"]: f["properties"]["color"] for f in layer.data["features"]}
    for code, v in values.items():
        if v is None:
            assert colors[code] == choropleth.NO_DATA
        else:
            assert colors[code] != choropleth.NO_DATA and colors[code] == choropleth.lag_color(v)
    assert choropleth.lag_color(0.0) != choropleth.NO_DATA
    assert choropleth.lag_color(-0.3) != choropleth.lag_color(0.3)


def test_units_view_opens_on_the_worst_indicator_with_pledges_as_numbers(ind_store, data_dir):  # noqa: F811
    at = run(as_of=dt.date(2025, 1, 1), section="units")
    assert not at.exception, at.exception
    worst = ind_judge.worst_indicator(ind_judge.compute(ind_store, dt.date(2025, 1, 1)))
    assert at.selectbox(key="ind_unit_code").value == worst
    assert at.radio(key="ind_unit_column").value == "lag"
    table = at.dataframe[0].value
    assert "None" not in table.astype(str).to_string() and "nan" not in table.astype(str).to_string()
    assert set(table["Cam kết"]) <= {"—"} | {str(v) for v in range(0, 1000)}
