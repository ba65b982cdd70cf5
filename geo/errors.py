"""The one hierarchy of domain errors.

Every error carries a message a user can act on, in Vietnamese and English: which file, which
feature, which field, and what to do. Pages show them through one helper (``pages/ui.py``), the
CLI prints them; neither shows a traceback for a :class:`P03Error`.
"""

from __future__ import annotations

import math

from geo.i18n import pick


class P03Error(Exception):
    """Base class. ``vi`` and ``en`` are complete sentences for the user."""

    exit_code = 2

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en

    def message(self, lang: str = "vi") -> str:
        return pick(lang, self.vi, self.en)


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
        site: str | None = None,
    ) -> None:
        where_vi, where_en = _where(file, feature, field)
        if site:  # an edited site rather than a file's feature
            where_vi, where_en = f"Công trình “{site}”, " + where_vi, f"Site “{site}”, " + where_en
        super().__init__(where_vi + vi, where_en + en)
        self.file = file
        self.feature = feature
        self.field = field


class PermissionDenied(P03Error):
    exit_code = 3

    def __init__(self, action_vi: str, action_en: str, role_needed: str, *, vi: str | None = None,
                 en: str | None = None) -> None:
        """The refusal of an action (``vi``/``en``: whole sentences instead of the usual wording)."""
        super().__init__(
            vi or f"Bạn không có quyền {action_vi}. Cần đăng nhập với vai trò “{role_needed}” trở lên.",
            en or f"You may not {action_en}. Sign in with the “{role_needed}” role or higher.",
        )
        self.role_needed = role_needed


class NotSignedIn(PermissionDenied):
    """An action that needs a signed-in user, asked for by nobody."""

    def __init__(self, vi: str, en: str, role_needed: str) -> None:
        super().__init__("", "", role_needed, vi=vi, en=en)


class TokenRefused(PermissionDenied):
    """An unknown or revoked API token, or one whose user is disabled (geo.tokens)."""

    def __init__(self) -> None:
        super().__init__("", "", "viewer",
                         vi="Mã truy cập API không hợp lệ, đã bị thu hồi hoặc người dùng đã bị khoá.",
                         en="The API token is unknown, revoked, or its user is disabled.")


class RateLimited(P03Error):
    """Too many API requests with one token in a minute (geo.tokens)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Quá nhiều yêu cầu với mã này; thử lại sau {retry_after} giây.",
                         f"Too many requests with this token; retry in {retry_after} s.")
        self.retry_after = retry_after


class SignInFailed(P03Error):
    """Wrong or unknown name or password (one message for both; geo.auth)."""

    exit_code = 3

    def __init__(self, vi: str = "Tên đăng nhập hoặc mật khẩu không đúng.",
                 en: str = "Wrong user name or password.") -> None:
        super().__init__(vi, en)


class AccountLocked(SignInFailed):
    def __init__(self, seconds: int) -> None:
        wait_vi = f"{math.ceil(seconds / 60)} phút" if seconds > 90 else f"{seconds} giây"
        wait_en = f"{math.ceil(seconds / 60)} minutes" if seconds > 90 else f"{seconds} seconds"
        super().__init__(
            f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {wait_vi} hoặc nhờ quản trị viên đặt lại mật khẩu.",
            f"Too many failed sign-ins; try again in {wait_en} or ask an admin to reset the password.")
        self.seconds = seconds


class AccountDisabled(SignInFailed):
    def __init__(self) -> None:
        super().__init__("Tài khoản này đã bị khóa bởi quản trị viên.", "This account has been disabled by an admin.")


class BriefError(P03Error):
    """The brief cannot be made (e.g. no font with Vietnamese letters; geo.visits.brief)."""


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


class SiteInvalid(InputError):
    """An edit of a site breaks a rule an upload is checked by (``field`` names it); nothing was
    written. ``problems`` lists every (field, vi, en) found."""

    exit_code = 1

    def __init__(self, vi: str, en: str, *, field: str | None = None, site_id: str | None = None,
                 problems: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(vi, en, field=field, site=site_id)
        self.site_id = site_id
        self.problems = problems or ([(field or "", vi, en)])


def _short(value: object) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


class EditConflict(ConflictError):
    """A site changed in the store since the writer read it (optimistic concurrency): nothing was
    written. ``conflicts``: one dict per site, ``{site_id, expected, stored, by, at, fields}``
    with ``fields`` = {field: (yours, stored)}. The first site's values are also attributes."""

    exit_code = 1

    def __init__(self, conflicts: list[dict[str, object]]) -> None:
        self.conflicts = conflicts
        first = conflicts[0]
        self.site_id = str(first["site_id"])
        self.expected, self.stored = first.get("expected"), first.get("stored")
        self.by, self.at = first.get("by"), first.get("at")
        self.fields: dict[str, tuple[object, object]] = dict(first.get("fields") or {})  # type: ignore[call-overload]  # the store writes a dict here
        vi, en = [], []
        for c in conflicts[:10]:
            fields = dict(c.get("fields") or {})  # type: ignore[call-overload]  # as above
            diff_vi = "; ".join(f"{f}: của bạn “{_short(y)}”, trong kho “{_short(s)}”" for f, (y, s) in fields.items())
            diff_en = "; ".join(f"{f}: yours “{_short(y)}”, stored “{_short(s)}”" for f, (y, s) in fields.items())
            vi.append(f"“{c['site_id']}” đã được {c.get('by') or '?'} sửa lúc {c.get('at') or '?'} (phiên bản "
                      f"{c.get('stored')}, bạn sửa từ phiên bản {c.get('expected')})" + (f" — {diff_vi}" if diff_vi else ""))
            en.append(f"“{c['site_id']}” was changed by {c.get('by') or '?'} at {c.get('at') or '?'} (version "
                      f"{c.get('stored')}; you edited version {c.get('expected')})" + (f" — {diff_en}" if diff_en else ""))
        more = len(conflicts) - 10
        tail_vi = f" … và {more} công trình nữa" if more > 0 else ""
        tail_en = f" … and {more} more sites" if more > 0 else ""
        super().__init__(
            "Không lưu: công trình đã bị người khác sửa trong lúc bạn sửa. " + "; ".join(vi) + tail_vi
            + ". Hãy tải lại công trình, xem giá trị mới rồi sửa lại.",
            "Not saved: the site was changed by someone else while you were editing. " + "; ".join(en) + tail_en
            + ". Reload the site, look at the stored values and edit again.")


class RollbackBlocked(ConflictError):
    """Rolling back a batch would overwrite later edits; nothing was written. ``edits`` lists
    ``{site_id, by, at, version}`` of each later change."""

    exit_code = 1

    def __init__(self, batch_id: str, edits: list[dict[str, object]]) -> None:
        self.batch_id = batch_id
        self.edits = edits
        shown = "; ".join(f"“{e['site_id']}” ({e.get('by')}, {e.get('at')})" for e in edits[:10])
        more = f" (+{len(edits) - 10})" if len(edits) > 10 else ""
        super().__init__(
            f"Không hoàn tác lô {batch_id}: các công trình sau đã được sửa sau lô này và sẽ mất thay đổi: {shown}{more}. "
            "Hãy khôi phục hoặc sửa từng công trình trong lịch sử của nó; không ghi gì cả.",
            f"Batch {batch_id} was not rolled back: these sites were changed after it and their changes would be lost: "
            f"{shown}{more}. Restore or edit each site from its history instead; nothing was written.")


class ReferenceLayerError(P03Error):
    """A reference-layer source (OpenStreetMap markets, parks, ...) is missing or broken; nothing
    was imported."""


class GDALUnsafe(P03Error):
    """GDAL could not be locked down (its library was not found): GDAL readers must not run
    (geo.gdal_guard; geo.ingest.read names the file refused for it)."""

    def __init__(self, why: str) -> None:
        super().__init__(f"Máy chủ không khóa được GDAL ({why}) nên không đọc định dạng cần GDAL; hãy tải lên GeoJSON "
                         "hoặc CSV.",
                         f"The server cannot lock GDAL down ({why}), so it reads no format that needs GDAL; upload "
                         "GeoJSON or CSV.")
