"""Browser sessions (geo/websession.py) on a real store, both backends: the hand-off code is
single-use and short-lived, only hashes are stored, idle and absolute expiry, sign-out, and
disabling an account or resetting its password revoking every session of theirs."""

from __future__ import annotations

import hashlib

import pytest

from geo import auth, websession

PW = "correct horse battery"
T0 = 1_800_000_000.0


@pytest.fixture()
def users(store):
    auth.add_user(store, "root", PW, "admin", actor="test", bootstrap=True)
    auth.add_user(store, "lan", PW, "editor", user=auth.User("root", "admin"), display_name="Nguyễn Thị Lan")
    return store


def signed_in(store, name="lan", now=T0):
    sid, code = websession.start(store, auth.authenticate(store, name, PW), now=now)
    token = websession.claim(store, code, now=now + 1)
    assert token is not None
    return sid, token


def test_code_swaps_once_for_a_token_and_only_hashes_are_stored(users):
    sid, code = websession.start(users, auth.User("lan", "editor"), now=T0)
    assert websession.claim(users, "not-the-code", now=T0 + 1) is None
    token = websession.claim(users, code, now=T0 + 1)
    assert token and websession.claim(users, code, now=T0 + 2) is None  # single use
    row = users.fetchall("SELECT * FROM web_sessions")[0]
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest() and row["handoff_hash"] is None
    assert token not in str(row) and code not in str(row)
    live = websession.resume(users, token, now=T0 + 60)
    assert live is not None and live.sid == sid
    assert live.user == auth.User("lan", "editor", "Nguyễn Thị Lan")


def test_a_stale_code_is_refused(users):
    _sid, code = websession.start(users, auth.User("lan", "editor"), now=T0)
    assert websession.claim(users, code, now=T0 + websession.HANDOFF_SECONDS + 1) is None


def test_idle_and_absolute_expiry(users, monkeypatch):
    monkeypatch.setenv("P03_SESSION_IDLE_MINUTES", "10")
    monkeypatch.setenv("P03_SESSION_MAX_HOURS", "1")
    _sid, token = signed_in(users)
    assert websession.resume(users, token, now=T0 + 9 * 60) is not None  # activity at 9 min ...
    assert websession.resume(users, token, now=T0 + 18 * 60) is not None  # ... keeps it alive
    assert websession.resume(users, token, now=T0 + 29 * 60) is None  # 11 min idle
    _sid, token = signed_in(users, now=T0)
    for minutes in range(5, 60, 5):
        assert websession.resume(users, token, now=T0 + minutes * 60) is not None
    assert websession.resume(users, token, now=T0 + 3601) is None  # past P03_SESSION_MAX_HOURS


def test_sign_out_revokes_and_role_changes_apply(users):
    sid, token = signed_in(users)
    auth.set_role(users, "lan", "viewer", user=auth.User("root", "admin"))
    assert websession.resume(users, token, now=T0 + 5).user.role == "viewer"
    websession.end(users, sid, now=T0 + 6)
    assert websession.resume(users, token, now=T0 + 7) is None
    assert websession.check(users, sid, now=T0 + 7) is None
    sid, token = signed_in(users)
    assert websession.cookie_ended(users, token, sid, now=T0 + 8)  # the /p03/session/end route
    assert websession.resume(users, token, now=T0 + 9) is None


def test_a_late_sign_out_request_spares_a_newer_sign_in(users):
    """Sign out, then sign in again before the page's request to delete the cookie arrives: that
    request carries the new cookie and must leave it (and its session) alone."""
    old_sid, old_token = signed_in(users)
    websession.end(users, old_sid, now=T0 + 2)  # the sign-out, in the Streamlit session
    new_sid, new_token = signed_in(users, now=T0 + 3)
    assert not websession.cookie_ended(users, new_token, old_sid, now=T0 + 4)
    assert websession.resume(users, new_token, now=T0 + 5).sid == new_sid
    assert websession.cookie_ended(users, old_token, old_sid, now=T0 + 6)  # the request in time
    assert websession.cookie_ended(users, None, old_sid, now=T0 + 6)  # no cookie: nothing to keep
    assert websession.cookie_ended(users, "not-a-token", old_sid, now=T0 + 6)
    assert websession.cookie_ended(users, new_token, new_sid, now=T0 + 7)  # its own sign-out
    assert websession.resume(users, new_token, now=T0 + 8) is None


@pytest.mark.parametrize("change", ["disable", "password"])
def test_disabling_or_a_new_password_ends_every_session(users, change):
    (_s1, t1), (_s2, t2) = signed_in(users), signed_in(users)
    _s3, root_token = signed_in(users, "root")
    if change == "disable":
        auth.set_disabled(users, "lan", user=auth.User("root", "admin"))
    else:
        auth.reset_password(users, "lan", "another good pass", user=auth.User("root", "admin"))
    assert websession.resume(users, t1, now=T0 + 5) is None and websession.resume(users, t2, now=T0 + 5) is None
    assert websession.resume(users, root_token, now=T0 + 5) is not None


def test_garbage_tokens_are_refused(users):
    for token in (None, "", "x" * 500, "abc"):
        assert websession.resume(users, token, now=T0) is None
        assert websession.claim(users, token or "", now=T0) is None
