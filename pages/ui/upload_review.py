"""Upload-page panels that show what the check found: the summary, the CRS to confirm, the
problem report, the preview map and the differences against the store with a choice per
same-name match or possible duplicate."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import crs as crs_mod
from geo import ingest
from geo.i18n import t
from geo.ingest import match, review
from geo.maps import sites as map_sites
from pages import ui


def show_summary(result: ingest.CheckResult, lang: str) -> None:
    crs = crs_mod.describe(result.crs, lang) if result.crs else "—"
    text = ui.t("up_summary").format(file=ui.md_escape(result.file_name), n=result.n_features, valid=result.n_valid,
                                     rejected=result.n_rejected, crs=ui.md_escape(crs))
    (st.success if result.all_valid else st.warning)(text)
    if result.previous_batch:
        st.info(ui.t("up_repeat").format(batch=result.previous_batch["batch_id"]))


def crs_confirmed(result: ingest.CheckResult, lang: str) -> bool:
    """When the CRS was guessed, say so and ask the user to confirm it."""
    if result.crs_source != "guessed":
        return True
    st.warning(ui.t("up_crs_guessed").format(crs=ui.md_escape(crs_mod.describe(str(result.crs), lang))))
    return bool(st.checkbox(ui.t("up_crs_confirm"), key="up_crs_ok"))


def show_problems(result: ingest.CheckResult, lang: str) -> None:
    st.subheader(ui.t("up_problems").format(n=len(result.problems)))
    if not result.problems:
        st.caption(ui.t("up_no_problems"))
        return
    table = result.table(lang)
    table["severity"] = table["severity"].map(lambda s: ui.t(f"up_{s}"))
    table["feature"] = table["feature"].astype("string").fillna("")  # whole-file rows: no number
    table.columns = [ui.t("up_feature"), ui.t("field"), ui.t("value"), ui.t("up_severity"), ui.t("up_message")]
    st.dataframe(table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(table)), key="up_table")
    st.download_button(ui.t("up_problems_csv"), result.csv(lang), file_name=f"{result.file_name}.problems.csv",
                       mime="text/csv", key="up_csv")


def show_preview(result: ingest.CheckResult, lang: str) -> None:
    if not result.n_valid:
        return
    st.subheader(ui.t("up_preview"))
    fmap = map_sites.site_map(result.accepted, ui.bounds(), lang=lang)
    st_folium(fmap, height=460, use_container_width=True, key="up_map", returned_objects=[])


def _changes_table(plan: match.UpdatePlan) -> None:
    rows = [{ui.t("up_feature"): c.feature, ui.t("up_diff_site"): c.site_id, ui.t("field"): c.field,
             ui.t("up_diff_old"): c.old, ui.t("up_diff_new"): c.new} for c in review.changes(plan)]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=min(420, 38 + 35 * len(rows)),
                     key="up_diff_table")


def _decisions(result: ingest.CheckResult, asked: list[match.Match], lang: str) -> dict[int, str]:
    decisions: dict[int, str] = {}
    with st.expander(ui.t("up_decide"), expanded=True):
        for m in asked:
            best = review.best_candidate(m)
            label = ui.t("up_decide_one").format(
                feature=m.feature, name=ui.md_escape(str(result.accepted["name"].iat[m.row])),
                how=ui.t(f"up_how_{m.how}"), site=ui.md_escape(str(best["site_id"])), dist=best["distance_m"])
            decisions[m.feature] = str(st.radio(label, list(match.DECISIONS), key=f"up_dec_{m.feature}",
                                                index=list(match.DECISIONS).index(m.decision), horizontal=True,
                                                format_func=lambda d: t(f"up_dec_{d}", lang)))
    return decisions


def show_diff(result: ingest.CheckResult, lang: str) -> dict[int, str]:
    """New / changed / unchanged / absent, each change field by field, and a choice per same-name
    match and possible duplicate; returns the choices (feature number -> update/new/skip)."""
    if result.plan is None or not result.n_valid:
        return {}
    st.subheader(ui.t("up_diff"))
    st.caption(ui.t("up_diff_counts").format(**result.plan.counts()))
    _changes_table(result.plan)
    asked = review.to_decide(result.plan)
    decisions = _decisions(result, asked, lang) if asked else {}
    if result.plan.absent:
        st.caption(ui.t("up_absent").format(ids=ui.md_escape(review.absent_ids(result.plan))))
    return decisions
