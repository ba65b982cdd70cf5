"""The widgets of a site's form (one per editable schema field) and what the edit map returns, shared
by the edit panel and the new-site panel (:mod:`pages.ui.site_edit`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from geo import site_form
from geo.errors import P03Error
from geo.maps import edit as edit_map
from geo.schema import CATEGORIES, STATUSES, category_label, status_label
from pages import ui

DATE_MIN, DATE_MAX = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def fields(values: dict[str, Any], suffix: str, lang: str) -> dict[str, Any]:
    """One widget per editable schema field (keys ``se_f_<field>_<suffix>``) -> their values."""
    out: dict[str, Any] = {}
    cats = [c.code for c in CATEGORIES]
    statuses = [s.code for s in STATUSES]
    inds = sorted({c.indicator for c in CATEGORIES if c.indicator} | ({values["indicator"]} - {""}))
    for f in site_form.EDITABLE:
        key, label, value = f"se_f_{f.name}_{suffix}", ui.t(f.name), values.get(f.name)
        if f.name == "category":
            out[f.name] = st.selectbox(label, cats, index=cats.index(value) if value in cats else None, key=key,
                                       format_func=lambda c: category_label(c, lang), placeholder=ui.t("se_pick"))
        elif f.name == "status":
            out[f.name] = st.selectbox(label, statuses, index=statuses.index(value) if value in statuses else 0,
                                       key=key, format_func=lambda s: status_label(s, lang))
        elif f.name == "indicator":
            out[f.name] = st.selectbox(label, ["", *inds], index=(["", *inds]).index(value or ""), key=key,
                                       format_func=lambda c: c or "—")
        elif f.type == "date":
            out[f.name] = st.date_input(label, value=value, min_value=DATE_MIN, max_value=DATE_MAX, key=key,
                                        format="DD/MM/YYYY")
        elif f.type == "number":
            out[f.name] = st.number_input(label, value=value, key=key, step=1.0 if f.name == "progress_pct" else 1e6,
                                          format="%.0f" if f.name == "budget_vnd" else "%.1f")
        elif f.name == "notes":
            out[f.name] = st.text_area(label, value=value, key=key, height=90)
        else:
            out[f.name] = st.text_input(label, value=value, key=key)
    return out


def map_geometry(out: dict[str, Any] | None) -> Any:
    """The geometry drawn or edited on an edit map (None: untouched); a bad drawing is shown."""
    try:
        return edit_map.drawing_geometry((out or {}).get("all_drawings"))
    except P03Error as exc:
        ui.show_error(exc)
        return None


def moved_note(geometry: Any, lang: str) -> None:
    district, commune = site_form.where_names(geometry, ui.bounds(), lang)
    st.info(ui.t("se_moved_to").format(district=ui.md_escape(district or "—"), commune=ui.md_escape(commune or "—")))
