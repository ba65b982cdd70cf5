"""What the indicators page shows, shaped in geo.indicators.dashboard / history: the step series
of a card's chart, the links to the district map (built from geo.views, not by hand), English
labels on the English page, and the by-unit table over the real boundaries."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from geo import auth, views
from geo.i18n import fold, pick
from geo.indicators import dashboard, edits, history, judge, measure, registry
from tests.test_indicators import ind_store  # noqa: F401  (fixture)

AS_OF = dt.date(2025, 1, 1)


def test_step_series_starts_at_zero_holds_the_last_value_and_stops_at_the_date():
    hist = pd.DataFrame({"date": pd.to_datetime(["2022-05-01", "2023-01-10", "2024-06-01"]),
                         "value": [1.0, 3.0, 4.0]})
    s = history.step_series(hist, dt.date(2024, 1, 1), dt.date(2021, 1, 1))
    assert s["date"].dt.strftime("%Y-%m-%d").tolist() == ["2021-01-01", "2022-05-01", "2023-01-10", "2024-01-01"]
    assert s["value"].tolist() == [0.0, 1.0, 3.0, 3.0]  # the 2024-06-01 change is after the date
    early = history.step_series(hist, dt.date(2024, 12, 31), dt.date(2023, 1, 1))
    assert early["date"].iloc[0] == pd.Timestamp("2022-05-01") and early["value"].iloc[0] == 0.0
    assert history.step_series(hist.iloc[:0], dt.date(2024, 1, 1)).empty


def test_card_links_to_the_map_through_the_views_parameters(ind_store, bounds):  # noqa: F811
    p = next(p for p in judge.compute(ind_store, AS_OF) if p.indicator.code == "CT08")
    card = dashboard.card(p, "en", escape=lambda s: f"<{s}>")
    assert card.map_params == {"indicator": "CT08"}
    assert views.from_params(card.map_params, bounds).indicators == ("CT08",)
    assert card.map_url == "district_map?indicator=CT08"
    assert card.heading == f"<CT08> · <{p.indicator.title('en')}>"
    assert card.value_line.startswith("Achieved: ") and card.status_text and card.reason.startswith("<")


def test_unit_rows_link_each_unit_and_label_it_in_english(ind_store, bounds):  # noqa: F811
    ind = registry.get_indicator(ind_store, "CT08")
    table = dashboard.with_lag(measure.by_unit(ind_store, ind, bounds, "commune", AS_OF), AS_OF)
    shown = dashboard.unit_rows(table, ind, "commune", "en")
    assert len(shown) == len(bounds.communes) == 126
    links = shown["Open map"].tolist()
    assert all(parse_qs(urlsplit(u).query) == {"commune": [c], "indicator": ["CT08"]}
               for u, c in zip(links, table["code"], strict=True))
    assert set(shown["Commune/ward (2025)"]) == set(bounds.communes["name_en"])
    assert dashboard.map_link(ind, "district") == "district_map?district={code}&indicator=CT08"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_district_pickers_speak_the_page_language(bounds, lang):
    choices = dashboard.unit_choices(bounds, lang, whole_city=True)
    assert len(choices) == len(bounds.districts) + 1 and choices[""] in ("Toàn thành phố", "Whole city")
    first = choices["district:001"]
    if lang == "en":
        assert first.startswith("Ba Dinh") and choices[""] == "Whole city"
    else:
        assert first.startswith("Quận Ba Đình") and fold("ba dinh") in fold(first)


@pytest.mark.parametrize("lang, unit, day", [("vi", "Hoàn Kiếm", "31/12/2024"), ("en", "Hoan Kiem", "2024-12-31")])
def test_entered_values_read_in_the_page_language(ind_store, bounds, lang, unit, day):  # noqa: F811
    editor = auth.User("lan", "editor")
    edits.enter_value(ind_store, "CT12", 35.5, "2024-12-31", user=editor, source="Sở Xây dựng")
    edits.enter_value(ind_store, "CT12", 3.0, "2024-06-30", user=editor, unit_layer="district", unit_code="002")
    table = dashboard.values_table(ind_store.indicator_values(), bounds, lang)
    rows = table.to_dict("records")
    assert len(rows) == 2 and list(rows[0].values())[2:4] == [pick(lang, "35,5", "35.5"), day]  # newest first
    assert list(rows[0].values())[4] == pick(lang, "Toàn thành phố", "Whole city") and list(rows[1].values())[4] == unit
    assert list(rows[1].values())[6] == "—" and list(rows[1].values())[7] == "lan"  # no note; who entered it
    moment = pick(lang, r"\d\d/\d\d/\d{4} \d\d:\d\d", r"\d{4}-\d\d-\d\d \d\d:\d\d")
    assert re.fullmatch(moment, list(rows[0].values())[8])  # when it was entered, as written in the language
