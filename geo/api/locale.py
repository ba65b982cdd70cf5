"""Vietnamese for pygeoapi's HTML pages: a gettext catalogue written at start-up from :data:`VI`.

pygeoapi's templates mark their words with ``{% trans %}``; it ships no Vietnamese catalogue, so
the service compiles this one (Babel) into a folder it points ``server.locale_dir`` at.
"""

from __future__ import annotations

from pathlib import Path

VI: dict[str, str] = {
    "text_direction": "ltr",
    "Home": "Trang chủ",
    "Collections": "Lớp dữ liệu",
    "Collection": "Lớp dữ liệu",
    "Items": "Đối tượng",
    "Item": "Đối tượng",
    "Queryables": "Trường truy vấn được",
    "Schema": "Lược đồ",
    "Conformance": "Chuẩn tuân thủ",
    "API Definition": "Mô tả API",
    "Documentation": "Tài liệu",
    "Contact": "Liên hệ",
    "Powered by ": "Chạy trên ",
    "Keywords": "Từ khoá",
    "Links": "Liên kết",
    "License": "Giấy phép",
    "Browse": "Duyệt",
    "Browse through the items of": "Duyệt các đối tượng của",
    "View the collections in this service": "Xem các lớp dữ liệu của dịch vụ",
    "View the conformance classes of this service": "Xem các chuẩn dịch vụ tuân thủ",
    "Terms of service": "Điều khoản sử dụng",
    "Prev": "Trước",
    "Next": "Tiếp",
    "Limit": "Số dòng",
    "No items": "Không có đối tượng",
    "json": "JSON",
    "jsonld": "JSON-LD",
    "Title": "Tiêu đề",
    "Description": "Mô tả",
    "Type": "Kiểu",
    "Property": "Thuộc tính",
    "Value": "Giá trị",
    "Name": "Tên",
    "id": "mã",
}


def write_catalogues(folder: Path) -> Path:
    """Write ``vi/LC_MESSAGES/messages.mo`` under ``folder``; return ``folder``."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="vi", domain="messages")
    for msgid, text in VI.items():
        catalog.add(msgid, text)
    out = folder / "vi" / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    return folder
