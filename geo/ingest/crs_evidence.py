"""When a file states no coordinate system and several of those used in Hanoi put its points in
the city (VN-2000 TM-3 105° and VN-2000 / UTM 48N fit the same numbers ~700 m apart; UTM 48N on
VN-2000 and on WGS 84 ~220 m apart), rank the candidates by evidence: the names in the file that
match a stored site or an OpenStreetMap reference feature within 30 m under one candidate and not
under another. The best is picked only when the evidence favours it over every other candidate;
otherwise the choice stays with the user, who is shown the candidates side by side. Never silent:
either way the report says so, with the distance between the candidates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo import crs as crs_mod
from geo import reference
from geo.ingest.normalise import CRSChoice
from geo.ingest.read import Raw
from geo.store.base import SiteFilter, Store

#: a name matches when the same name lies this close under a candidate
MATCH_M = 30.0
#: at most this many features are compared (the rest add little and cost time)
SAMPLE = 2000


@dataclass
class Candidate:
    """One candidate CRS: where it puts the (sampled) features, and the evidence for it."""

    code: str
    matches: int = 0
    matched_names: list[str] = field(default_factory=list)
    offset_m: float = 0.0  # median distance from the first candidate's positions
    lonlat: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))

    def as_dict(self) -> dict[str, Any]:
        return {"crs": self.code, "matches": self.matches, "matched_names": self.matched_names[:10],
                "offset_m": round(self.offset_m, 1)}


@dataclass
class Evidence:
    """The candidates, best first; ``picked`` when the evidence chose one."""

    candidates: list[Candidate]
    names: list[str]
    picked: str | None = None

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def spread_m(self) -> float:
        """The largest distance between two candidates' positions of the same features (median)."""
        return max((c.offset_m for c in self.candidates), default=0.0)


def _points(geoms: np.ndarray, swapped: bool) -> tuple[np.ndarray, np.ndarray]:
    """(indexes, x/y of one representative point per present geometry), sampled."""
    idx = np.flatnonzero(~shapely.is_missing(geoms))
    if len(idx) > SAMPLE:
        idx = idx[np.linspace(0, len(idx) - 1, SAMPLE).astype(int)]
    pts = shapely.get_coordinates(shapely.point_on_surface(geoms[idx]))
    return idx, (pts[:, ::-1] if swapped else pts)


def _names(raw: Raw, mapping: dict[str, Any] | None, file_name: str, idx: np.ndarray) -> list[str]:
    from geo.ingest.validate import resolve_columns

    columns = [str(c) for c in raw.props.columns]
    try:
        col = resolve_columns(columns, mapping, file_name).get("name")
    except Exception:  # noqa: BLE001 (a bad mapping is reported later by the attribute checks)
        col = None
    if not col:
        return [""] * len(idx)
    values = raw.props.iloc[:, columns.index(col)].tolist()
    return ["" if values[i] is None or (isinstance(values[i], float) and np.isnan(values[i])) else str(values[i])
            for i in idx]


def _store_near(store: Store | None, names: list[str], lonlat: np.ndarray, metric: np.ndarray) -> np.ndarray:
    out = np.zeros(len(names), dtype=bool)
    if store is None or not len(names):
        return out
    minx, miny = lonlat.min(axis=0) - 0.001
    maxx, maxy = lonlat.max(axis=0) + 0.001
    stored = store.query_sites(SiteFilter(bbox=(float(minx), float(miny), float(maxx), float(maxy))))
    if stored.empty:
        return out
    keys = [reference.name_key(n) for n in names]
    s_keys = [reference.name_key(n) for n in stored["name"].tolist()]
    tree = shapely.STRtree(crs_mod.to_metric(stored.geometry.to_numpy()))
    a, b = tree.query(shapely.points(metric), predicate="dwithin", distance=MATCH_M)
    for i, j in zip(a, b, strict=True):
        if keys[i] and keys[i] == s_keys[j]:
            out[i] = True
    return out


def rank(choice: CRSChoice, geoms: np.ndarray, raw: Raw, mapping: dict[str, Any] | None, file_name: str,
         store: Store | None, ref: reference.Reference | None) -> Evidence | None:
    """Rank a guessed CRS's candidates by evidence and, when one is favoured over all others,
    make it the choice (``choice.source`` becomes ``evidence``). None when there is nothing to
    decide (the CRS was stated, given, lon/lat, or only one candidate fits)."""
    if choice.source != "guessed" or len(choice.candidates) < 2:
        return None
    idx, xy = _points(geoms, choice.swapped)
    names = _names(raw, mapping, file_name, idx)
    cands = [Candidate(code) for code in choice.candidates]
    for c in cands:
        with np.errstate(all="ignore"):
            lon, lat = crs_mod.to_wgs84_xy(c.code, xy[:, 0], xy[:, 1])
        c.lonlat = np.column_stack([lon, lat])
        metric = np.column_stack(crs_mod.from_wgs84_xy("EPSG:3405", lon, lat))
        hit = reference.names_near(ref, list(names), shapely.points(metric), MATCH_M)
        hit |= _store_near(store, names, c.lonlat, metric)
        c.matches = int(hit.sum())
        c.matched_names = [names[i] for i in np.flatnonzero(hit)]
    order = sorted(range(len(cands)), key=lambda k: (-cands[k].matches, k))
    ev = Evidence([cands[k] for k in order], names)
    base = crs_mod.to_metric(shapely.points(ev.candidates[0].lonlat))
    for c in ev.candidates[1:]:
        d = shapely.distance(base, crs_mod.to_metric(shapely.points(c.lonlat)))
        c.offset_m = float(np.nanmedian(d)) if len(d) else 0.0
    choice.candidates = [c.code for c in ev.candidates]
    best, second = ev.candidates[0], ev.candidates[1]
    if best.matches > second.matches:
        ev.picked = best.code
        choice.used, choice.source = best.code, "evidence"
    else:
        choice.used = best.code
    choice.warnings[:] = [_message(ev, choice)]
    return ev


def _message(ev: Evidence, choice: CRSChoice) -> tuple[str, str]:
    best = ev.candidates[0]
    listing_vi = "; ".join(f"{crs_mod.describe(c.code, 'vi')}: {c.matches} tên khớp, lệch {c.offset_m:.0f} m"
                           for c in ev.candidates)
    listing_en = "; ".join(f"{crs_mod.describe(c.code, 'en')}: {c.matches} names match, {c.offset_m:.0f} m off"
                           for c in ev.candidates)
    if ev.picked:
        return (f"tệp không ghi hệ tọa độ; {len(ev.candidates)} hệ đều đặt các điểm vào Hà Nội. Đã chọn "
                f"{crs_mod.describe(best.code, 'vi')} theo bằng chứng: {best.matches} tên trong tệp trùng công trình "
                f"đã lưu hoặc đối tượng OpenStreetMap trong vòng {MATCH_M:.0f} m ({listing_vi}).",
                f"the file states no coordinate system; {len(ev.candidates)} systems all put the points in Hanoi. "
                f"{crs_mod.describe(best.code, 'en')} was picked by evidence: {best.matches} names in the file match "
                f"stored sites or OpenStreetMap features within {MATCH_M:.0f} m ({listing_en}).")
    return (f"tệp không ghi hệ tọa độ; {len(ev.candidates)} hệ đều đặt các điểm vào Hà Nội, lệch nhau tới "
            f"{ev.spread_m():.0f} m, và không có bằng chứng nào phân biệt ({listing_vi}). Hãy so sánh trên bản đồ và "
            "chọn hệ đúng.",
            f"the file states no coordinate system; {len(ev.candidates)} systems all put the points in Hanoi, up to "
            f"{ev.spread_m():.0f} m apart, and no evidence tells them apart ({listing_en}). Compare them on the map "
            "and choose the right one.")


def table(ev: Evidence, lang: str = "vi") -> pd.DataFrame:
    """One row per candidate: CRS, names matched, distance from the first candidate."""
    return pd.DataFrame([{"crs": crs_mod.describe(c.code, lang), "code": c.code, "matches": c.matches,
                          "offset_m": round(c.offset_m), "names": ", ".join(c.matched_names[:5])}
                         for c in ev.candidates])
