"""Field inspections on the pages: a site's inspections with thumbnails that open full size, the
record form where it belongs (:mod:`pages.ui.inspection_form`), and the "last inspected" filter of
the district map. The logic is in :mod:`geo.inspections` and :mod:`geo.photos`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo import inspections as insp_ops
from geo.schema import status_label
from pages import ui
from pages.ui.inspection_form import record_form

# ---------------------------------------------------------------- cached reads (per store version)


@st.cache_data(show_spinner=False, max_entries=64)
def _inspections(version: int, site_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = ui.store()
    df = store.list_inspections(site_id=site_id)
    return df, store.list_photos(list(df["inspection_id"]), thumbs=True)


@st.cache_data(show_spinner=False, max_entries=8)
def _last_inspected(version: int) -> dict[str, str]:
    return ui.store().last_inspected()


# ---------------------------------------------------------------- a site's inspections


@st.dialog(" ", width="large")
def _full_size(photo_id: str, caption: str, meta: dict[str, Any]) -> None:
    st.image(ui.store().photo_image(photo_id, "display"), width="stretch")
    if caption:
        st.caption(ui.md_escape(caption))
    if meta.get("taken_at"):
        st.caption(ui.t("insp_taken").format(at=str(meta["taken_at"]).replace("T", " ")))
    if ui.current_user() is None:  # the original and the place it was taken: signed-in users only
        return
    if meta.get("lat") is not None and not pd.isna(meta["lat"]):
        d = meta.get("distance_m")
        st.caption(ui.t("insp_gps").format(lat=f"{meta['lat']:.6f}", lon=f"{meta['lon']:.6f}",
                                           d="?" if d is None or pd.isna(d) else f"{d:.0f}"))
    st.download_button(ui.t("insp_download_original"), ui.store().photo_image(photo_id, "original"),
                       file_name=meta.get("file_name") or "photo.jpg", mime=meta.get("media_type"),
                       key=f"dl_{photo_id}")


def _accept(inspection_id: str) -> None:
    with ui.errors_shown():
        insp_ops.apply(ui.store(), inspection_id, ui.current_user())
    st.session_state["insp_accept_flash"] = ui.t("insp_accepted_ok")


def _one(insp: dict[str, Any], pics: pd.DataFrame, editor: bool) -> None:
    when = str(insp["inspected_at"]).replace("T", " ")
    people = "; ".join(p for p in str(insp.get("inspectors") or "").split("\n") if p)
    st.markdown(f"**{when}** · {ui.t('assess_' + insp['assessment'])} · {ui.md_escape(people)}")
    st.text(insp["findings"])
    change = insp_ops.proposal(insp)
    if change:
        words = [status_label(change["status"], ui.lang())] if "status" in change else []
        words += [f"{change['progress_pct']:g} %"] if "progress_pct" in change else []
        done = ui.t("insp_accepted").format(who=ui.md_escape(insp["applied_by"]), at=insp["applied_at"]) \
            if insp.get("applied_at") else ""
        st.caption(f"{ui.t('insp_proposal')}: {', '.join(words)} {done}")
        if editor and not insp.get("applied_at"):
            st.button(ui.t("insp_accept"), key=f"acc_{insp['inspection_id']}", on_click=_accept,
                      args=(insp["inspection_id"],))
    cols = st.columns(4)
    for i, p in enumerate(pics.to_dict("records")):
        with cols[i % 4]:
            st.image(p["thumb"], width="stretch")
            caption = "" if p["caption"] is None or pd.isna(p["caption"]) else str(p["caption"])
            if caption:
                st.caption(ui.md_escape(caption))
            if st.button(ui.t("insp_open_photo"), key=f"open_{p['photo_id']}", icon=":material/open_in_full:"):
                _full_size(p["photo_id"], caption, {k: p[k] for k in ("taken_at", "lat", "lon", "distance_m",
                                                                      "file_name", "media_type")})


def site_inspections(site_id: str) -> None:
    """The site's inspections, newest first, thumbnails (not originals) that open full size; a
    form to record one; editors accept proposals."""
    st.subheader(ui.t("insp_title"))
    flash = st.session_state.pop("insp_accept_flash", None)
    if flash:
        st.success(flash)
    df, pics = _inspections(ui.cached_version(), site_id)
    user = ui.current_user()
    editor = user is not None and user.can("apply_inspection")
    if df.empty:
        st.caption(ui.t("insp_none"))
    for insp in df.to_dict("records"):
        with st.container(border=True):
            _one(insp, pics[pics["inspection_id"] == insp["inspection_id"]], editor)
    with st.expander(ui.t("insp_record")):
        record_form(site_id, key=f"insp_site_{site_id}")


# ---------------------------------------------------------------- visit stops and the map filter


def stop_status(plan_id: str | None, site_id: str, seq: int) -> None:
    """Under a stop of a visit: whether it is recorded, and the form (saved plans only)."""
    if not plan_id:
        return
    n = insp_ops.plan_recorded(ui.store(), plan_id).get(site_id, 0)
    st.caption((":material/check_circle: " + ui.t("insp_recorded").format(n=n)) if n
               else (":material/radio_button_unchecked: " + ui.t("insp_not_recorded")))
    with st.expander(ui.t("insp_record")):
        record_form(site_id, key=f"insp_stop_{plan_id}_{seq}", plan_id=plan_id, stop_seq=seq)


def age_choice() -> tuple[str, ...]:
    """Sidebar: which sites to keep by when they were last inspected (never / more than 90 days
    ago / within 90 days); empty: all."""
    with st.sidebar:
        chosen = st.multiselect(ui.t("insp_last"), list(insp_ops.AGE_CLASSES), key="dm_age",
                                format_func=lambda c: ui.t(f"age_{c}"), placeholder=ui.t("all"))
    return tuple(chosen)


def by_age(sites: pd.DataFrame, ages: tuple[str, ...], version: int) -> pd.DataFrame:
    """The sites whose last inspection falls in ``ages`` (all when empty; never changes ``sites``)."""
    if not ages or sites.empty:
        return sites
    last = _last_inspected(version)
    return sites[[insp_ops.age_class(last.get(s)) in ages for s in sites["id"]]]



def _on_request(label: str, key: str, make: Any, file_name: str, mime: str) -> None:
    """A button that makes a file (kept in session state), then its download button."""
    if st.button(label, key=key):
        with st.spinner(label), ui.errors_shown():
            st.session_state[key + "_made"] = (file_name, make())
    made = st.session_state.get(key + "_made")
    if made and made[0] == file_name:
        st.download_button("⬇ " + file_name, made[1], file_name=file_name, mime=mime, key=key + "_dl")


def visit_downloads(plan_id: str | None) -> None:
    """For a saved visit: the minutes (PDF) and the photos (ZIP; signed-in users only, the
    originals carry GPS), each made on request, and the inspections (GeoJSON)."""
    if not plan_id:
        return
    store = ui.store()
    df = store.list_inspections(plan_id=plan_id)
    if df.empty:
        return
    plan = store.get_plan(plan_id)["plan"]
    st.caption(ui.t("insp_visit_progress").format(done=df["site_id"].nunique(), n=len(plan.get("stop_ids") or [])))
    user = ui.current_user()
    with st.container(horizontal=True):
        from geo import minutes

        _on_request(ui.t("insp_minutes"), "insp_minutes", lambda: minutes.minutes_pdf(store, plan_id, ui.bounds()),
                    f"bien-ban-{plan_id}.pdf", "application/pdf")
        if user is not None:
            _on_request(ui.t("insp_zip"), "insp_zip", lambda: insp_ops.photos_zip(store, plan, plan_id),
                        f"anh-{plan_id}.zip", "application/zip")
        st.download_button(ui.t("insp_geojson"), insp_ops.to_geojson(store, df, with_gps=user is not None),
                           file_name=f"kiem-tra-{plan_id}.geojson", mime="application/geo+json", key="insp_dl_geojson")
