"""The form recording a field inspection (a stop of a saved visit plan, or any site's details):
who, when, state seen, notes, proposed status and progress, and photos checked as they are chosen.

State: the form's widgets keep what was typed in ``st.session_state`` (keys ``<key>_<nonce>_*``)
until the inspection is saved, so a save that fails (connection lost, a refused photo) can be sent
again; a successful save bumps the nonce (a fresh form). Checked photos are kept per uploaded
file in ``<key>_photos`` so that a rerun does not decode them again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from geo import inspections as insp_ops
from geo import photos
from geo.errors import P03Error
from geo.schema import STATUSES, status_label
from pages import ui

PHOTO_TYPES = ["jpg", "jpeg", "png", "heic", "heif"]


def _prepared(key: str, files: list[Any]) -> tuple[list[tuple[Any, photos.Photo]], list[P03Error]]:
    """Each uploaded file checked once (kept per file id): the good photos and the refusals."""
    cache: dict[str, Any] = st.session_state.setdefault(f"{key}_photos", {})
    good, bad = [], []
    for f in files:
        fid = f"{getattr(f, 'file_id', '')}:{f.name}:{f.size}"
        if fid not in cache:
            try:
                cache[fid] = photos.prepare(f.getvalue(), f.name)
            except P03Error as exc:
                cache[fid] = exc
        (bad.append(cache[fid]) if isinstance(cache[fid], P03Error) else good.append((fid, cache[fid])))
    return good, bad


def _fields(k: str, user_label: str) -> dict[str, Any]:
    """The typed fields (date, time, inspectors, findings, assessment, proposal)."""
    ss = st.session_state
    ss.setdefault(f"{k}_date", dt.date.today())
    ss.setdefault(f"{k}_time", dt.datetime.now().time().replace(second=0, microsecond=0))
    ss.setdefault(f"{k}_people", user_label)
    with st.container(horizontal=True):
        # the seeded values as the defaults too (see ui.view_filters: a widget drawn a run late)
        st.date_input(ui.t("insp_date"), ss[f"{k}_date"], key=f"{k}_date", format="DD/MM/YYYY")
        st.time_input(ui.t("insp_time"), ss[f"{k}_time"], key=f"{k}_time", step=dt.timedelta(minutes=5))
    st.text_area(ui.t("insp_inspectors"), ss[f"{k}_people"], key=f"{k}_people", height=68, max_chars=2000)
    st.text_area(ui.t("insp_findings"), key=f"{k}_findings", height=120, max_chars=insp_ops.MAX_FINDINGS)
    st.radio(ui.t("insp_assessment"), list(insp_ops.ASSESSMENTS), key=f"{k}_assess", horizontal=True,
             format_func=lambda a: ui.t(f"assess_{a}"))
    with st.expander(ui.t("insp_propose")):
        st.selectbox(ui.t("insp_proposed_status"), [None, *(s.code for s in STATUSES)], key=f"{k}_status",
                     format_func=lambda c: ui.t("insp_no_change") if c is None else status_label(c, ui.lang()))
        st.number_input(ui.t("insp_proposed_progress"), min_value=0.0, max_value=100.0, step=5.0, value=None,
                        key=f"{k}_progress")
    when = dt.datetime.combine(ss[f"{k}_date"], ss[f"{k}_time"])
    return {"inspected_at": when.strftime("%Y-%m-%dT%H:%M"), "findings": ss[f"{k}_findings"],
            "inspectors": [p for p in ss[f"{k}_people"].splitlines() if p.strip()],
            "assessment": ss[f"{k}_assess"], "proposed_status": ss[f"{k}_status"],
            "proposed_progress": ss[f"{k}_progress"]}


def _photo_inputs(key: str, k: str, site_geom: Any, when: str) -> tuple[list[photos.Photo], list[P03Error]]:
    """File picker (camera or gallery on a phone) and, on request, the camera; a caption each;
    flags (far from the site, another day) and refusals shown before saving."""
    files = list(st.file_uploader(ui.t("insp_photos"), type=PHOTO_TYPES, accept_multiple_files=True,
                                  key=f"{k}_files") or [])
    if st.toggle(ui.t("insp_camera"), key=f"{k}_cam_on"):
        shot = st.camera_input(ui.t("insp_take"), key=f"{k}_cam")
        files += [shot] if shot is not None else []
    good, bad = _prepared(key, files)
    for exc in bad:
        ui.show_error(exc)
    out = []
    for fid, photo in good:
        with st.container(horizontal=True):
            st.image(photo.thumb, width=96)
            photo.caption = st.text_input(ui.t("insp_caption"), key=f"{k}_cap_{fid}", max_chars=500)
        for warning in photos.flag(photo, site_geom, when):
            st.warning(ui.md_neutralise(warning[ui.lang()]), icon=":material/location_on:")
        out.append(photo)
    return out, bad


def record_form(site_id: str, *, key: str, plan_id: str | None = None, stop_seq: int | None = None) -> None:
    """The form recording an inspection of ``site_id`` (for stop ``stop_seq`` of ``plan_id``)."""
    user = ui.current_user()
    flash = st.session_state.pop(f"{key}_flash", None)
    if flash:
        st.success(flash)
    if user is None or not user.can("inspect"):
        st.info(ui.t("insp_sign_in"), icon=":material/lock:")
        return
    k = f"{key}_{st.session_state.setdefault(f'{key}_nonce', 0)}"
    fields = _fields(k, user.label)
    with ui.errors_shown():
        geom = ui.store().get_site(site_id)["geometry"]
    pics, bad = _photo_inputs(key, k, geom, fields["inspected_at"])
    if bad:
        st.caption(ui.t("insp_fix_photos"))
    if st.button(ui.t("insp_save"), key=f"{k}_save", type="primary", disabled=bool(bad)):
        draft = insp_ops.Draft(site_id=site_id, plan_id=plan_id, stop_seq=stop_seq, photos=pics, **fields)
        try:
            insp_ops.record(ui.store(), draft, user)
        except P03Error as exc:  # the typed fields stay in session state: fix and send again
            ui.show_error(exc)
            return
        st.session_state[f"{key}_nonce"] += 1
        st.session_state.pop(f"{key}_photos", None)
        st.session_state[f"{key}_flash"] = ui.t("insp_saved").format(n=len(pics))
        st.rerun()
