"""P03 Map — home: the city overview and links to the pages.

Run with ``make run``. Pages live in ``pages/`` (Streamlit's multipage folder; the sidebar's page
list is drawn by ``pages.ui.nav`` in the chosen language). Each page is thin: widgets -> geo/ -> render.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import sites as site_ops
from geo.schema import CATEGORIES
from pages import ui


@st.cache_data(show_spinner=False, max_entries=8)
def _overview(version: int, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    sites = ui.store().query_sites()
    b = ui.bounds()
    by_cat = sites["category"].value_counts()
    cat_table = pd.DataFrame(
        [{ui.t("category"): c.label(lang), ui.t("count"): int(by_cat.get(c.code, 0))} for c in CATEGORIES])
    per_unit = site_ops.unit_category_counts(sites, "district_codes")
    rows = []
    for _, d in b.districts.iterrows():
        counts = per_unit.loc[d["code"]] if d["code"] in per_unit.index else {}
        row = {ui.t("code"): d["code"], ui.t("district"): f"{d['type']} {d['name']}" if lang == "vi" else d["name_en"],
               ui.t("total"): int(counts.get("_total", 0))}
        row.update({c.label(lang): int(counts.get(c.code, 0)) for c in CATEGORIES})
        rows.append(row)
    return cat_table, pd.DataFrame(rows), len(sites)


def home() -> None:
    lang = ui.sidebar()
    st.title(ui.t("app_title"))
    st.caption(ui.t("app_tagline"))
    with ui.errors_shown():
        cat_table, district_table, total = _overview(ui.cached_version(), lang)
    if not total:
        st.info(ui.t("store_empty"))
    c1, c2, c3 = st.columns(3)
    c1.metric(ui.t("sites"), f"{total:,}".replace(",", "."))
    c2.metric(ui.t("districts"), 30)
    c3.metric(ui.t("communes"), 126)
    st.subheader(ui.t("counts_by_category"))
    st.dataframe(cat_table, hide_index=True, width="stretch")
    st.subheader(ui.t("counts_by_district"))
    st.dataframe(district_table, hide_index=True, width="stretch")
    st.subheader(ui.t("pages_intro"))
    for file, key, icon in ui.existing_pages()[1:]:
        st.page_link(file, label=ui.t(key), icon=icon)
    with st.expander(ui.t("attribution")):
        for line in dict.fromkeys(ui.bounds().attribution.values()):
            st.markdown(f"- {line}")


if __name__ == "__main__":  # a script run of the home page
    home()
else:  # `streamlit run app.py` imports this module and serves the st.App: the app + the cookie routes
    from pages.ui import cookies

    app = st.App("app.py", routes=cookies.routes())
