"""The one permission check lives in the operations that change data, not in the page or command
calling them: ``geo.ingest.commit``/``rollback`` refuse anonymous users and viewers, the user
administration of ``geo.auth`` refuses everyone but admins — on a real store, with nothing
written or audited when refused, whatever actor name the caller passes."""

from __future__ import annotations

import json

import pytest

from geo import auth, ingest
from geo.errors import NotSignedIn, PermissionDenied

PW = "long-enough-pass"
ROOT = auth.User("root", "admin")
LAN = auth.User("lan", "editor")
MINH = auth.User("minh", "viewer")
SITES = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.8525, 21.0288]},
     "properties": {"id": "dom-1", "name": "Vườn hoa thử quyền", "category": "park"}}]}).encode()


@pytest.fixture()
def people(store):
    auth.add_user(store, "root", PW, "admin", actor="test", bootstrap=True)
    auth.add_user(store, "lan", PW, "editor", user=ROOT)
    auth.add_user(store, "minh", PW, "viewer", user=ROOT)
    return store


def _state(store):
    return len(store.audit()), store.count_sites(), store.list_users().to_dict("records")


@pytest.mark.parametrize("who", [None, MINH], ids=["anonymous", "viewer"])
def test_commit_and_rollback_refused_by_the_operation(people, who):
    result = ingest.check(SITES, "quyen.geojson", store=people)
    before = _state(people)
    with pytest.raises(NotSignedIn if who is None else PermissionDenied) as refused:
        ingest.commit(result, people, who, actor="cli:minh")  # an actor name grants nothing
    assert "editor" in refused.value.message("en")
    assert _state(people) == before
    batch = ingest.commit(result, people, LAN)
    before = _state(people)
    with pytest.raises(PermissionDenied):
        ingest.rollback(people, batch, who, actor="cli:minh")
    assert _state(people) == before and people.get_batch(batch)["status"] == "committed"
    assert ingest.rollback(people, batch, LAN) == 1
    assert people.audit(action="rollback")["actor"].tolist() == ["lan"]


@pytest.mark.parametrize("who", [None, MINH, LAN], ids=["anonymous", "viewer", "editor"])
def test_user_administration_refused_to_all_but_admins(people, who):
    before = _state(people)
    changes = [
        lambda: auth.add_user(people, "eve", PW, "admin", user=who, actor="cli:root"),
        lambda: auth.set_role(people, "minh", "admin", user=who),
        lambda: auth.set_disabled(people, "root", True, user=who),
        lambda: auth.reset_password(people, "root", "taken-over-pass", user=who),
        lambda: auth.list_users(people, who),
    ]
    for change in changes:
        with pytest.raises(PermissionDenied) as refused:
            change()
        assert "admin" in refused.value.message("en")
    assert _state(people) == before
    auth.set_role(people, "minh", "editor", user=ROOT, actor="cli:root")
    assert people.get_user("minh")["role"] == "editor"
    assert people.audit(action="user_set_role")["actor"].tolist() == ["cli:root"]


def test_bootstrap_needs_no_user_but_only_once(people):
    with pytest.raises(PermissionDenied):
        auth.add_user(people, "eve", PW, "admin", actor="cli:eve")  # not bootstrap: an admin is needed
    assert people.get_user("eve") is None
