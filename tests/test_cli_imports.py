"""The CLI loads only what a command needs: ``where`` must not pay for folium, matplotlib, fpdf
or gpxpy (the map, chart, PDF and GPX libraries), so it answers in well under a second."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

HEAVY = ("folium", "matplotlib", "fpdf", "gpxpy", "streamlit")

PROBE = """
import contextlib, io, json, sys
from geo.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[2:])
heavy = sys.argv.pop(1).split(",")
print(json.dumps({"code": code, "out": out.getvalue(), "heavy": sorted(m for m in heavy if m in sys.modules)}))
"""


def _run(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, ",".join(HEAVY), *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_where_loads_no_map_pdf_or_chart_library(data_dir):
    got = _run("where", "21.0288", "105.8525")
    assert got["code"] == 0
    assert "Hoàn Kiếm" in got["out"]
    assert got["heavy"] == []


def test_schema_and_visit_parsing_load_none_either(data_dir):
    assert _run("schema")["heavy"] == []


def test_command_map_names_what_each_module_registers():
    """``geo.cli.COMMANDS`` (one command -> its module, so one command imports one module) says
    exactly what each module registers."""
    import argparse
    import importlib

    from geo.cli import COMMAND_MODULES, COMMANDS

    for name in COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(sub)
        assert sorted(sub.choices) == sorted(c for c, m in COMMANDS.items() if m == name), name


def test_help_lists_every_command(capsys):
    import pytest

    from geo.cli import COMMANDS, main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(c in out for c in COMMANDS)
