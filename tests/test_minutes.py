"""The visit minutes ("Biên bản kiểm tra"): the PDF read back with pypdf (Vietnamese text exactly,
the photos embedded as images, hostile text as text) and rendered to PNG pages with pdftoppm;
``python -m geo visit minutes`` and ``inspections add|list`` on the command line."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pypdf
import pytest

from geo import auth, boundaries, cli, photos
from geo import inspections as insp_ops
from geo.minutes import minutes_pdf
from tests.auth_support import sign_in_cli
from tests.photo_support import DONG_XUAN, HOAN_KIEM, make_photo

HOSTILE = "<script>alert('x')</script> **đậm** [link](javascript:alert(1))"


@pytest.fixture()
def sqlite_demo(demo_store):
    """The demo store on SQLite only: the minutes and the CLI are not store code (tested on both)."""
    if demo_store.dialect != "sqlite":
        pytest.skip("not store code: SQLite only")
    return demo_store


@pytest.fixture()
def visit(sqlite_demo):
    store = sqlite_demo
    pid = store.save_plan({"name": "Kiểm tra chợ Hoàn Kiếm", "stop_ids": ["demo-012", "demo-031", "demo-013"],
                           "visit_date": "2026-11-30", "participants": ["Nguyễn Văn Minh – Phó Chủ tịch", "Trần Thị Lan"]},
                          actor="minh")
    user = auth.User("minh", "viewer")
    pics = [photos.prepare(make_photo((800, 600), lat=DONG_XUAN[0], lon=DONG_XUAN[1], orientation=6), "a.jpg",
                           "Mái chợ đã lợp xong"),
            photos.prepare(make_photo((800, 600), color="olive"), "b.png", HOSTILE)]
    insp_ops.record(store, insp_ops.Draft(site_id="demo-012", findings="Quầy tầng 2 chưa chuyển về; " + HOSTILE,
                                          assessment="behind", inspected_at="2026-11-30T09:30", plan_id=pid,
                                          inspectors=["Nguyễn Văn Minh"], proposed_status="in_progress",
                                          proposed_progress=85, photos=pics), user)
    insp_ops.record(store, insp_ops.Draft(site_id="demo-031", findings="Ỹ ỵ ữ ẫ Ặ ơ ư đ Đ — hoàn thành.",
                                          inspected_at="2026-11-30T10:40", plan_id=pid), user)
    return store, pid


def test_minutes_pdf_text_images_and_pages(visit, bounds, tmp_path, request):
    store, pid = visit
    data = minutes_pdf(store, pid, bounds)
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for expected in ("UBND THÀNH PHỐ HÀ NỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Hà Nội, ngày 30 tháng 11 năm 2026", "BIÊN BẢN KIỂM TRA", "Số:", "Chợ Đồng Xuân",
                     "Quầy tầng 2 chưa chuyển về", "Chậm tiến độ", "Đang thực hiện", "tiến độ 85 %",
                     "Ỹ ỵ ữ ẫ Ặ ơ ư đ Đ", "Mái chợ đã lợp xong", "<script>alert('x')</script>",
                     "Chưa ghi kết quả kiểm tra", "TRƯỞNG ĐOÀN", "THÀNH VIÊN ĐOÀN KIỂM TRA",
                     "Nguyễn Văn Minh – Phó Chủ tịch", "Trần Thị Lan", "(Ký, ghi rõ họ tên)"):
        assert expected in flat, expected
    # once among the participants (not again as inspector), once as the stop's inspector, once to sign
    assert flat.count("Nguyễn Văn Minh") == 3
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == 2
    assert not any("/JS" in str(page.get("/AA", "")) for page in reader.pages)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "m.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "m.pdf"), str(tmp_path / "page")], check=True,
                   timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(reader.pages) >= 2
    from tests.browser_support import out_dir

    shutil.copy(pages[0], out_dir(request) / "minutes-page-1.png")  # to look at


def test_cli_inspections_add_list_and_minutes(sqlite_demo, data_dir, monkeypatch, capsys, tmp_path):
    near = tmp_path / "IMG_0001.JPG"
    near.write_bytes(make_photo(lat=DONG_XUAN[0], lon=DONG_XUAN[1]))
    far = tmp_path / "IMG_0002.JPG"
    far.write_bytes(make_photo(lat=HOAN_KIEM[0], lon=HOAN_KIEM[1]))
    fake = tmp_path / "not-a-photo.jpg"
    fake.write_bytes(b"MZ\x90\x00 an executable")
    argv = ["--lang", "en", "inspections", "add", "demo-012", "--findings", "Mái chợ xong", "--photo", str(near),
            "--photo", str(far), "--caption", "Mái", "--status", "Đang thi công", "--progress", "70", "--json"]
    assert cli.main(argv) == 3  # not signed in
    assert "Sign in" in capsys.readouterr().err
    demo_store = sqlite_demo
    sign_in_cli(monkeypatch, demo_store, "viewer")
    assert cli.main(["--lang", "en", "inspections", "add", "demo-012", "--findings", "x", "--photo", str(fake)]) == 2
    assert "not-a-photo.jpg" in capsys.readouterr().err and demo_store.list_inspections().empty
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert [p["flags"] for p in out["photos"]] == [[], ["far"]] and "warning: Photo “IMG_0002.JPG”" in captured.err
    insp = demo_store.get_inspection(out["inspection_id"])
    assert (insp["proposed_status"], insp["proposed_progress"], insp["created_by"]) == ("in_progress", 70.0,
                                                                                          "test-viewer")
    assert demo_store.read_blob(out["photos"][0]["sha256"]) == near.read_bytes()
    assert cli.main(["inspections", "list", "--site", "demo-012", "--json"]) == 0
    fc = json.loads(capsys.readouterr().out)
    assert fc["features"][0]["properties"]["findings"] == "Mái chợ xong"
    assert fc["features"][0]["properties"]["photos"][1]["lat"] is not None  # signed in: GPS shown
    monkeypatch.delenv("P03_USER")
    assert cli.main(["inspections", "list", "--since", "2000-01-01", "--json"]) == 0
    assert "lat" not in json.loads(capsys.readouterr().out)["features"][0]["properties"]["photos"][0]
    pid = demo_store.save_plan({"name": "Đi chợ", "stop_ids": ["demo-012"]}, actor="x")
    assert cli.main(["visit", "minutes", pid, str(tmp_path / "m.pdf")]) == 0
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
    assert cli.main(["--lang", "en", "visit", "minutes", "p-nope", str(tmp_path / "x.pdf")]) == 1
    assert "p-nope" in capsys.readouterr().err
