"""The Store contract covers everything the app stores (issue #15): every public method of the SQL
store is declared on ``Store``, so domain code and pages typed against ``Store`` reach all of it."""

from __future__ import annotations

import inspect

from geo.store.base import SQLStore, Store

#: SQL plumbing of the backends, used by the store's own modules (copy, migrations), not the app
PLUMBING = {"execute", "fetchall", "transaction", "record", "close", "files_in_db", "paramstyle", "dialect"}


def test_every_public_store_method_is_in_the_contract() -> None:
    public = {n for n, v in inspect.getmembers(SQLStore) if not n.startswith("_") and callable(v)}
    assert public - PLUMBING - set(Store.__abstractmethods__) == set()


def test_the_contract_is_abstract_and_each_backend_implements_all_of_it() -> None:
    from geo.store.postgis import PostGISStore
    from geo.store.sqlite import SQLiteStore

    assert len(Store.__abstractmethods__) > 40  # sites, versions, batches, files, audit, users, ...
    for backend in (SQLiteStore, PostGISStore):
        assert not backend.__abstractmethods__, backend
