"""Upload: choose a file -> it is read, checked and placed (with progress) -> the CRS proposal,
column and value mapping, the problem report and a preview map -> commit all valid features, or
nothing; the list of uploads with a rollback button each. Everything is done by geo.ingest (the
role check too); the widgets live in ``pages/ui/upload_mapping.py``, ``upload_review.py`` and
``upload_help.py``."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from geo import ingest
from geo.ingest import limits, review
from pages import ui
from pages.ui import upload_help
from pages.ui.upload_mapping import crs_choice, mapping_widgets
from pages.ui.upload_review import crs_confirmed, show_diff, show_preview, show_problems, show_summary

RESULT_KEY = "up_result"
DONE_KEY = "up_done"
NONCE_KEY = "up_nonce"
FORMATS = ["geojson", "json", "zip", "gpkg", "kml", "kmz", "csv", "txt", "tsv", "xlsx"]


def run_check(content: bytes, name: str, crs: str | None, mapping: dict[str, Any]) -> ingest.CheckResult:
    """Check the file once per (file, CRS, mapping), showing progress while reading, checking, placing."""
    key = review.check_key(content, crs, mapping)
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


def _done(message: str) -> None:
    """After a commit or rollback: say what happened, forget the file, start a fresh uploader."""
    st.session_state[DONE_KEY] = message
    st.session_state.pop(RESULT_KEY, None)
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1
    st.rerun()


def commit_button(result: ingest.CheckResult, confirmed: bool, decisions: dict[int, str] | None = None) -> None:
    if not result.n_valid:
        st.info(ui.t("up_nothing_valid"))
        return
    if not confirmed:
        st.caption(ui.t("up_confirm_first"))
    if st.button(ui.t("up_commit").format(n=result.n_valid), type="primary", key="up_commit",
                 help=ui.t("up_commit_help"), disabled=not confirmed):
        with ui.errors_shown():  # geo.ingest refuses anyone but editors and admins
            batch = ingest.commit(result, ui.store(), ui.current_user(), decisions=decisions)
        upload_help.remember_batch(batch, result.n_valid)
        _done(ui.t("up_committed").format(n=result.n_valid, batch=batch))


def uploads_list() -> None:
    st.subheader(ui.t("up_uploads"))
    df = review.upload_batches(ui.store())
    if df.empty:
        st.caption(ui.t("up_no_uploads"))
        return
    shown = pd.DataFrame({
        ui.t("up_batch"): df["batch_id"], ui.t("up_file_name"): df["file_name"], ui.t("up_when"): df["created_at"],
        ui.t("up_who"): df["actor"], ui.t("up_n"): df["n_features"], ui.t("up_present"): df["n_present"],
        ui.t("up_state"): df["status"].map(lambda s: ui.t(f"up_state_{s}")), ui.t("up_crs"): df["crs"]})
    st.dataframe(shown, hide_index=True, width="stretch", key="up_batches")
    for batch in review.rollbackable(df):
        if st.button(ui.t("up_rollback").format(batch=batch), key=f"up_rb_{batch}"):
            with ui.errors_shown():  # geo.ingest refuses anyone but editors and admins
                n = ingest.rollback(ui.store(), batch, ui.current_user())
            _done(ui.t("up_rolled_back").format(batch=batch, n=n))


def check_panel(upload: Any, lang: str) -> None:
    """The chosen file: CRS and mapping, the check, what it found, and the commit button."""
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


def main() -> None:
    lang = ui.sidebar(sign_in_first=True)
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
        check_panel(upload, lang)
    with ui.errors_shown():
        uploads_list()


main()
