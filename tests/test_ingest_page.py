"""AppTest of the upload page: upload, report, CRS confirmation, value mapping, commit and
rollback through a real store (signed in as an editor), and refusal when not signed in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import auth

REPO = Path(__file__).resolve().parent.parent
BAD = REPO / "tests" / "data" / "bad"
PAGE = str(REPO / "pages" / "upload.py")


def good_file() -> bytes:
    feats = [{"type": "Feature", "properties": {"name": f"Chợ Kiểm Thử {i}", "category": "chợ"},
              "geometry": {"type": "Point", "coordinates": [105.80 + i * 0.01, 21.02]}} for i in range(3)]
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False).encode()


@pytest.fixture()
def editor(store):
    user = auth.add_user(store, "bientap", "mat-khau-dai-1", "editor", user=auth.User("test", "admin"))
    return {"username": user.username, "role": user.role, "display_name": user.display_name, "source": "local"}


def page(signed_in: dict | None = None, lang: str = "vi") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["p03_lang"] = lang
    if signed_in:
        at.session_state["p03_user"] = signed_in
    return at.run()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader[0].upload(name, content)
    return at.run()


def texts(elements) -> str:
    """The elements' text as shown (file-derived parts are Markdown-escaped by the page)."""
    return " | ".join(str(e.value).replace("\\", "") for e in elements)


def test_empty_page(data_dir, store, editor):
    at = page(editor)
    assert not at.exception
    assert at.title[0].value == "Tải lên"
    assert "Chưa có lần tải lên nào" in texts(at.caption)


def test_anonymous_visitor_sees_only_a_sign_in_prompt(data_dir, store, editor):
    """Issue #10: no uploader, no uploads list (uploaders' names), no rollback for anonymous visitors."""
    from geo import ingest

    result = ingest.check(good_file(), "new.geojson", store=store)
    batch = ingest.commit(result, store, auth.User("bientap", "editor"))
    at = page(None, "en")
    assert not at.exception
    assert "Sign in" in texts(at.warning)
    assert not at.file_uploader
    assert not at.dataframe and not at.table
    assert not [b for b in at.button if b.key == f"up_rb_{batch}"]
    shown = texts([*at.markdown, *at.caption, *at.warning, *at.info, *at.success])
    assert "bientap" not in shown and batch not in shown and "new.geojson" not in shown


def test_upload_commit_and_rollback(data_dir, store, editor):
    at = page(editor, "en")
    at = upload(at, "new.geojson", good_file())
    assert not at.exception
    assert "3 features — 3 valid, 0 rejected" in texts(at.success)
    commit = at.button(key="up_commit")
    assert commit.label == "Commit the 3 valid features"
    commit.click().run()
    assert not at.exception
    assert store.count_sites() == 3
    assert "Committed 3 sites as batch" in texts(at.success)
    batches = store.list_batches()
    batch = batches.iloc[0]["batch_id"]
    assert batches.iloc[0]["actor"] == "bientap"
    table = at.dataframe[-1].value
    assert list(table["Batch"]) == [batch]
    at.button(key=f"up_rb_{batch}").click().run()
    assert not at.exception
    assert store.count_sites() == 0
    assert f"Rolled back batch {batch}: removed 3 sites" in texts(at.success)


def test_problems_and_value_mapping(data_dir, store, editor):
    at = upload(page(editor, "en"), "u.geojson", (BAD / "unknown_category.geojson").read_bytes())
    assert not at.exception
    assert "2 features — 1 valid, 1 rejected" in texts(at.warning)
    problems = at.dataframe[0].value
    row = problems[problems["Field"] == "category"].iloc[0]
    assert (row["Feature"], row["Value"], row["Severity"]) == ("2", "bakery", "error")
    assert at.get("download_button")
    at.selectbox(key="up_val_category_0").select("other").run()
    assert not at.exception
    assert "2 features — 2 valid, 0 rejected" in texts(at.success)


def test_guessed_crs_must_be_confirmed(data_dir, store, editor):
    at = upload(page(editor, "en"), "vn2000.geojson", (BAD / "vn2000_tm3_no_crs.geojson").read_bytes())
    assert not at.exception
    assert "Proposed: VN-2000 / TM-3" in texts(at.warning)
    assert at.button(key="up_commit").disabled
    at.checkbox(key="up_crs_ok").check().run()
    assert not at.button(key="up_commit").disabled
    at.button(key="up_commit").click().run()
    assert store.count_sites() == 5
    assert set(store.list_batches()["crs"]) == {"EPSG:5897"}


def test_column_mapping_for_headerless_csv(data_dir, store, realworld, editor):
    name = "hanoi_bus_stations_ewkb_no_header.csv"
    at = upload(page(editor, "en"), name, (realworld / name).read_bytes())
    assert not at.exception
    assert "21 features — 0 valid, 21 rejected" in texts(at.warning)
    at.selectbox(key="up_map_name").select("column 2")
    at.selectbox(key="up_cat_default").select("other").run()
    assert not at.exception
    assert "21 features — 21 valid, 0 rejected" in texts(at.success)


def test_unreadable_file_gives_a_message(data_dir, store, editor):
    at = upload(page(editor, "en"), "broken.geojson", (BAD / "broken_json.geojson").read_bytes())
    assert not at.exception
    assert "is not valid JSON" in texts(at.error)
    assert store.count_sites() == 0


def test_commit_needs_an_editor(data_dir, store):
    at = page(None, "en")
    assert not at.exception
    assert not at.file_uploader and not [b for b in at.button if b.key == "up_commit"]
    assert store.count_sites() == 0
    assert "Sign in" in texts(at.warning)


def test_crs_typed_in_the_box_is_a_clear_message(data_dir, store, editor):
    at = upload(page(editor, "en"), "new.geojson", good_file())
    at.selectbox(key="up_crs").select("__other__").run()
    at.text_input(key="up_crs_text").input('ENGCRS["local",EDATUM["site"],CS[Cartesian,2],AXIS["x",east,'
                                         'LENGTHUNIT["metre",1]],AXIS["y",north,LENGTHUNIT["metre",1]]]').run()
    assert not at.exception
    assert "it is a local (engineering) system, not tied to the Earth" in texts(at.error)


def test_oversized_upload_refused_from_its_size(data_dir, store, editor, monkeypatch):
    monkeypatch.setenv("P03_MAX_UPLOAD_MB", "1")
    at = upload(page(editor, "en"), "big.geojson", b" " * (1024 * 1024 + 10) + good_file())
    assert not at.exception
    assert "beyond the 1 MB limit (P03_MAX_UPLOAD_MB)" in texts(at.error)


