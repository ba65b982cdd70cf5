"""Upload-page pieces for issue 13: the columns no field takes, each mapped with one click; the
values matched by keyword rules (and which rule); the "show on map" link to a committed batch."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from geo import ingest
from geo.ingest.validate import INPUT_FIELDS
from geo.schema import category_label, status_label
from pages.ui import md_escape, t

#: fields the upload page's mapping panel has a selectbox for (key ``up_map_<field>``)
PANEL_FIELDS = ("name", "category", "status", "id", "start_date")
EXTRA_KEY = "up_extra_map"
LAST_BATCH_KEY = "up_last_batch"


def _use(col: str, fld: str) -> None:
    """Map ``col`` to ``fld`` (a widget callback: runs before the page is drawn again)."""
    if fld in PANEL_FIELDS:
        st.session_state[f"up_map_{fld}"] = col
    else:
        st.session_state.setdefault(EXTRA_KEY, {})[fld] = col


def extra_mapping(columns: list[str]) -> dict[str, Any]:
    """Mappings chosen here for fields the panel has no selectbox for (columns still present)."""
    return {f: c for f, c in st.session_state.get(EXTRA_KEY, {}).items() if c in columns}


def unused_columns(result: ingest.CheckResult) -> None:
    """Each column no field takes, with a one-click button for the field it most likely feeds and
    a chooser for any other free field."""
    if not result.unused:
        return
    taken = {f for f, c in result.column_map.items() if c}
    free = [f for f in INPUT_FIELDS if f not in taken]
    with st.container(border=True):
        st.warning(t("up_unused_cols").format(cols=", ".join(f"“{md_escape(c)}”" for c in result.unused[:12])),
                   icon=":material/view_column:")
        for k, col in enumerate(result.unused[:12]):
            left, right = st.columns([3, 2])
            fld = result.suggested.get(col)
            if fld:
                left.button(f"{t('up_use_as').format(col=col)} {t(fld)}", key=f"up_use_{k}", type="primary",
                            on_click=_use, args=(col, fld))
            right.selectbox(t("up_col_for").format(col=col), [None, *free], key=f"up_other_{k}_{col}",
                            format_func=lambda f: t("up_none") if f is None else t(f), label_visibility="collapsed",
                            on_change=lambda c=col, k2=f"up_other_{k}_{col}": _use(c, st.session_state[k2])
                            if st.session_state.get(k2) else None)


def rules_used(result: ingest.CheckResult, lang: str) -> None:
    """The category and status values read by a keyword rule, with the rule."""
    if not result.value_rules:
        return
    label = {"category": category_label, "status": status_label}
    rows = [{t("field"): t(r.field), t("up_rule_value"): r.value, t("up_rule"): r.keyword,
             t("up_rule_code"): f"{label[r.field](r.code, lang)} ({r.code})"} for r in result.value_rules]
    st.caption(t("up_matched_rules"))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="up_rules")


def remember_batch(batch: str, n: int) -> None:
    st.session_state[LAST_BATCH_KEY] = (batch, n)


def show_on_map_link() -> None:
    """After a commit: a link to the district map showing only the batch's sites."""
    last = st.session_state.pop(LAST_BATCH_KEY, None)
    if not last:
        return
    batch, n = last
    label = t("up_show_on_map").format(n=n, batch=batch)
    try:
        st.page_link("pages/district_map.py", label=label, icon=":material/map:", query_params={"batch": batch})
    except StreamlitPageNotFoundError:  # the page run on its own (AppTest)
        st.markdown(f"[{md_escape(label)}](/district_map?batch={batch})")


def _pick_crs(code: str) -> None:
    st.session_state["up_crs"] = code


def crs_candidates(result: ingest.CheckResult, lang: str) -> None:
    """When several coordinate systems put the points in Hanoi: say so, rank them by evidence
    (names matching stored sites or OpenStreetMap features within 30 m), show the distance between
    them, a one-click choice each, and a map with every candidate's points over the reference
    layers."""
    from streamlit_folium import st_folium

    from geo import crs as crs_mod
    from geo import reference
    from geo.maps import reference as render_reference
    from pages import ui

    ev = result.crs_evidence
    if ev is None or not ev.ambiguous:
        return
    best = ev.candidates[0]
    with st.container(border=True):
        if ev.picked:
            st.info(t("up_crs_picked").format(crs=md_escape(crs_mod.describe(best.code, lang)), k=best.matches),
                    icon=":material/fact_check:")
        else:
            st.warning(t("up_crs_ambiguous").format(n=len(ev.candidates), dist=f"{ev.spread_m():,.0f} m"),
                       icon=":material/warning:")
        st.subheader(t("up_crs_compare"))
        colors = render_reference.CANDIDATE_COLORS
        for k, c in enumerate(ev.candidates):
            left, mid, right = st.columns([4, 3, 1.4])
            left.markdown(f"<span style='color:{colors[k % len(colors)]}'>●</span> "
                          f"**{md_escape(crs_mod.describe(c.code, lang))}**", unsafe_allow_html=True)
            evidence = t("up_crs_matches").format(k=c.matches)
            mid.caption(evidence + (f" · {c.offset_m:,.0f} m" if k else ""))
            right.button(t("up_crs_use"), key=f"up_crs_use_{k}", on_click=_pick_crs, args=(c.code,),
                         type="primary" if k == 0 and ev.picked else "secondary")
        cands = [(crs_mod.describe(c.code, lang), c.lonlat, ev.names) for c in ev.candidates]
        fmap = render_reference.candidates_map(cands, ui.bounds(), reference.get(), lang)
        st_folium(fmap, height=420, use_container_width=True, key="up_crs_map", returned_objects=[])
