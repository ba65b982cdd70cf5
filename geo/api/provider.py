"""pygeoapi provider plugins over the project's data, read-only.

:class:`SitesProvider` serves the store's sites (SQLite or PostGIS alike: it reads through
:func:`geo.store.open_store`); :class:`LayerProvider` a boundary or reference layer file. Both page
and filter the cached :class:`geo.api.features.FeatureIndex` of their collection.
"""

from __future__ import annotations

import contextvars
import copy
from pathlib import Path
from typing import Any

from pygeoapi.provider.base import BaseProvider, ProviderItemNotFoundError, ProviderQueryError

from geo.api import features
from geo.schema import CATEGORIES, STATUSES

#: set by the server while a request asks for plain GeoJSON: pages may then hold pre-serialised features
RAW_JSON: contextvars.ContextVar[bool] = contextvars.ContextVar("p03_raw_json", default=False)

_TYPES = {"budget_vnd": "number", "progress_pct": "number", "district_codes": "array",
          "commune_codes": "array"}


def _page(index: features.FeatureIndex, rows: Any, offset: int, limit: int, resulttype: str,
          skip_geometry: bool, select: list[str]) -> dict[str, Any]:
    """A FeatureCollection of ``rows[offset:offset+limit]`` (copies: pygeoapi adds links to them)."""
    out: dict[str, Any] = {"type": "FeatureCollection", "numberMatched": int(len(rows)), "features": []}
    if resulttype != "hits" and RAW_JSON.get() and not select and not skip_geometry:
        out["features"] = [index.raw(int(i)) for i in rows[offset:offset + limit]]
    elif resulttype != "hits":
        for i in rows[offset:offset + limit]:
            feat = index.features[int(i)]
            props = feat["properties"]
            if select:
                props = {k: v for k, v in props.items() if k in select}
            out["features"].append({"type": "Feature", "id": feat["id"], "properties": dict(props),
                                    "geometry": None if skip_geometry else feat["geometry"]})
    out["numberReturned"] = len(out["features"])
    return out


def _date_range(datetime_: str | None) -> tuple[str | None, str | None] | None:
    """An OGC datetime (instant or ``start/end``, ``..`` open) as a range of ISO dates."""
    if not datetime_:
        return None
    parts = [p.strip() for p in str(datetime_).split("/")]
    if len(parts) == 1:
        day = parts[0][:10]
        return day, day
    start, end = (None if p in ("", "..") else p[:10] for p in parts[:2])
    return start, end


class SitesProvider(BaseProvider):  # type: ignore[misc]  # pygeoapi ships no type information
    """The programme's sites from the configured store."""

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        self.id_field = "id"
        self.time_field = "end_date"
        self.include_extra_query_parameters = False
        self.get_fields()

    def get_fields(self) -> dict[str, Any]:
        """The queryables (what ``?name=value`` filters on), with their allowed values."""
        fields: dict[str, Any] = {
            "category": {"type": "string", "values": [t.code for t in CATEGORIES]},
            "status": {"type": "string", "values": [t.code for t in STATUSES]},
            "indicator": {"type": "string"},
            "district_code": {"type": "string"},
            "commune_code": {"type": "string"},
        }
        self._fields = fields
        return fields

    def get_schema(self, schema_type: Any = None) -> tuple[str, dict[str, Any]]:
        """JSON schema of a site: every schema field."""
        props = {name: {"type": _TYPES.get(name, "string"), "title": name} for name in features.site_fields()}
        props["geometry"] = {"format": "geometry-any", "x-ogc-role": "primary-geometry"}
        return "application/schema+json", {"type": "object", "properties": props}

    def query(self, offset: int = 0, limit: int = 10, resulttype: str = "results", bbox: list[float] | None = None,
              datetime_: str | None = None, properties: list[tuple[str, str]] | None = None,
              sortby: list[dict[str, str]] | None = None, select_properties: list[str] | None = None,
              skip_geometry: bool = False, **kwargs: Any) -> dict[str, Any]:
        """One page of the sites matching the filters."""
        if sortby or kwargs.get("filterq") is not None or kwargs.get("q"):
            raise ProviderQueryError(user_msg="sortby, q and filter are not supported")
        index = features.sites()
        equals = [(str(k), str(v)) for k, v in (properties or [])]
        rows = index.select(bbox=bbox or (), equals=equals, date_range=_date_range(datetime_))
        return _page(index, rows, offset, limit, resulttype, skip_geometry, list(select_properties or []))

    def get(self, identifier: str, **kwargs: Any) -> dict[str, Any]:
        """One site by id."""
        index = features.sites()
        for feat in index.features:
            if feat["id"] == identifier:
                return copy.deepcopy(feat)
        raise ProviderItemNotFoundError(user_msg=f"no site {identifier!r}")


class LayerProvider(BaseProvider):  # type: ignore[misc]  # pygeoapi ships no type information
    """A boundary or reference layer file (``data``: its path; ``id_field``: its code column)."""

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        self.path = Path(self.data)

    def get_fields(self) -> dict[str, Any]:
        return {}

    def query(self, offset: int = 0, limit: int = 10, resulttype: str = "results", bbox: list[float] | None = None,
              datetime_: str | None = None, properties: list[tuple[str, str]] | None = None,
              sortby: list[dict[str, str]] | None = None, select_properties: list[str] | None = None,
              skip_geometry: bool = False, **kwargs: Any) -> dict[str, Any]:
        """One page of the layer's features (bbox filter only)."""
        if sortby or kwargs.get("filterq") is not None or kwargs.get("q") or properties:
            raise ProviderQueryError(user_msg="only bbox, limit and offset filter this layer")
        index = features.layer(self.path, self.id_field)
        rows = index.select(bbox=bbox or ())
        return _page(index, rows, offset, limit, resulttype, skip_geometry, list(select_properties or []))

    def get(self, identifier: str, **kwargs: Any) -> dict[str, Any]:
        index = features.layer(self.path, self.id_field)
        for feat in index.features:
            if feat["id"] == identifier:
                return copy.deepcopy(feat)
        raise ProviderItemNotFoundError(user_msg=f"no feature {identifier!r}")
