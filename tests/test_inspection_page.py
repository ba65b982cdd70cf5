"""AppTest of the inspection record form (pages/ui/inspection.py) on the demo store: a valid
inspection with two photos saved whole; anonymous visitors get no form; a file that is not an
image (named .jpg) is refused with its name, the save is disabled and what was typed stays; a
failed save keeps the form; the field-visit page shows the form under each stop of a saved plan
and which stops are recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.auth_support import sign_in_app
from tests.photo_support import DONG_XUAN, make_photo

REPO = Path(__file__).resolve().parent.parent
SITE = "demo-012"


def _form_script() -> None:
    import sys

    sys.path.insert(0, ".")
    from pages import ui
    from pages.ui import inspection

    ui.sidebar()
    inspection.record_form("demo-012", key="t")
    inspection.site_inspections("demo-012")


@pytest.fixture()
def form(demo_store, data_dir, monkeypatch):
    monkeypatch.chdir(REPO)
    at = AppTest.from_function(_form_script, default_timeout=120)
    return at


def key(name: str, nonce: int = 0) -> str:
    return f"t_{nonce}_{name}"


def test_valid_inspection_with_two_photos(form, demo_store):
    sign_in_app(form, demo_store, "viewer")
    at = form.run()
    assert not at.exception
    at.text_area(key=key("findings")).input("Mái chợ đã lợp xong; quầy chưa chuyển về.")
    at.radio(key=key("assess")).set_value("behind")
    a = make_photo(lat=DONG_XUAN[0], lon=DONG_XUAN[1], orientation=6)
    b = make_photo((900, 600), color="olive")
    at.file_uploader(key=key("files")).set_value([("IMG_1.JPG", a, "image/jpeg"), ("IMG_2.png", b, "image/png")])
    at.run()
    assert not at.exception and not at.error
    assert len([i for i in at.text_input if i.key.startswith(key("cap_"))]) == 2
    at.text_input[0].input("Mái chợ <b>mới</b>")
    at.button(key=key("save")).click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "Đã lưu kết quả kiểm tra (2 ảnh)."
    df = demo_store.list_inspections(site_id=SITE)
    assert len(df) == 1 and df.iloc[0]["n_photos"] == 2 and df.iloc[0]["assessment"] == "behind"
    pics = demo_store.list_photos(list(df["inspection_id"]), thumbs=False)
    assert demo_store.read_blob(pics.iloc[0]["sha256"]) == a and pics.iloc[0]["caption"] == "Mái chợ <b>mới</b>"
    assert at.session_state["t_nonce"] == 1 and at.text_area(key=key("findings", 1)).value == ""  # a fresh form
    assert any("Mái chợ đã lợp xong" in t.value for t in at.text)  # listed under the site's inspections


def test_anonymous_gets_no_form(form, demo_store):
    at = form.run()
    assert not at.exception
    assert at.info[0].value.startswith("Đăng nhập (mục “Tài khoản cán bộ” ở thanh bên)")
    assert not [b for b in at.button if b.key and b.key.startswith("t_")]


def test_bad_file_refused_and_typed_text_kept(form, demo_store):
    sign_in_app(form, demo_store, "viewer")
    at = form.run()
    at.text_area(key=key("findings")).input("Đường đã hạ ngầm cáp.")
    at.file_uploader(key=key("files")).set_value([("anh.jpg", b"%PDF-1.7 not a picture", "image/jpeg")])
    at.run()
    assert not at.exception
    assert "anh.jpg" in at.error[0].value and "không phải ảnh" in at.error[0].value
    assert at.button(key=key("save")).disabled
    assert at.text_area(key=key("findings")).value == "Đường đã hạ ngầm cáp."
    assert demo_store.list_inspections().empty
    at.file_uploader(key=key("files")).set_value(None).run()  # removed: saving works again
    assert not at.button(key=key("save")).disabled


def test_failed_save_keeps_the_form(form, demo_store):
    sign_in_app(form, demo_store, "viewer")
    at = form.run()
    at.text_area(key=key("findings")).input("   ")
    at.text_area(key=key("people")).input("Nguyễn Văn Minh")
    at.button(key=key("save")).click().run()
    assert "findings" in at.error[0].value or "kết quả kiểm tra" in at.error[0].value
    assert at.text_area(key=key("people")).value == "Nguyễn Văn Minh" and at.session_state["t_nonce"] == 0
    assert demo_store.list_inspections().empty


def test_field_visit_stop_form_and_recorded_mark(demo_store, data_dir):
    user = "test-viewer"
    pid = demo_store.save_plan({"name": "Kiểm tra chợ", "stop_ids": [SITE, "demo-031"], "visit_date": "2026-11-30"},
                               actor=user)
    at = AppTest.from_file(str(REPO / "pages" / "field_visit.py"), default_timeout=120)
    at.query_params["plan"] = pid
    sign_in_app(at, demo_store, "viewer")
    at.run()
    assert not at.exception
    assert len([c.value for c in at.caption if c.value.endswith("Chưa ghi")]) == 2
    findings = [t for t in at.text_area if t.key.startswith(f"insp_stop_{pid}_") and t.key.endswith("_findings")]
    assert len(findings) == 2
    findings[0].input("Chợ đã sửa xong mái.")
    seq = findings[0].key.split("_")[-3]
    at.button(key=f"insp_stop_{pid}_{seq}_0_save").click().run()
    assert not at.exception and not at.error
    assert len([c for c in at.caption if c.value.endswith("Đã ghi 1 lần")]) == 1
    df = demo_store.list_inspections(plan_id=pid)
    assert len(df) == 1 and df.iloc[0]["stop_seq"] == int(seq)


def test_editor_accepts_a_proposal_with_one_click(form, demo_store):
    from geo import auth
    from geo import inspections as insp_ops

    iid = insp_ops.record(demo_store, insp_ops.Draft(site_id=SITE, findings="Đã xong.", proposed_status="completed",
                                                     proposed_progress=100.0), auth.User("minh", "viewer"))
    sign_in_app(form, demo_store, "viewer")
    at = form.run()
    assert not [b for b in at.button if b.key == f"acc_{iid}"]  # viewers record, they do not accept
    sign_in_app(at, demo_store, "editor")
    at.run()
    at.button(key=f"acc_{iid}").click().run()
    assert not at.exception and not at.error
    site = demo_store.get_site(SITE)
    assert (site["status"], site["progress_pct"]) == ("completed", 100.0)
    assert demo_store.get_inspection(iid)["applied_by"] == "test-editor"
    assert not [b for b in at.button if b.key == f"acc_{iid}"]


def test_district_map_filters_by_last_inspected(demo_store, data_dir):
    from geo import auth
    from geo import inspections as insp_ops

    insp_ops.record(demo_store, insp_ops.Draft(site_id=SITE, findings="Đã xem."), auth.User("minh", "viewer"))
    at = AppTest.from_file(str(REPO / "pages" / "district_map.py"), default_timeout=120).run()
    assert not at.exception
    total = demo_store.count_sites()
    at.multiselect(key="dm_age").set_value(["recent"]).run()
    assert not at.exception
    assert list(at.dataframe[0].value.iloc[:, 0]) == [SITE]  # the one inspected today
    at.multiselect(key="dm_age").set_value(["never"]).run()
    ids = list(at.dataframe[0].value.iloc[:, 0])
    assert SITE not in ids and len(ids) == total - 1


def test_connection_lost_while_saving_keeps_what_was_typed(form, demo_store, monkeypatch):
    from geo.store.base import SQLStore

    def lost(*args, **kwargs):
        raise ConnectionResetError("the phone lost its connection")

    sign_in_app(form, demo_store, "viewer")
    at = form.run()
    at.text_area(key=key("findings")).input("Vỉa hè đã lát xong.")
    at.file_uploader(key=key("files")).set_value([("IMG_1.JPG", make_photo(), "image/jpeg")])
    at.run()
    with monkeypatch.context() as m:
        m.setattr(SQLStore, "_write_inspection", lost)
        at.button(key=key("save")).click().run()
    assert not at.exception
    assert "Mất kết nối" in at.error[0].value and "không có gì được lưu" in at.error[0].value
    assert at.text_area(key=key("findings")).value == "Vỉa hè đã lát xong." and at.session_state["t_nonce"] == 0
    assert demo_store.list_inspections().empty
    # connected again: the same form is sent again
    at.button(key=key("save")).click().run()
    assert at.success[0].value == "Đã lưu kết quả kiểm tra (1 ảnh)."
    assert len(demo_store.list_inspections()) == 1
