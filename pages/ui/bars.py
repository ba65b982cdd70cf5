"""A progress bar coloured by status (Streamlit's st.progress has one colour: red in the default
theme, which reads as "failing" even for an achieved indicator)."""

from __future__ import annotations

import html

import streamlit as st

#: indicator status -> bar colour (green achieved, blue on track, red at risk, grey unknown)
STATUS_COLORS = {"done": "#2e7d32", "on_track": "#1565c0", "at_risk": "#c62828"}


def progress_bar(fraction: float | None, status: str, text: str) -> None:
    """``text`` (plain, escaped here) over a bar filled to ``fraction`` (0..1) in the status colour."""
    pct = max(0.0, min(1.0, float(fraction or 0.0))) * 100
    color = STATUS_COLORS.get(status, "#9e9e9e")
    st.html(
        f"<div class='p03-bar' data-status='{html.escape(status)}' style='font:14px/1.4 sans-serif;margin:2px 0 8px'>"
        f"<div>{html.escape(text)}</div>"
        f"<div role='progressbar' aria-valuemin='0' aria-valuemax='100' aria-valuenow='{pct:.0f}' "
        f"style='height:8px;border-radius:4px;background:#e0e0e0;overflow:hidden;margin-top:4px'>"
        f"<div style='height:100%;width:{pct:.1f}%;background:{color}'></div></div></div>")
