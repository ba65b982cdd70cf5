"""Upload-page widgets that tell the check how to read a file: the coordinate system, which
column feeds which field, and what each unknown category/status value means."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

from geo import crs as crs_mod
from geo import ingest
from geo.i18n import t
from geo.ingest import review
from geo.schema import CATEGORIES, STATUSES, category_label, status_label
from pages import ui
from pages.ui import upload_help

AUTO = "__auto__"
OTHER = "__other__"
# (field, title key) of the column selectboxes, keys ``up_map_<field>``
COLUMN_FIELDS = (("name", "name"), ("category", "category"), ("lon", "up_lon"), ("lat", "up_lat"),
                 ("geometry", "up_wkt"), ("status", "status"), ("id", "id"), ("start_date", "start_date"))
# format_func lambdas take the language as an argument (AppTest calls them outside the session)


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


def _columns(columns: list[str]) -> dict[str, Any]:
    """A selectbox per field (automatic, or one of the file's columns)."""
    mapping: dict[str, Any] = {}
    opts = [AUTO, *columns]
    label = {AUTO: ui.t("up_col_auto")}
    cols = st.columns(4)
    for i, (fld, title) in enumerate(COLUMN_FIELDS):
        picked = cols[i % 4].selectbox(ui.t(title), opts, key=f"up_map_{fld}", format_func=lambda c: label.get(c, c))
        if picked != AUTO:
            mapping[fld] = picked
    return mapping


def mapping_widgets(result: ingest.CheckResult | None, columns: list[str], lang: str) -> dict[str, Any]:
    """Column choices (name, category, coordinates, optional fields) and value mapping."""
    with st.expander(ui.t("up_mapping"), expanded=bool(result and result.n_features and not result.n_valid)):
        st.caption(ui.t("up_mapping_help"))
        mapping = _columns(columns)
        codes = [None, *[c.code for c in CATEGORIES]]
        default = st.selectbox(ui.t("up_category_default"), codes, key="up_cat_default",
                               format_func=lambda c: t("up_none", lang) if c is None else category_label(c, lang))
        if default:
            mapping["category_default"] = default
    if result is not None:
        mapping.update(value_widgets(result, lang))
    mapping.update(upload_help.extra_mapping(columns))
    return review.clean_mapping(mapping)


def _term_label(label_of: Callable[[str, str], str], lang: str, code: str | None) -> str:
    return t("up_unmapped", lang) if code is None else label_of(code, lang)


def _value_choices(fld: str, values: list[str], lang: str) -> dict[str, str]:
    """A selectbox per unknown value of ``fld``: the vocabulary term it means."""
    terms, label_of = {"category": (CATEGORIES, category_label), "status": (STATUSES, status_label)}[fld]
    shown = functools.partial(_term_label, label_of, lang)
    chosen: dict[str, str] = {}
    for k, value in enumerate(values):
        code = st.selectbox(ui.t("up_value_of").format(value=ui.md_escape(value), field=ui.t(fld)),
                            [None, *[term.code for term in terms]], key=f"up_val_{fld}_{k}", format_func=shown)
        if code:
            chosen[value] = code
    return chosen


def value_widgets(result: ingest.CheckResult, lang: str) -> dict[str, Any]:
    """A selectbox per category/status value the vocabulary does not know."""
    out: dict[str, Any] = {}
    pending = {fld: vals for fld, vals in result.unmatched.items() if vals}
    known = {fld: st.session_state.get(f"up_vals_{fld}", {}) for fld in ("category", "status")}
    if not pending and not any(known.values()):
        return {}
    with st.expander(ui.t("up_values"), expanded=bool(pending)):
        for fld in ("category", "status"):
            values = sorted(set(pending.get(fld, [])) | set(known[fld]))[:50]
            chosen = _value_choices(fld, values, lang)
            st.session_state[f"up_vals_{fld}"] = chosen
            if chosen:
                out[f"{fld}_values"] = chosen
    return out
