"""Upload: choose a file -> it is read, checked and placed (with progress) -> the CRS proposal,
column and value mapping, the problem report and a preview map -> commit all valid features, or
nothing; the list of uploads with a rollback button each. Everything is done by geo.ingest."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import crs as crs_mod
from geo import ingest, render
from geo.i18n import t
from geo.ingest import limits, match
from geo.ingest.validate import INPUT_FIELDS
from geo.schema import CATEGORIES, STATUSES, category_label, status_label
from pages import ui
from pages.ui import upload_help

AUTO = "__auto__"
OTHER = "__other__"
# format_func lambdas take the language as an argument (AppTest calls them outside the session)
RESULT_KEY = "up_result"
DONE_KEY = "up_done"
NONCE_KEY = "up_nonce"
FORMATS = ["geojson", "json", "zip", "gpkg", "kml", "kmz", "csv", "txt", "tsv", "xlsx"]


# ---------------------------------------------------------------- checking


def run_check(content: bytes, name: str, crs: str | None, mapping: dict[str, Any]) -> ingest.CheckResult:
    """Check the file once per (file, CRS, mapping), showing progress while reading, checking, placing."""
    key = hashlib.sha256(content).hexdigest() + "|" + (crs or "") + "|" + json.dumps(mapping, sort_keys=True,
                                                                                     ensure_ascii=False)
    cached = st.session_state.get(RESULT_KEY)
    if cached and cached[0] == key:
        return cached[1]
    bar = st.progress(0.0, text=ui.t("up_stage_reading"))

    def progress(stage: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=ui.t(f"up_stage_{stage}"))

    result = ingest.check(content, name, crs=crs, mapping=mapping, progress=progress, store=ui.store(), b=ui.bounds())
    bar.empty()
    st.session_state[RESULT_KEY] = (key, result)
    return result


def crs_choice(lang: str) -> str | None:
    """The CRS selectbox: automatic, the CRSs people use in Hanoi, or another EPSG code."""
    options = [AUTO, *[k.code for k in crs_mod.KNOWN], OTHER]
    choice = st.selectbox(ui.t("up_crs"), options, key="up_crs",
                          format_func=lambda c: t("up_crs_auto", lang) if c == AUTO else
                          t("up_crs_other", lang) if c == OTHER else crs_mod.describe(c, lang))
    if choice == OTHER:
        text = st.text_input(ui.t("up_crs_other"), key="up_crs_text").strip()
        return text or None
    return None if choice == AUTO else str(choice)


def mapping_widgets(result: ingest.CheckResult | None, columns: list[str], lang: str) -> dict[str, Any]:
    """Column choices (name, category, coordinates, optional fields) and value mapping."""
    mapping: dict[str, Any] = {}
    with st.expander(ui.t("up_mapping"), expanded=bool(result and result.n_features and not result.n_valid)):
        st.caption(ui.t("up_mapping_help"))
        opts = [AUTO, *columns]
        label = {AUTO: ui.t("up_col_auto")}
        cols = st.columns(4)
        for i, (fld, title) in enumerate((("name", ui.t("name")), ("category", ui.t("category")),
                                          ("lon", ui.t("up_lon")), ("lat", ui.t("up_lat")),
                                          ("geometry", ui.t("up_wkt")), ("status", ui.t("status")),
                                          ("id", ui.t("id")), ("start_date", ui.t("start_date")))):
            picked = cols[i % 4].selectbox(title, opts, key=f"up_map_{fld}", format_func=lambda c: label.get(c, c))
            if picked != AUTO:
                mapping[fld] = picked
        codes = [None, *[c.code for c in CATEGORIES]]
        default = st.selectbox(ui.t("up_category_default"), codes, key="up_cat_default",
                               format_func=lambda c: t("up_none", lang) if c is None else category_label(c, lang))
        if default:
            mapping["category_default"] = default
    if result is not None:
        mapping.update(value_widgets(result, lang))
    mapping.update(upload_help.extra_mapping(columns))
    return {k: v for k, v in mapping.items() if k in INPUT_FIELDS or k in ("lon", "lat", "geometry") or
            k.endswith(("_values", "_default"))}


def _term_label(label_of: Callable[[str, str], str], lang: str, code: str | None) -> str:
    return t("up_unmapped", lang) if code is None else label_of(code, lang)


def value_widgets(result: ingest.CheckResult, lang: str) -> dict[str, Any]:
    """A selectbox per category/status value the vocabulary does not know."""
    out: dict[str, Any] = {}
    pending = {fld: vals for fld, vals in result.unmatched.items() if vals}
    known = {fld: st.session_state.get(f"up_vals_{fld}", {}) for fld in ("category", "status")}
    if not pending and not any(known.values()):
        return {}
    vocab = {"category": (CATEGORIES, category_label), "status": (STATUSES, status_label)}
    with st.expander(ui.t("up_values"), expanded=bool(pending)):
        for fld in ("category", "status"):
            values = sorted(set(pending.get(fld, [])) | set(known[fld]))[:50]
            terms, label_of = vocab[fld]
            shown = functools.partial(_term_label, label_of, lang)
            chosen: dict[str, str] = {}
            for k, value in enumerate(values):
                code = st.selectbox(ui.t("up_value_of").format(value=ui.md_escape(value), field=ui.t(fld)),
                                    [None, *[term.code for term in terms]], key=f"up_val_{fld}_{k}",
                                    format_func=shown)
                if code:
                    chosen[value] = code
            st.session_state[f"up_vals_{fld}"] = chosen
            if chosen:
                out[f"{fld}_values"] = chosen
    return out


# ---------------------------------------------------------------- report and preview


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
    fmap = render.site_map(result.accepted, ui.bounds(), lang=lang)
    st_folium(fmap, height=460, use_container_width=True, key="up_map", returned_objects=[])


# ---------------------------------------------------------------- commit and rollback (role-checked)


def show_diff(result: ingest.CheckResult, lang: str) -> dict[int, str]:
    """New / changed / unchanged / absent, each change field by field, and a choice per same-name
    match and possible duplicate; returns the choices (feature number -> update/new/skip)."""
    if result.plan is None or not result.n_valid:
        return {}
    st.subheader(ui.t("up_diff"))
    st.caption(ui.t("up_diff_counts").format(**result.plan.counts()))
    rows = [{ui.t("up_feature"): m.feature, ui.t("up_diff_site"): m.site_id, ui.t("field"): f,
             ui.t("up_diff_old"): "" if old is None else str(old)[:200],
             ui.t("up_diff_new"): "" if new is None else str(new)[:200]}
            for m in result.plan.matches if m.kind == "changed" for f, (old, new) in m.changes.items()]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=min(420, 38 + 35 * len(rows)),
                     key="up_diff_table")
    decisions: dict[int, str] = {}
    asked = [m for m in result.plan.matches if m.how in ("name", "possible")][:100]
    if asked:
        with st.expander(ui.t("up_decide"), expanded=True):
            for m in asked:
                best = m.candidates[0] if m.candidates else {"site_id": m.site_id, "distance_m": 0}
                label = ui.t("up_decide_one").format(
                    feature=m.feature, name=ui.md_escape(str(result.accepted["name"].iat[m.row])),
                    how=ui.t(f"up_how_{m.how}"), site=ui.md_escape(str(best["site_id"])), dist=best["distance_m"])
                decisions[m.feature] = str(st.radio(label, list(match.DECISIONS), key=f"up_dec_{m.feature}",
                                                    index=list(match.DECISIONS).index(m.decision), horizontal=True,
                                                    format_func=lambda d: t(f"up_dec_{d}", lang)))
    if result.plan.absent:
        ids = [a["site_id"] for a in result.plan.absent]
        shown = ", ".join(ids[:20]) + (" …" if len(ids) > 20 else "")
        st.caption(ui.t("up_absent").format(ids=ui.md_escape(shown)))
    return decisions


def do_commit(result: ingest.CheckResult, decisions: dict[int, str] | None = None) -> str:
    """Commit the new and changed features as one batch (editors and admins)."""
    return ingest.commit(result, ui.store(), ui.current_user(), decisions=decisions)


def do_rollback(batch_id: str) -> int:
    """Roll a batch back (editors and admins)."""
    return ingest.rollback(ui.store(), batch_id, ui.current_user())


def commit_button(result: ingest.CheckResult, confirmed: bool, decisions: dict[int, str] | None = None) -> None:
    if not result.n_valid:
        st.info(ui.t("up_nothing_valid"))
        return
    if not confirmed:
        st.caption(ui.t("up_confirm_first"))
    if st.button(ui.t("up_commit").format(n=result.n_valid), type="primary", key="up_commit",
                 help=ui.t("up_commit_help"), disabled=not confirmed):
        with ui.errors_shown():
            batch = do_commit(result, decisions)
        upload_help.remember_batch(batch, result.n_valid)
        st.session_state[DONE_KEY] = ui.t("up_committed").format(n=result.n_valid, batch=batch)
        st.session_state.pop(RESULT_KEY, None)
        st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1
        st.rerun()


def uploads_list(lang: str) -> None:
    st.subheader(ui.t("up_uploads"))
    df = ingest.uploads(ui.store())
    df = df[df["kind"] == "upload"]
    if df.empty:
        st.caption(ui.t("up_no_uploads"))
        return
    shown = pd.DataFrame({
        ui.t("up_batch"): df["batch_id"], ui.t("up_file_name"): df["file_name"], ui.t("up_when"): df["created_at"],
        ui.t("up_who"): df["actor"], ui.t("up_n"): df["n_features"], ui.t("up_present"): df["n_present"],
        ui.t("up_state"): df["status"].map(lambda s: ui.t(f"up_state_{s}")), ui.t("up_crs"): df["crs"]})
    st.dataframe(shown, hide_index=True, width="stretch", key="up_batches")
    for batch in df[df["status"] == "committed"]["batch_id"].head(20):
        if st.button(ui.t("up_rollback").format(batch=batch), key=f"up_rb_{batch}"):
            with ui.errors_shown():
                n = do_rollback(str(batch))
            st.session_state[DONE_KEY] = ui.t("up_rolled_back").format(batch=batch, n=n)
            st.session_state.pop(RESULT_KEY, None)
            st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1
            st.rerun()


# ---------------------------------------------------------------- page


def main() -> None:
    lang = ui.sidebar()
    ui.use_local_assets()
    st.title(ui.t("upload"))
    st.caption(ui.t("up_intro"))
    ui.require_role("editor", "upload")  # others see a sign-in prompt and nothing else of the page
    if st.session_state.get(DONE_KEY):
        st.success(st.session_state.pop(DONE_KEY))
        upload_help.show_on_map_link()
    nonce = st.session_state.setdefault(NONCE_KEY, 0)  # a new uploader (empty) after each commit
    upload = st.file_uploader(ui.t("up_file"), type=FORMATS, key=f"up_file_{nonce}")
    if upload is not None:
        with ui.errors_shown():
            limits.check_size(upload.size, upload.name)  # before reading the content
        content, name = upload.getvalue(), upload.name
        crs = crs_choice(lang)
        previous = st.session_state.get(RESULT_KEY)
        prev_result = previous[1] if previous and previous[1].sha256 == hashlib.sha256(content).hexdigest() else None
        mapping = mapping_widgets(prev_result, prev_result.columns if prev_result else [], lang)
        with ui.errors_shown():
            result = run_check(content, name, crs, mapping)
        if prev_result is None:
            st.rerun()  # draw the mapping widgets with the file's columns
        show_summary(result, lang)
        upload_help.crs_candidates(result, lang)
        upload_help.unused_columns(result)
        upload_help.rules_used(result, lang)
        confirmed = crs_confirmed(result, lang)
        show_problems(result, lang)
        show_preview(result, lang)
        decisions = show_diff(result, lang)
        commit_button(result, confirmed, decisions)
    with ui.errors_shown():
        uploads_list(lang)


main()
