"""Pages show a domain error one way (``ui.show_error`` / ``ui.errors_shown``), escaped: a message
quoting a hostile file name or value yields no link, image or HTML. And the page helpers import
without a cycle (``pages/ui/core.py`` holds what the package and its sign-in module share)."""

from __future__ import annotations

import ast
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
UI = REPO / "pages" / "ui"


def _page() -> None:
    import streamlit as st

    from geo.errors import InputError
    from pages import ui

    literal = st.session_state.get("literal", False)
    if literal:
        ui.show_error(InputError("ồ <b>x</b>", "<script>alert(1)</script> **bold**", file="a.csv"), literal=True)
    with ui.errors_shown():
        raise InputError("giá trị “[bấm](javascript:alert(1))” ![ảnh](http://e.test/x.png) <img src=x onerror=alert(1)>",
                         "value “[click](javascript:alert(1))” ![img](http://e.test/x.png) <img src=x onerror=alert(1)>",
                         file="<b>evil</b>.csv")
    st.write("not reached")


def test_errors_shown_escapes_links_images_and_html_and_stops() -> None:
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception
    [box] = at.error
    shown = box.value
    assert "\\[bấm\\](javascript:alert(1))" in shown  # the bracket escaped: no link
    assert "!\\[ảnh\\]" in shown and "\\<img src=x" in shown and "\\<b\\>evil\\</b\\>.csv" in shown
    assert "[bấm](" not in shown.replace("\\[bấm\\](", "")
    assert not [m for m in at.markdown if "not reached" in m.value]  # the page stopped


def test_literal_errors_escape_all_markdown() -> None:
    at = AppTest.from_function(_page, default_timeout=60)
    at.session_state["literal"] = True
    at.run()
    first = at.error[0].value
    assert "\\<b\\>x\\</b\\>" in first and "a\\.csv" in first  # every Markdown character escaped
    assert "<b>" not in first


def _imports(path: Path) -> set[str]:
    """The pages.ui modules ``path`` imports (``pages.ui`` is the package's __init__)."""
    subs = {p.stem for p in UI.glob("*.py")} - {"__init__"}
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "pages":
            out |= {"pages.ui" for a in node.names if a.name == "ui"}
        elif isinstance(node, ast.ImportFrom) and node.module == "pages.ui":
            out |= {f"pages.ui.{a.name}" if a.name in subs else "pages.ui" for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pages.ui."):
            out.add(str(node.module))
    return out


def test_page_helpers_import_without_a_cycle() -> None:
    graph = {("pages.ui" if p.stem == "__init__" else f"pages.ui.{p.stem}"): _imports(p) for p in UI.glob("*.py")}
    reachable_from_package = set()
    todo = ["pages.ui"]
    while todo:
        for nxt in graph.get(todo.pop(), set()) - reachable_from_package:
            reachable_from_package.add(nxt)
            todo.append(nxt)
    assert "pages.ui" not in reachable_from_package, "a module the package imports imports the package back"
    assert "pages.ui.core" in graph["pages.ui.auth"] and "pages.ui" not in graph["pages.ui.auth"]
