"""One upload, start to end: :func:`check` reads, normalises, validates and places a file without
writing anything; :func:`commit` stores its accepted features as one batch with the original file;
:func:`rollback` undoes a batch. The upload page and the CLI call these and nothing else."""

from __future__ import annotations

import gc
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import auth, boundaries, reference, settings
from geo import crs as crs_mod
from geo import sites as site_ops
from geo.errors import InputError
from geo.ingest import crs_evidence, limits, match, normalise, read, report, text_checks, validate
from geo.ingest.report import ERROR, Problem, Problems
from geo.schema import ATTRIBUTE_NAMES
from geo.store.base import Store, Upload, already_stored

Progress = Callable[[str, float], None]
STAGES = ("reading", "checking", "placing", "done")


@dataclass
class CheckResult:
    """What :func:`check` found. ``accepted`` is in the schema, in WGS 84, placed in districts and
    communes; ``accepted_features`` are their 1-based numbers in the file."""

    file_name: str
    content: bytes
    fmt: str
    n_features: int
    accepted: gpd.GeoDataFrame
    accepted_features: list[int]
    problems: list[Problem]
    crs: str | None
    crs_source: str
    crs_declared: str | None = None
    candidates: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    column_map: dict[str, str | None] = field(default_factory=dict)
    unmatched: dict[str, list[str]] = field(default_factory=dict)
    previous_batch: dict[str, Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    plan: match.UpdatePlan | None = None  # against the store (geo.ingest.match), when checked with one
    unused: list[str] = field(default_factory=list)  # the file's columns no field takes
    value_rules: list[Any] = field(default_factory=list)  # geo.ingest.matching.RuleUse
    suggested: dict[str, str | None] = field(default_factory=dict)  # unused column -> the field it likely feeds
    crs_evidence: crs_evidence.Evidence | None = None  # candidates ranked by names matched within 30 m

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def n_valid(self) -> int:
        return len(self.accepted)

    @property
    def n_rejected(self) -> int:
        return self.n_features - self.n_valid

    @property
    def all_valid(self) -> bool:
        return self.n_features > 0 and self.n_rejected == 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != ERROR]

    def table(self, lang: str = "vi") -> pd.DataFrame:
        return report.table(self.problems, lang)

    def csv(self, lang: str = "vi") -> bytes:
        return report.to_csv(self.problems, lang)

    def summary(self, lang: str = "vi") -> dict[str, Any]:
        """The report as a JSON-ready dict (the CLI's ``--json``; kept with the batch)."""
        errors, warnings = report.as_json(self.problems, self.file_name, lang)
        return {"file": self.file_name, "format": self.fmt, "sha256": self.sha256, "features": self.n_features,
                "valid": self.n_valid, "rejected": self.n_rejected, "errors": errors, "warnings": warnings,
                "crs": self.crs, "crs_source": self.crs_source, "crs_declared": self.crs_declared,
                "crs_candidates": self.candidates, "unmatched": self.unmatched,
                "crs_evidence": [c.as_dict() for c in self.crs_evidence.candidates] if self.crs_evidence else [],
                "columns": {k: v for k, v in self.column_map.items() if v},
                "previous_batch": self.previous_batch["batch_id"] if self.previous_batch else None,
                **self.diff()}

    def diff(self, decided: match.UpdatePlan | None = None) -> dict[str, Any]:
        """``new``/``changed``/``unchanged``/``absent`` counts and, per feature, its match and
        field-by-field changes (``diff``) and the absent sites (``absent_sites``)."""
        p = decided or self.plan or match.UpdatePlan([match.Match(i, f) for i, f in enumerate(self.accepted_features)])
        return {**p.counts(), "diff": [m.to_dict() for m in p.matches], "absent_sites": p.absent}


def _noop(stage: str, fraction: float) -> None:
    return None


def check(content: bytes, file_name: str, *, crs: str | None = None, mapping: dict[str, Any] | None = None,
          progress: Progress | None = None, store: Store | None = None,
          b: boundaries.Boundaries | None = None) -> CheckResult:
    """Read and check an uploaded file; write nothing.

    Parameters
    ----------
    content, file_name
        The file's bytes and its name (the name's extension helps tell the format).
    crs
        A CRS to read the coordinates in (``EPSG:5897``, ``5897``, WKT), overriding the file's.
    mapping
        The user's choices: schema field -> the file's column (``name``, ``category``, ``lon``,
        ``lat``, ``geometry``, ...), ``category_values`` / ``status_values`` (file value -> code),
        ``category_default`` / ``status_default`` (code for features without one).
    progress
        Called as ``progress(stage, fraction)`` with stage in :data:`STAGES`.
    store
        When given, duplicates of stored sites are flagged and a re-upload is recognised.

    Raises
    ------
    InputError
        When the file is too large, unreadable, or holds too many features (nothing is checked).
    """
    deadline = limits.Deadline(file_name)
    tick = progress or _noop

    def timed(stage: str, fraction: float) -> None:
        deadline.check(stage)
        tick(stage, fraction)

    with _gc_paused():
        try:
            return _check(content, file_name, crs, mapping, timed, store, b)
        except MemoryError as exc:
            raise limits.out_of_memory(file_name) from exc


_GC_LOCK = threading.Lock()
_GC_STATE = {"depth": 0, "was_enabled": True}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a file is checked: parsing creates hundreds of
    thousands of small objects, each collection would walk them all (~25 % of the time). Nested
    and concurrent checks (Streamlit sessions are threads) re-enable it only when the last ends."""
    with _GC_LOCK:
        if _GC_STATE["depth"] == 0:
            _GC_STATE["was_enabled"] = gc.isenabled()
            gc.disable()
        _GC_STATE["depth"] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_STATE["depth"] -= 1
            if _GC_STATE["depth"] == 0 and _GC_STATE["was_enabled"]:
                gc.enable()


def _check(content: bytes, file_name: str, crs: str | None, mapping: dict[str, Any] | None, tick: Progress,
           store: Store | None, b: boundaries.Boundaries | None) -> CheckResult:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    _check_size(content, file_name)
    tick("reading", 0.0)
    raw = read.read(content, file_name, mapping)
    _check_count(len(raw), file_name)
    timings["read"] = time.perf_counter() - t0
    tick("checking", 0.3)
    b = b or boundaries.get()
    problems = Problems(len(raw))
    for vi, en in raw.warnings:
        problems.file_warning(vi, en)
    if not len(raw):
        problems.file_warning("tệp không có đối tượng nào.", "the file holds no features.")
    geoms = normalise.readable(raw, problems)
    choice = normalise.choose_crs(normalise.present_xy(geoms), raw.crs, crs, file_name)
    if choice.used:
        crs_mod.check(choice.used, file=file_name)  # a CRS no transform can use: one clear message
    evidence = crs_evidence.rank(choice, geoms, raw, mapping, file_name, store, reference.get())
    for vi, en in choice.warnings:
        problems.file_warning(vi, en, "crs")
    geoms = _placeable(geoms, choice, problems, b)
    coord_cols = {c.strip() for c in raw.coord_source.split(",") if c.strip()}
    attrs = validate.check_attributes(raw.props, mapping, file_name, problems, coord_cols)
    text_checks.check_control_characters(attrs.frame, problems)
    tick("checking", 0.6)
    live = geoms.copy()
    live[problems.rejected] = None
    validate.check_duplicates(live, attrs.frame, None, problems)  # stored sites: matched below (geo.ingest.match)
    timings["check"] = time.perf_counter() - t0 - timings["read"]
    tick("placing", 0.8)
    accepted, numbers = _place(geoms, attrs.frame, problems, b)
    timings["place"] = time.perf_counter() - t0 - timings["read"] - timings["check"]
    plan = None
    if store is not None:
        given = attrs.frame.iloc[[n - 1 for n in numbers]].reset_index(drop=True)
        plan = match.plan(accepted, given, [f for f, c in attrs.columns.items() if c], numbers, store)
        timings["match"] = time.perf_counter() - t0 - timings["read"] - timings["check"] - timings["place"]
    previous = _previous_upload(content, store, problems)
    tick("done", 1.0)
    return CheckResult(file_name, content, raw.fmt, len(raw), accepted, numbers, problems.sorted(), choice.used,
                       choice.source, choice.declared, choice.candidates, [str(c) for c in raw.props.columns],
                       attrs.columns, attrs.unmatched, previous, timings, unused=attrs.unused,
                       value_rules=attrs.rules, suggested=attrs.suggested, crs_evidence=evidence, plan=plan)


def _previous_upload(content: bytes, store: Store | None, problems: Problems) -> dict[str, Any] | None:
    """The batch that already stored these very bytes (warned about), if any."""
    previous = store.find_batch_by_sha256(hashlib.sha256(content).hexdigest()) if store is not None else None
    if previous:
        problems.file_warning(
            f"tệp này đã được tải lên lúc {previous['created_at']} bởi {previous['actor']} (lô {previous['batch_id']}).",
            f"this file was already uploaded at {previous['created_at']} by {previous['actor']} "
            f"(batch {previous['batch_id']}).")
    return previous


def _check_size(content: bytes, file_name: str) -> None:
    limits.check_size(len(content), file_name)
    limit = int(settings.get("P03_MAX_UPLOAD_MB"))
    if len(content) > limit * 1024 * 1024:
        raise InputError(f"tệp nặng {len(content) / 1024 / 1024:.2f} MB, vượt giới hạn {limit} MB (P03_MAX_UPLOAD_MB). "
                         "Hãy chia nhỏ tệp.",
                         f"the file is {len(content) / 1024 / 1024:.2f} MB, beyond the {limit} MB limit "
                         "(P03_MAX_UPLOAD_MB). Split it into smaller files.", file=file_name)


def _check_count(n: int, file_name: str) -> None:
    limit = int(settings.get("P03_MAX_FEATURES"))
    if n > limit:
        raise InputError(f"tệp có {n:,} đối tượng, vượt giới hạn {limit:,} (P03_MAX_FEATURES). Hãy chia nhỏ tệp.",
                         f"the file holds {n:,} features, beyond the limit of {limit:,} (P03_MAX_FEATURES). "
                         "Split it into smaller files.", file=file_name)


def _placeable(geoms: np.ndarray, choice: normalise.CRSChoice, problems: Problems,
               b: boundaries.Boundaries) -> np.ndarray:
    """Geometries in WGS 84, repaired, inside Hanoi; the rest rejected."""
    if choice.used is None:
        live = np.flatnonzero(~problems.rejected & np.array([g is not None for g in geoms], dtype=bool))
        problems.add_each(live, "geometry", None, ERROR,
                          "tọa độ không phải kinh độ/vĩ độ và tệp không ghi hệ tọa độ; không hệ tọa độ quen dùng nào "
                          "(VN-2000, UTM 48N, Web Mercator) đặt được chúng vào Hà Nội. Hãy chọn hệ tọa độ (--crs) "
                          "hoặc kèm tệp .prj.",
                          "coordinates are not longitude/latitude and the file states no coordinate system; none of "
                          "the usual ones (VN-2000, UTM 48N, Web Mercator) puts them in Hanoi. Choose the CRS "
                          "(--crs) or include the .prj file.")
        return np.full(len(geoms), None, dtype=object)
    with np.errstate(all="ignore"):  # absurd coordinates overflow in GEOS; they are reported, not warned about
        out = normalise.to_wgs84(geoms, choice)
        out = normalise.repair(out, problems)
        normalise.inside_hanoi(out, b, problems)
    return out


def _place(geoms: np.ndarray, frame: pd.DataFrame, problems: Problems,
           b: boundaries.Boundaries) -> tuple[gpd.GeoDataFrame, list[int]]:
    keep = np.flatnonzero(~problems.rejected & np.array([g is not None for g in geoms], dtype=bool))
    sel = frame.iloc[keep].reset_index(drop=True)
    gdf = gpd.GeoDataFrame(sel, geometry=gpd.GeoSeries(list(geoms[keep]), crs=4326), crs=4326)
    placed = site_ops.complete(gdf, b) if len(gdf) else _empty()
    return placed, [int(i) + 1 for i in keep]


def _empty() -> gpd.GeoDataFrame:
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in ATTRIBUTE_NAMES})
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def commit(result: CheckResult, store: Store, user: auth.User | None, *, actor: str | None = None,
           allow_repeat: bool = False, decisions: dict[int, str] | None = None, on_duplicate: str | None = None,
           sync: bool = False) -> str:
    """As ``user`` (an editor or admin; ``actor``: the name audited, default the user name), store
    the accepted features of ``result`` as one batch — new sites added, matched ones
    updated field by field (each against the version seen at the check) — with the original file
    kept verbatim; return the batch id. All or nothing.

    ``decisions``: feature number -> ``update``/``new``/``skip`` for same-name matches and possible
    duplicates; ``on_duplicate``: the same for every possible duplicate not decided one by one.
    ``sync``: mark the stored sites absent from the file (a version noting it; nothing deleted).

    Raises
    ------
    PermissionDenied
        ``user`` may not upload (NotSignedIn for None); nothing is written.
    InputError
        When no feature was accepted, or nothing is new or changed.
    ConflictError
        When the same file is already committed (and not rolled back), unless ``allow_repeat``
        (checked again inside the commit's transaction); EditConflict when a site to update
        changed since the check.
    """
    who = auth.require(user, "upload").username  # first: nothing is read or written for others
    if not result.n_valid:
        raise InputError("không có đối tượng hợp lệ nào để lưu; không ghi gì cả.",
                         "no valid feature to store; nothing was written.", file=result.file_name)
    previous = store.find_batch_by_sha256(result.sha256)
    if previous and not allow_repeat:
        raise already_stored(result.file_name, previous["batch_id"], previous["created_at"])
    checked = result.plan or match.plan(result.accepted, result.accepted, validate.INPUT_FIELDS,
                                        result.accepted_features, store)
    decided = checked.decide(decisions, on_duplicate)
    new, updates = match.writes(result.accepted, decided, store)
    if sync:
        updates += match.absent_marks(decided, store)
    if not len(new) and not updates:
        raise InputError("không có công trình mới hay thay đổi nào; không ghi gì cả.",
                         "nothing is new or changed; nothing was written.", file=result.file_name)
    summary = result.summary("en")
    summary.update(decided.counts(), diff=[m.to_dict() for m in decided.matches][:2000])
    summary["errors"] = summary["errors"][:500]
    summary["warnings"] = summary["warnings"][:500]
    upload = Upload(result.file_name, result.content, result.crs or crs_mod.WGS84, summary)
    return store.commit_batch(new, actor=actor or who, kind="upload", upload=upload, updates=updates,
                              unique_file=not allow_repeat,
                              reason=f"--sync: absent sites of {result.file_name} marked" if sync else None)


def rollback(store: Store, batch_id: str, user: auth.User | None, *, actor: str | None = None) -> int:
    """As ``user`` (an editor or admin, else PermissionDenied; ``actor``: the name audited, default
    the user name), remove the sites a batch added (the batch record and its file stay); return
    how many."""
    who = auth.require(user, "rollback").username
    return store.rollback_batch(batch_id, actor=actor or who)


def uploads(store: Store) -> pd.DataFrame:
    """Every batch, newest first (see :meth:`geo.store.base.Store.list_batches`)."""
    return store.list_batches()
