"""The house rules of the code's shape (issue 15), checked so that they stay true: small functions,
thin pages, one place that tests a language, every type ignore with its code and its reason, no
JavaScript left in Python strings outside geo/maps, and the layers importing downwards only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted([*REPO.joinpath("geo").rglob("*.py"), *REPO.joinpath("pages").rglob("*.py"), REPO / "app.py"])
PAGES = sorted([*REPO.joinpath("pages").glob("*.py"), *REPO.joinpath("pages", "ui").glob("*.py"), REPO / "app.py"])


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO))


def test_no_function_over_50_lines():
    long = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > 50:
                    long.append(f"{_rel(path)}:{node.lineno} {node.name} ({n} lines)")
    assert not long, "split these functions (at most 50 lines each):\n" + "\n".join(long)


@pytest.mark.parametrize("path", PAGES, ids=_rel)
def test_page_modules_are_at_most_200_lines(path):
    n = len(path.read_text("utf-8").splitlines())
    assert n <= 200, f"{_rel(path)} has {n} lines: move logic into geo/, widgets into a pages/ui module"


def test_the_language_is_tested_in_one_place():
    """``lang == "vi"`` branches are written once, in geo.i18n.pick (Text, Bilingual and name_column
    build on it); everything else asks i18n or fmt."""
    branch = re.compile(r"""\blang\s*[!=]=\s*["'](vi|en)["']""")
    found = [f"{_rel(p)}:{i}" for p in SOURCES if p.name != "i18n.py"
             for i, line in enumerate(p.read_text("utf-8").splitlines(), 1) if branch.search(line)]
    assert not found, "use geo.i18n.pick / Text / Bilingual / name_column or geo.fmt:\n" + "\n".join(found)


def test_every_type_ignore_names_its_code_and_reason():
    bare = [f"{_rel(p)}:{i}" for p in SOURCES
            for i, line in enumerate(p.read_text("utf-8").splitlines(), 1)
            if "type: ignore" in line and not re.search(r"type: ignore\[[a-z, -]+\]\s+#\s*\S", line)]
    assert not bare, "write `# type: ignore[code]  # why`:\n" + "\n".join(bare)


def test_map_scripts_live_in_files_under_geo_maps():
    """JavaScript is written in geo/maps/*.js (linted by tests/test_js_assets.py); Python outside
    geo/maps holds no Leaflet code."""
    leaflet = re.compile(r"\bL\.(map|marker|geoJSON|layerGroup|circleMarker|polyline|featureGroup)\(")
    found = [_rel(p) for p in SOURCES if "maps" not in p.parts and leaflet.search(p.read_text("utf-8"))]
    assert not found, f"move the map scripts into geo/maps: {found}"


def test_geo_imports_neither_pages_nor_the_cli_from_the_domain():
    """pages -> geo and geo.cli -> geo, never back: the domain imports no page and no command."""
    bad = []
    for path in REPO.joinpath("geo").rglob("*.py"):
        if "cli" in path.relative_to(REPO).parts[:2] or path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            bad += [f"{_rel(path)} imports {n}" for n in names if n.startswith(("pages", "geo.cli"))]
    assert not bad, "\n".join(bad)
