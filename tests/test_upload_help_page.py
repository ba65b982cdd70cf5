"""AppTest of the upload page's issue-13 helpers: a column no field takes, mapped with one click
to the field its values fit; the keyword rules shown; after the commit, a link to the batch on
the district map."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo import auth
from tests.test_ingest_page import PAGE, texts

CSV = ("ten,loai,Tình hình,lon,lat\n"
       "Chợ Mẫu Một Chạm,Chợ,Đang thi công,105.84,21.04\n"
       "Khu Mẫu Một Chạm,Khu xử lý chất thải rắn,Tạm dừng,105.85,21.03\n").encode()


@pytest.fixture()
def editor(store):
    user = auth.add_user(store, "bientap", "mat-khau-dai-1", "editor", user=auth.User("test", "admin"))
    return {"username": user.username, "role": user.role, "display_name": user.display_name, "source": "local"}


def test_one_click_maps_an_unused_column_and_the_commit_links_to_the_map(data_dir, store, editor):
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["p03_lang"] = "vi"
    at.session_state["p03_user"] = editor
    at.run()
    at.file_uploader[0].upload("tinh_hinh.csv", CSV)
    at.run()
    assert not at.exception
    assert "Cột chưa dùng đến: “Tình hình”" in texts(at.warning)
    button = next(b for b in at.button if b.label == "Dùng “Tình hình” làm Tình trạng")
    button.click()
    at.run()
    assert not at.exception
    result = at.session_state["up_result"][1]
    assert result.column_map["status"] == "Tình hình" and result.unused == []
    assert result.accepted["status"].tolist() == ["in_progress", "suspended"]
    assert [(r.value, r.keyword) for r in result.value_rules] == [("Khu xử lý chất thải rắn", "chất thải rắn")]
    next(b for b in at.button if b.label.startswith("Lưu 2")).click()
    at.run()
    assert not at.exception
    batch = store.list_batches().iloc[0]["batch_id"]
    assert f"/district_map?batch={batch}" in texts(at.markdown)
    assert sorted(store.query_sites()["status"]) == ["in_progress", "suspended"]
