"""The bad-upload corpus (tests/data/bad/): every file gives its expected exit code and message
naming the file, feature and field, and leaves the store byte-for-byte as it was."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from geo import cli

BAD = Path(__file__).resolve().parent / "data" / "bad"
CASES = list(csv.DictReader((BAD / "expected.csv").read_text("utf-8").splitlines()))


def snapshot(data_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of the store (database and kept uploads)."""
    root = data_dir / "projects"
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_corpus_is_complete():
    listed = {c["file"] for c in CASES}
    present = {p.name for p in BAD.iterdir() if p.name not in ("expected.csv", "make_corpus.py")}
    assert listed == present
    assert len(CASES) >= 40
    assert sum(c["exit"] != "0" for c in CASES) >= 40


#: the cases also run on PostGIS: the first of each severity (the refusals stop before the store
#: writes, which the store's own tests check on both backends; these keep one end-to-end run each)
BOTH_BACKENDS = [next(c for c in CASES if c["severity"] == sev) for sev in sorted({c["severity"] for c in CASES})]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_file(case, demo_store, data_dir, capsys, monkeypatch):
    _check_bad_file(case, demo_store, data_dir, capsys, monkeypatch)


@pytest.mark.parametrize("case", BOTH_BACKENDS, ids=[c["file"] for c in BOTH_BACKENDS])
def test_bad_file_on_each_backend(case, demo_store, data_dir, capsys, monkeypatch):
    _check_bad_file(case, demo_store, data_dir, capsys, monkeypatch)


def _check_bad_file(case, demo_store, data_dir, capsys, monkeypatch) -> None:
    if case["env"]:
        name, value = case["env"].split("=")
        monkeypatch.setenv(name, value)
    before = snapshot(data_dir)
    n_before, version = demo_store.count_sites(), demo_store.version()
    batches = len(demo_store.list_batches())
    args = ["--lang", "en", "import", str(BAD / case["file"]), "--json"]
    if case["exit"] == "0":
        args.append("--dry-run")  # awkward but valid: checked only, so that the store stays as it was
    code = cli.main(args)
    out, err = capsys.readouterr()
    assert code == int(case["exit"]), (out, err)
    assert snapshot(data_dir) == before
    assert demo_store.count_sites() == n_before
    assert demo_store.version() == version
    assert len(demo_store.list_batches()) == batches
    if case["severity"] == "fatal":
        assert out == ""
        assert case["message"] in err
        assert f"File “{case['file']}”" in err
        return
    report = json.loads(out)
    assert report["file"] == case["file"]
    assert report["committed"] is False and report["batch_id"] is None
    items = report["errors"] if case["severity"] == "error" else report["warnings"]
    if not case["message"]:
        assert report["errors"] == []
        return
    hits = [i for i in items if case["message"] in i["message"]]
    assert hits, items[:5]
    hit = hits[0]
    assert hit["message"].startswith(f"File “{case['file']}”")
    if case["feature"]:
        assert hit["feature"] == int(case["feature"])
        assert f"feature {case['feature']}" in hit["message"]
    if case["field"]:
        assert hit["field"] == case["field"]
    if case["severity"] == "error":
        assert report["valid"] < report["features"] or report["features"] == 0


def test_vietnamese_messages(demo_store, capsys):
    code = cli.main(["--lang", "vi", "import", str(BAD / "unclosed_ring.geojson"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["errors"][0]["message"].startswith("Tệp “unclosed_ring.geojson”, đối tượng số 1, trường “geometry”")
    assert "không khép kín" in report["errors"][0]["message"]


def test_fatal_vietnamese(demo_store, capsys):
    assert cli.main(["--lang", "vi", "import", str(BAD / "zip_traversal.zip")]) == 2
    assert "đường dẫn không an toàn" in capsys.readouterr().err
