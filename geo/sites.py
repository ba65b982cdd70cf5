"""Sites as GeoDataFrames in the schema: completing, placing, loading files already in the
schema (the demo set), and exporting."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo import boundaries, fmt
from geo.errors import InputError
from geo.i18n import pick, t
from geo.schema import ATTRIBUTE_NAMES, CATEGORY_BY_CODE, category_label, status_label
from geo.store.base import Store, Upload, new_id

EXPORT_FORMATS = ("geojson", "csv", "kml", "gpkg", "xlsx")
MEDIA_TYPES = {
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "kml": "application/vnd.google-earth.kml+xml",
    "gpkg": "application/geopackage+sqlite3",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def complete(gdf: gpd.GeoDataFrame, b: boundaries.Boundaries | None = None) -> gpd.GeoDataFrame:
    """Fill what the schema derives: missing ids, default status and indicator, and the
    district/commune codes from a spatial join with the boundary layers."""
    out = gdf.copy()
    for col in ATTRIBUTE_NAMES:
        if col not in out.columns:
            out[col] = None
    out["id"] = [v if isinstance(v, str) and v.strip() else new_id("s") for v in out["id"]]
    out["status"] = out["status"].where(out["status"].notna() & (out["status"] != ""), "planned")
    default_ind = out["category"].map(lambda c: CATEGORY_BY_CODE[c].indicator if c in CATEGORY_BY_CODE else None)
    out["indicator"] = out["indicator"].where(out["indicator"].notna() & (out["indicator"] != ""), default_ind)
    out["district_codes"], out["commune_codes"] = boundaries.place(out.geometry, b)
    return out[[*ATTRIBUTE_NAMES, out.geometry.name]].rename_geometry("geometry") \
        if out.geometry.name != "geometry" else out[[*ATTRIBUTE_NAMES, "geometry"]]


def load_demo(store: Store, folder: Path, actor: str = "setup", b: boundaries.Boundaries | None = None) -> int:
    """Load every ``*.geojson`` (already in the schema) from ``folder`` into an empty store.
    Returns the number of sites loaded (0 when the store already holds sites)."""
    if store.count_sites():
        return 0
    total = 0
    for path in sorted(Path(folder).glob("*.geojson")):
        content = path.read_bytes()
        gdf = gpd.read_file(io.BytesIO(content), engine="pyogrio")
        gdf = complete(gdf.set_crs(4326, allow_override=True), b)
        store.commit_batch(gdf, actor=actor, kind="demo", upload=Upload(path.name, content))
        total += len(gdf)
    return total


def labelled(gdf: gpd.GeoDataFrame, b: boundaries.Boundaries | None, lang: str = "vi") -> pd.DataFrame:
    """A table of sites for people: labels instead of codes, district/commune names.

    Each distinct category, status and code list is labelled once (a city has tens of districts
    and a few hundred communes, however many sites): 0.03 s at 10,000 sites instead of 8 s row
    by row, with the same result."""
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    df["category"] = _label_distinct(df["category"], lambda c: category_label(c, lang))
    df["status"] = _label_distinct(df["status"], lambda s: status_label(s, lang))
    if b is not None:
        df["district_codes"] = _label_distinct(df["district_codes"], boundaries.unit_namer(b, "district", lang))
        df["commune_codes"] = _label_distinct(df["commune_codes"], boundaries.unit_namer(b, "commune", lang))
    return df


#: the site table on the map page shows at most this many rows; the download holds every site
TABLE_MAX_ROWS = 1000
#: the site table's columns (as :func:`labelled` names them)
TABLE_COLUMNS = ("id", "name", "category", "status", "district_codes", "commune_codes", "progress_pct")


def table_head(gdf: gpd.GeoDataFrame, b: boundaries.Boundaries | None, lang: str = "vi",
               limit: int | None = None) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` (default :data:`TABLE_MAX_ROWS`) sites labelled for the map page's table (:data:`TABLE_COLUMNS`, in the
    order of ``gdf``, so that row ``i`` is ``gdf.iloc[i]``) and how many sites there are in all.
    Only the rows shown are labelled and sent: a page of 100,000 sites sends 1,000 rows."""
    head = gdf.iloc[:TABLE_MAX_ROWS if limit is None else limit]
    return labelled(head[[*TABLE_COLUMNS, "geometry"]], b, lang)[list(TABLE_COLUMNS)], len(gdf)


def _label_distinct(values: pd.Series, label: Callable[[Any], str]) -> list[str]:
    """``[label(v) for v in values]`` with ``label`` called once per distinct value."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        texts = np.array([label(u) for u in uniques] + [""], dtype=object)
        out = texts[codes]  # a missing value (code -1) is labelled below, as it is
        for i in np.flatnonzero(codes < 0):
            out[i] = label(values.iat[i])
        return list(out)
    # mixed types: keyed on the value and its type, so that 1 and "1" or None and nan stay apart
    done: dict[tuple[type, Any], str] = {}
    result: list[str] = []
    for v in values:
        try:
            key = (type(v), v)
            if key not in done:
                done[key] = label(v)
            result.append(done[key])
        except TypeError:  # unhashable: labelled on its own
            result.append(label(v))
    return result


def to_feature_collection(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """RFC 7946 FeatureCollection; district/commune codes as lists."""
    doc: dict[str, Any] = json.loads(gdf.to_json(na="null", drop_id=True, to_wgs84=True))
    for feat in doc["features"]:
        props = feat["properties"]
        for key in ("district_codes", "commune_codes"):
            props[key] = [c for c in (props.get(key) or "").split(";") if c]
    return doc


def export(gdf: gpd.GeoDataFrame, fmt: str) -> bytes:
    """The sites as a file in ``fmt`` (one of :data:`EXPORT_FORMATS`)."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"không hỗ trợ định dạng “{fmt}”; chọn {', '.join(EXPORT_FORMATS)}.",
                         f"format “{fmt}” is not supported; choose {', '.join(EXPORT_FORMATS)}.")
    if fmt == "geojson":
        return json.dumps(to_feature_collection(gdf), ensure_ascii=False).encode("utf-8")
    if fmt == "csv":
        df = spreadsheet_safe(pd.DataFrame(gdf.drop(columns="geometry")))
        df["wkt"] = gdf.geometry.to_wkt(rounding_precision=7)
        data: bytes = df.to_csv(index=False).encode("utf-8-sig")  # BOM: Excel opens Vietnamese correctly
        return data
    if fmt == "xlsx":
        df = spreadsheet_safe(pd.DataFrame(gdf.drop(columns="geometry")))
        df["wkt"] = gdf.geometry.to_wkt(rounding_precision=7)
        buf = io.BytesIO()
        df.to_excel(buf, index=False, sheet_name="sites", engine="openpyxl")
        return buf.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"sites.{fmt}"
        out = gdf.copy()
        for col in ("budget_vnd", "progress_pct"):
            out[col] = out[col].astype("float64")
        if fmt == "kml":
            out = out.rename(columns={"name": "Name", "notes": "Description"})
            pyogrio.write_dataframe(out, path, driver="KML", layer="sites")
        else:
            pyogrio.write_dataframe(out, path, driver="GPKG", layer="sites")
            from geo import styles  # QGIS style embedded (layer_styles): opens looking like the map

            styles.style_geopackage(path, "sites", [str(t) for t in out.geom_type])
        return path.read_bytes()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each text cell a spreadsheet would take for a formula (``=HYPERLINK(...)``,
    ``=cmd|...``, ``+``, ``-``, ``@``) prefixed by an apostrophe, so that it shows as text.

    >>> spreadsheet_safe(pd.DataFrame({"n": ["=1+1", "Chợ Hôm", "@x"], "v": [1.0, -2.0, 3.0]}))["n"].tolist()
    ["'=1+1", 'Chợ Hôm', "'@x"]
    """
    out = df.copy()
    for col in [c for c in out.columns if not pd.api.types.is_numeric_dtype(out[c])]:
        out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    return out


def counts(gdf: gpd.GeoDataFrame, column: str) -> pd.Series:
    """Sites per value of ``column``; for district/commune codes a site counts once per unit."""
    if column in ("district_codes", "commune_codes"):
        values = gdf[column].fillna("").str.split(";").explode()
        values = values[values != ""]
        return values.value_counts()
    return gdf[column].value_counts()


def unit_category_counts(gdf: gpd.GeoDataFrame, column: str = "district_codes") -> pd.DataFrame:
    """Sites per unit (rows, codes from ``column``) and category (columns), plus ``_total``.
    A site touching several units counts once in each."""
    pairs = pd.DataFrame({"unit": gdf[column].fillna("").str.split(";"), "category": gdf["category"]})
    pairs = pairs.explode("unit")
    pairs = pairs[pairs["unit"].fillna("") != ""]
    table = pd.crosstab(pairs["unit"], pairs["category"]) if len(pairs) else pd.DataFrame()
    table["_total"] = table.sum(axis=1) if len(table) else pd.Series(dtype=int)
    return table


def representative_points(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """lon/lat of a point on each site (the point itself, a point on a line or inside a polygon)."""
    pts = gdf.geometry.representative_point()
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def site_details(site: dict[str, Any], b: boundaries.Boundaries | None, lang: str = "vi") -> list[tuple[str, str]]:
    """(label, value) rows describing one site for the details panel: every field, formatted
    as in the visit brief (:mod:`geo.fmt`: money, dd/mm/yyyy dates, percentages), "—" when empty."""
    geometry = site.get("geometry")
    rows = [
        ("name", fmt.text(site.get("name"))),
        ("category", fmt.text(category_label(site.get("category"), lang))),
        ("status", fmt.text(status_label(site.get("status"), lang))),
        ("indicator", fmt.text(site.get("indicator"))),
        ("district", fmt.text(boundaries.unit_names(b, "district", site.get("district_codes"), lang) if b else "")),
        ("commune", fmt.text(boundaries.unit_names(b, "commune", site.get("commune_codes"), lang) if b else "")),
        ("responsible_unit", fmt.text(site.get("responsible_unit"))),
        ("start_date", fmt.date(site.get("start_date"), lang)),
        ("end_date", fmt.date(site.get("end_date"), lang)),
        ("budget_vnd", fmt.money(site.get("budget_vnd"), lang)),
        ("progress_pct", fmt.percent(site.get("progress_pct"), lang)),
        ("notes", fmt.text(site.get("notes"))),
        ("id", fmt.text(site.get("id"))),
        ("geometry", fmt.text(getattr(geometry, "geom_type", None))),
    ]
    return [(t(key, lang), value) for key, value in rows]


def district_overview(gdf: gpd.GeoDataFrame, b: boundaries.Boundaries, lang: str = "vi") -> pd.DataFrame:
    """One row per district of ``b`` (however many the layer holds), in the layer's order:
    ``code``, ``district`` (its name), ``total`` sites, ``completed`` sites, ``completed_share``
    (None where the district has no site) and the count of each category (columns named by
    category code). A site touching several districts counts in each."""
    counts = unit_category_counts(gdf, "district_codes")
    done = unit_category_counts(gdf[gdf["status"] == "completed"], "district_codes")
    d = b.districts
    names = pick(lang, d["type"] + " " + d["name"], d["name_en"])
    out = pd.DataFrame({"code": d["code"].to_numpy(), "district": names.to_numpy()})
    total = counts["_total"] if "_total" in counts else pd.Series(dtype=int)
    out["total"] = out["code"].map(total).fillna(0).astype(int)
    out["completed"] = out["code"].map(done["_total"] if "_total" in done else pd.Series(dtype=int)).fillna(0)
    out["completed"] = out["completed"].astype(int)
    out["completed_share"] = (out["completed"] / out["total"].where(out["total"] > 0)).astype(object)
    out.loc[out["total"] == 0, "completed_share"] = None
    for code in (c for c in counts.columns if c != "_total"):
        out[code] = out["code"].map(counts[code]).fillna(0).astype(int)
    return out


def details_table(site: dict[str, Any], b: boundaries.Boundaries | None, lang: str = "vi") -> pd.DataFrame:
    """The details panel's table: a "field" and a "value" column (labelled in ``lang``) of
    :func:`site_details`' rows."""
    return pd.DataFrame(site_details(site, b, lang), columns=[t("field", lang), t("value", lang)])
