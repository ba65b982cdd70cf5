"""Field inspections: what was found at a site on a visit, with photos, kept with the site.

An inspection records a site, when (local time), who, the findings, an assessment
(:data:`ASSESSMENTS`), optionally a proposed status and progress, and photos (:mod:`geo.photos`),
optionally for a stop of a saved visit plan. Signed-in viewers may record (``inspect``); only
editors accept a proposal into the site (``apply_inspection``), which makes a new version of the
site citing the inspection.

Also here: which sites were inspected when (never / more than :data:`RECENT_DAYS` days ago /
within them), the GeoJSON of inspections and the ZIP of a visit's photos.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import shapely

from geo import auth, photos
from geo.errors import ConflictError, InputError
from geo.i18n import fold
from geo.schema import STATUSES
from geo.store.base import Store

ASSESSMENTS: tuple[str, ...] = ("on_track", "behind", "problem")
RECENT_DAYS = 90
AGE_CLASSES: tuple[str, ...] = ("never", "old", "recent")
MAX_FINDINGS = 5000
MAX_PHOTOS = 20
MAX_INSPECTORS = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic"}


@dataclass
class Draft:
    """An inspection as typed, before it is stored."""

    site_id: str
    findings: str
    assessment: str = "on_track"
    inspected_at: str = ""  # local time "YYYY-MM-DDTHH:MM"; default now
    inspectors: list[str] = field(default_factory=list)
    proposed_status: str | None = None
    proposed_progress: float | None = None
    plan_id: str | None = None
    stop_seq: int | None = None
    photos: list[photos.Photo] = field(default_factory=list)


def clean_text(text: Any, limit: int) -> str:
    """``text`` in NFC without control or bidirectional-override characters, trimmed to ``limit``.

    >>> clean_text("  Mái chợ\\u202e đã xong\\x00 ", 100)
    'Mái chợ đã xong'
    """
    return _CONTROL.sub("", unicodedata.normalize("NFC", str(text or ""))).strip()[:limit]


def parse_when(text: str | None, now: dt.datetime | None = None) -> str:
    """An inspection time as ``YYYY-MM-DDTHH:MM`` (local); empty: now. InputError if unreadable."""
    if not text:
        return (now or dt.datetime.now()).strftime("%Y-%m-%dT%H:%M")
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            continue
    raise InputError(f"không đọc được thời điểm “{text}”; viết YYYY-MM-DD HH:MM.",
                     f"cannot read the time “{text}”; write YYYY-MM-DD HH:MM.", field="inspected_at")


def _validated(draft: Draft) -> Draft:
    findings = clean_text(draft.findings, MAX_FINDINGS + 1)
    if not findings:
        raise InputError("hãy ghi kết quả kiểm tra (điều thấy được tại công trình).",
                         "write the findings (what was seen at the site).", field="findings")
    if len(findings) > MAX_FINDINGS:
        raise InputError(f"dài quá {MAX_FINDINGS} ký tự; rút gọn lại.", f"is over {MAX_FINDINGS} characters; "
                         "shorten it.", field="findings")
    if draft.assessment not in ASSESSMENTS:
        raise InputError(f"đánh giá “{draft.assessment}” không có; chọn {', '.join(ASSESSMENTS)}.",
                         f"no assessment “{draft.assessment}”; choose {', '.join(ASSESSMENTS)}.", field="assessment")
    status = draft.proposed_status or None
    if status is not None and status not in {s.code for s in STATUSES}:
        raise InputError(f"tình trạng đề xuất “{status}” không có.", f"no status “{status}” to propose.",
                         field="proposed_status")
    progress = draft.proposed_progress
    if progress is not None and not (0 <= float(progress) <= 100):
        raise InputError("tiến độ đề xuất phải từ 0 đến 100 %.", "the proposed progress must be 0 to 100 %.",
                         field="proposed_progress")
    if len(draft.photos) > MAX_PHOTOS:
        raise InputError(f"tối đa {MAX_PHOTOS} ảnh cho một lần kiểm tra.", f"at most {MAX_PHOTOS} photos per "
                         "inspection.", field="photos")
    people = [clean_text(p, 100) for p in draft.inspectors if clean_text(p, 100)][:MAX_INSPECTORS]
    return Draft(site_id=draft.site_id, findings=findings, assessment=draft.assessment,
                 inspected_at=parse_when(draft.inspected_at), inspectors=people, proposed_status=status,
                 proposed_progress=None if progress is None else float(progress), plan_id=draft.plan_id or None,
                 stop_seq=draft.stop_seq, photos=draft.photos)


def check(store: Store, draft: Draft) -> tuple[Draft, list[dict[str, Any]]]:
    """The draft cleaned and checked, and the warnings about its photos (far from the site,
    another day) to show before saving. Raises InputError, NotFound."""
    clean = _validated(draft)
    site = store.get_site(clean.site_id)
    warnings: list[dict[str, Any]] = []
    for p in clean.photos:
        p.caption = clean_text(p.caption, 500)
        warnings += photos.flag(p, site["geometry"], clean.inspected_at)
    return clean, warnings


def record(store: Store, draft: Draft, user: auth.User | None) -> str:
    """Store an inspection with its photos, all or nothing; return its id.

    Raises
    ------
    PermissionDenied
        Not signed in (any signed-in role may record).
    InputError, NotFound
        Bad findings, assessment, proposal or photos; unknown site. Nothing is stored.
    """
    if user is None or not user.can("inspect"):
        raise auth.denied("inspect", user)
    clean, _warnings = check(store, draft)
    row = {"site_id": clean.site_id, "plan_id": clean.plan_id, "stop_seq": clean.stop_seq,
           "inspected_at": clean.inspected_at, "inspectors": "\n".join(clean.inspectors),
           "findings": clean.findings, "assessment": clean.assessment, "proposed_status": clean.proposed_status,
           "proposed_progress": clean.proposed_progress}
    return store.add_inspection(row, clean.photos, actor=user.username)


def proposal(insp: dict[str, Any]) -> dict[str, Any]:
    """The site changes an inspection proposes (``status``, ``progress_pct``), maybe empty."""
    out: dict[str, Any] = {}
    if not _missing(insp.get("proposed_status")) and insp.get("proposed_status"):
        out["status"] = str(insp["proposed_status"])
    value = insp.get("proposed_progress")
    if not _missing(value):
        out["progress_pct"] = float(value)  # type: ignore[arg-type]
    return out


def apply(store: Store, inspection_id: str, user: auth.User | None) -> dict[str, Any]:
    """Accept an inspection's proposed status/progress into its site (a new site version citing
    the inspection); return the site as stored. Editors only.

    Raises
    ------
    PermissionDenied
        Not an editor.
    ConflictError
        Already accepted, or nothing proposed.
    """
    if user is None or not user.can("apply_inspection"):
        raise auth.denied("apply_inspection", user)
    holder = store
    insp = holder.get_inspection(inspection_id)
    changes = proposal(insp)
    if insp.get("applied_at") or not changes:
        raise ConflictError(f"Biên bản {inspection_id} không có đề xuất chờ duyệt.",
                            f"Inspection {inspection_id} has no proposal waiting to be accepted.")
    site = _edit_site(store, insp, changes, user)  # refused (role, rule, conflict): nothing is marked
    holder.mark_inspection_applied(inspection_id, actor=user.username)  # accepted twice at once: refused here
    return site


def _edit_site(store: Store, insp: dict[str, Any], changes: dict[str, Any], user: auth.User) -> dict[str, Any]:
    """The site's next version (:func:`geo.edits.edit_site`), citing the inspection."""
    from geo import edits  # geo.edits imports the ingest checks: only when a proposal is accepted

    reason = f"Biên bản kiểm tra {insp['inspection_id']} ngày {insp['inspected_at'][:10]}"
    return dict(edits.edit_site(store, insp["site_id"], changes, user=user, expected_version=None, reason=reason,
                                source="inspection", inspection_id=insp["inspection_id"]))


# ---------------------------------------------------------------- the site's record


def age_class(last: str | None, today: dt.date | None = None) -> str:
    """``never``, ``old`` (more than :data:`RECENT_DAYS` days ago) or ``recent``.

    >>> age_class(None), age_class("2026-01-01T09:00", dt.date(2026, 6, 1)), age_class("2026-05-01", dt.date(2026, 6, 1))
    ('never', 'old', 'recent')
    """
    if not last:
        return "never"
    days = ((today or dt.date.today()) - dt.date.fromisoformat(last[:10])).days
    return "old" if days > RECENT_DAYS else "recent"


def age_classes(store: Store, site_ids: list[str], today: dt.date | None = None) -> list[str]:
    """:func:`age_class` of each site in ``site_ids``."""
    last = store.last_inspected()
    return [age_class(last.get(s), today) for s in site_ids]


def plan_recorded(store: Store, plan_id: str) -> dict[str, int]:
    """site id -> how many inspections were recorded for that stop of the plan."""
    df = store.list_inspections(plan_id=plan_id)
    return {str(k): int(v) for k, v in df["site_id"].value_counts().items()}


# ---------------------------------------------------------------- exports


def slug(text: str) -> str:
    """A file-name stem from a site name: no diacritics, a-z 0-9 and ``-``.

    >>> slug("Chợ Đồng Xuân (khu A)")
    'cho-dong-xuan-khu-a'
    """
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60] or "site"


def photos_zip(store: Store, plan: dict[str, Any], plan_id: str) -> bytes:
    """A ZIP of the originals of every photo recorded for a visit, named ``stop-name_n.ext`` in
    the order of the plan's stops (``n`` counts from 1 per stop)."""
    holder = store
    df = holder.list_inspections(plan_id=plan_id)
    order = {sid: i for i, sid in enumerate(plan.get("stop_ids") or [])}
    sites = store.query_sites(_ids_filter(list(order) or list(df["site_id"])))
    names = dict(zip(sites["id"], sites["name"], strict=True))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        df = df.assign(_o=df["site_id"].map(order).fillna(len(order))).sort_values(["_o", "inspected_at"])
        pics = holder.list_photos(list(df["inspection_id"]), thumbs=False)
        counts: dict[str, int] = {}
        for insp in df.itertuples():
            for p in pics[pics["inspection_id"] == insp.inspection_id].itertuples():
                stem = slug(names.get(insp.site_id, insp.site_id))
                counts[stem] = counts.get(stem, 0) + 1
                zf.writestr(f"{stem}_{counts[stem]}.{_EXT.get(p.media_type, 'jpg')}", holder.read_blob(p.sha256))
    return buf.getvalue()


def _ids_filter(ids: list[str]) -> Any:
    from geo.store.base import SiteFilter

    return SiteFilter(ids=ids or [""])


def to_geojson(store: Store, df: pd.DataFrame, *, with_gps: bool = False) -> str:
    """The inspections in ``df`` (from ``list_inspections``) as a GeoJSON FeatureCollection: each
    at its site (a point on it), with its photos' names, captions and SHA-256 (their GPS only
    when ``with_gps``)."""
    holder = store
    sites = store.query_sites(_ids_filter(list(df["site_id"].unique())))
    where = dict(zip(sites["id"], shapely.point_on_surface(sites.geometry.to_numpy()), strict=True))
    names = dict(zip(sites["id"], sites["name"], strict=True))
    pics = holder.list_photos(list(df["inspection_id"]), thumbs=False)
    feats = []
    for rec in df.to_dict("records"):
        props = {k: (None if _missing(v) else v) for k, v in rec.items()}
        props["site_name"] = names.get(rec["site_id"])
        props["inspectors"] = [p for p in str(rec.get("inspectors") or "").split("\n") if p]
        mine = pics[pics["inspection_id"] == rec["inspection_id"]]
        keep = ["file_name", "caption", "sha256", "media_type", "taken_at", "width", "height", "flags_json"]
        keep += ["lat", "lon", "distance_m"] if with_gps else []
        props["photos"] = [{k: (None if _missing(v) else v) for k, v in r.items()}
                           for r in mine[keep].to_dict("records")]
        pt = where.get(rec["site_id"])
        geom = None if pt is None else {"type": "Point", "coordinates": [round(pt.x, 7), round(pt.y, 7)]}
        feats.append({"type": "Feature", "id": rec["inspection_id"], "geometry": geom, "properties": props})
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, default=_plain)


def _missing(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _plain(v: Any) -> Any:
    if hasattr(v, "item"):
        return v.item()
    raise TypeError(f"{type(v).__name__} is not JSON")

