"""The one hierarchy of domain errors.

Every error carries a message a user can act on, in Vietnamese and English: which file, which
feature, which field, and what to do. Pages show them through one helper (``pages/ui.py``), the
CLI prints them; neither shows a traceback for a :class:`P03Error`.
"""

from __future__ import annotations


class P03Error(Exception):
    """Base class. ``vi`` and ``en`` are complete sentences for the user."""

    exit_code = 2

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en

    def message(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


class SettingError(P03Error):
    def __init__(self, name: str, value: str, why: str) -> None:
        super().__init__(
            f"Thiết lập {name}={value!r} không hợp lệ ({why}). Hãy sửa biến môi trường này.",
            f"Setting {name}={value!r} is invalid ({why}). Fix this environment variable.",
        )
        self.name = name


class BoundaryError(P03Error):
    """A boundary source is missing or broken; nothing was imported."""


class BoundariesMissing(BoundaryError):
    def __init__(self, folder: str) -> None:
        super().__init__(
            f"Chưa có ranh giới hành chính trong {folder}. Chạy `make run` hoặc "
            "`python -m geo boundaries import ĐƯỜNG_DẪN` để nhập.",
            f"No administrative boundaries in {folder}. Run `make run` or "
            "`python -m geo boundaries import PATH` to import them.",
        )


class OutsideHanoi(P03Error):
    exit_code = 1

    def __init__(self, lat: float, lon: float, km: float) -> None:
        super().__init__(
            f"Điểm ({lat:.6f}, {lon:.6f}) nằm ngoài Hà Nội, cách ranh giới thành phố {km:.1f} km. "
            "Kiểm tra lại thứ tự vĩ độ, kinh độ.",
            f"Point ({lat:.6f}, {lon:.6f}) is outside Hanoi, {km:.1f} km from the city boundary. "
            "Check the order of latitude and longitude.",
        )
        self.km = km


class NotFound(P03Error):
    exit_code = 1

    def __init__(self, what_vi: str, what_en: str, key: str) -> None:
        super().__init__(
            f"Không tìm thấy {what_vi} “{key}”. Kiểm tra lại tên hoặc mã.",
            f"No {what_en} “{key}” was found. Check the name or code.",
        )
        self.key = key


class StoreError(P03Error):
    """The store refused a write; it is left exactly as it was."""


class ConflictError(StoreError):
    """A write collides with stored data (duplicate id, batch already rolled back, ...)."""


class InputError(P03Error):
    """A user-supplied file or value cannot be used. ``file``/``feature``/``field`` say where."""

    exit_code = 2

    def __init__(
        self,
        vi: str,
        en: str,
        *,
        file: str | None = None,
        feature: int | None = None,
        field: str | None = None,
    ) -> None:
        where_vi, where_en = _where(file, feature, field)
        super().__init__(where_vi + vi, where_en + en)
        self.file = file
        self.feature = feature
        self.field = field


class PermissionDenied(P03Error):
    exit_code = 3

    def __init__(self, action_vi: str, action_en: str, role_needed: str) -> None:
        super().__init__(
            f"Bạn không có quyền {action_vi}. Cần đăng nhập với vai trò “{role_needed}” trở lên.",
            f"You may not {action_en}. Sign in with the “{role_needed}” role or higher.",
        )
        self.role_needed = role_needed


def _where(file: str | None, feature: int | None, field: str | None) -> tuple[str, str]:
    vi, en = [], []
    if file:
        vi.append(f"Tệp “{file}”")
        en.append(f"File “{file}”")
    if feature is not None:
        vi.append(f"đối tượng số {feature}")
        en.append(f"feature {feature}")
    if field:
        vi.append(f"trường “{field}”")
        en.append(f"field “{field}”")
    if not vi:
        return "", ""
    return ", ".join(vi) + ": ", ", ".join(en) + ": "


class ReferenceLayerError(P03Error):
    """A reference-layer source (OpenStreetMap markets, parks, ...) is missing or broken; nothing
    was imported."""
