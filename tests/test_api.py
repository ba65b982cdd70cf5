"""The OGC API – Features service (geo/api/) read by GDAL's OAPIF driver, the real client, from
a real running service; both store backends. Also its conformance, metadata, language, refusals
of hostile query values, and personal API tokens."""

from __future__ import annotations

import shutil
import urllib.parse

import numpy as np
import pyogrio
import pytest
import shapely

from benchmarks import synthetic_sites
from geo import boundaries, tokens
from geo import sites as site_ops
from geo.store import SiteFilter
from tests.api_support import get_json, oapif_read, start_api
from tests.conftest import SHARED

N_SITES = 10_050


def _with_reference(data_dir) -> None:
    """The OSM reference layers where set-up imports them (P03_DATA_DIR/reference)."""
    shutil.copytree(SHARED / "reference", data_dir / "reference", dirs_exist_ok=True)


def _same_sites(read, expected) -> None:
    """Same ids, and each geometry equal to the store's within 1e-9 degrees."""
    assert len(read) == len(expected)
    got = read.set_index("id").loc[expected["id"].to_numpy()]
    assert list(got.index) == list(expected["id"])
    equal = shapely.equals_exact(got.geometry.to_numpy(), expected.geometry.to_numpy(), tolerance=1e-9)
    assert bool(np.all(equal)), f"{int((~equal).sum())} geometries differ"


@pytest.mark.slow
def test_oapif_pages_filters_and_sees_edits_on_both_backends(store, data_dir, bounds) -> None:
    sites = site_ops.complete(synthetic_sites(N_SITES, bounds, seed=14, shapes=0.1), bounds)
    store.commit_batch(sites, actor="test", kind="test")
    _with_reference(data_dir)
    expected = store.query_sites()
    with start_api() as url:
        # every site, through 11 pages of 1,000
        _same_sites(oapif_read(f"{url}/collections/sites", {"PAGE_SIZE": "1000"}), expected)

        # by category: the driver forwards the equality to the server (a queryable)
        markets = oapif_read(f"{url}/collections/sites", {"where": "category = 'market'"})
        _same_sites(markets, store.query_sites(SiteFilter(categories=["market"])))
        status, doc = get_json(f"{url}/collections/sites/items?category=market&limit=1")
        assert status == 200 and doc["numberMatched"] == len(markets)

        # by bbox: the sites whose geometry meets the box
        box = (105.80, 21.00, 105.86, 21.05)
        inside = oapif_read(f"{url}/collections/sites", {"bbox": box})
        hit = expected[shapely.intersects(expected.geometry.to_numpy(), shapely.box(*box))]
        assert len(hit) > 50
        _same_sites(inside, hit)
        district = expected["district_codes"].str.split(";").apply(lambda c: "001" in c)
        status, doc = get_json(f"{url}/collections/sites/items?district_code=001&limit=1")
        assert doc["numberMatched"] == int(district.sum())

        # the boundary and reference layers, each complete
        for coll, path in (("districts", data_dir / "boundaries" / boundaries.DISTRICTS_FILE),
                           ("communes", data_dir / "boundaries" / boundaries.COMMUNES_FILE),
                           ("osm_markets", data_dir / "reference" / "hanoi_osm_markets.geojson"),
                           ("osm_lakes", data_dir / "reference" / "hanoi_osm_lakes.geojson")):
            layer = oapif_read(f"{url}/collections/{coll}")
            assert len(layer) == pyogrio.read_info(path)["features"], coll

        # an edit made in the app is served on the next request
        first = str(expected["id"].iloc[0])
        store.update_site(first, {"name": "Chợ <b>mới</b> sửa"}, actor="test")
        status, doc = get_json(f"{url}/collections/sites/items/{urllib.parse.quote(first)}")
        assert status == 200 and doc["properties"]["name"] == "Chợ <b>mới</b> sửa"


@pytest.mark.slow  # an API server per setting (5 s)
def test_tokens_required_and_refused_as_set(store, data_dir, monkeypatch) -> None:
    from tests.auth_support import ensure_user

    store.commit_batch(site_ops.complete(synthetic_sites(30, boundaries.get()), boundaries.get()),
                       actor="test", kind="test")
    admin = ensure_user(store, "admin")
    viewer = ensure_user(store, "viewer")
    token_id, secret = tokens.issue(store, viewer.username, actor=admin, label="QGIS")
    # stored hashed: the secret is nowhere in the store
    rows = store.fetchall("SELECT * FROM api_tokens")
    assert rows[0]["token_hash"] == tokens.digest(secret) and secret not in str(rows)
    monkeypatch.setenv("P03_READ_REQUIRES_LOGIN", "true")
    with start_api() as url:
        with pytest.raises(RuntimeError, match="401"):
            oapif_read(f"{url}/collections/sites")
        read = oapif_read(f"{url}/collections/sites", headers={"Authorization": f"Bearer {secret}"})
        assert len(read) == 30
        assert get_json(f"{url}/collections", {"X-API-Key": secret})[0] == 200
        assert get_json(f"{url}/collections", {"Authorization": "Bearer p03_wrong"})[0] == 403
        tokens.revoke(store, token_id, actor=admin)
        with pytest.raises(RuntimeError, match="403"):
            oapif_read(f"{url}/collections/sites", headers={"Authorization": f"Bearer {secret}"})
    uses = store.audit(action="api_token_use")
    assert len(uses) == 1 and uses.iloc[0]["entity_id"] == token_id  # at most once a minute
    assert {"api_token_issue", "api_token_revoke"} <= set(store.audit()["action"])
