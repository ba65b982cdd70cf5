"""geo.visits.saved: who may save, copy and delete a field-visit plan (the check lives in the operation)."""

from __future__ import annotations

import pytest

from geo import auth
from geo.errors import NotSignedIn, PermissionDenied
from geo.store.sqlite import SQLiteStore
from geo.visits import saved

MINH, LAN = auth.User("minh", "viewer"), auth.User("lan", "editor")


def test_own_plans_for_anyone_signed_in_others_for_editors(tmp_path) -> None:
    store = SQLiteStore(tmp_path)
    mine = saved.save(store, {"name": "Minh's visit", "stop_ids": []}, MINH)
    assert store.get_plan(mine)["created_by"] == "minh"
    saved.save(store, {"name": "renamed", "stop_ids": []}, MINH, mine)
    theirs = saved.save(store, {"name": "Lan's visit", "stop_ids": []}, LAN)
    with pytest.raises(PermissionDenied, match="other people"):
        saved.delete(store, theirs, MINH)
    with pytest.raises(PermissionDenied):
        saved.save(store, {"name": "hijack", "stop_ids": []}, MINH, theirs)
    copied = saved.copy(store, theirs, MINH, "my copy")  # copying is planning for oneself
    saved.delete(store, copied, MINH)
    saved.delete(store, mine, LAN)  # an editor may delete anyone's
    with pytest.raises(NotSignedIn):
        saved.save(store, {"name": "x", "stop_ids": []}, None)
    assert list(store.list_plans()["plan_id"]) == [theirs]
    assert store.get_plan(theirs)["name"] == "Lan's visit"
