"""Sign-in and roles (geo/auth.py) on a real store: hashing, the role matrix, throttling and
lockout, disabled accounts, the last admin, OIDC mapping, idle expiry."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import auth
from geo.errors import (
    AccountDisabled,
    AccountLocked,
    ConflictError,
    InputError,
    NotFound,
    PermissionDenied,
    SignInFailed,
)

T0 = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
PW = "correct horse battery"


@pytest.fixture()
def users(store):
    auth.add_user(store, "root", PW, "admin", actor="test", bootstrap=True)
    auth.add_user(store, "lan", PW, "editor", user=auth.User("root", "admin"), display_name="Nguyễn Thị Lan")
    auth.add_user(store, "minh", PW, "viewer", user=auth.User("root", "admin"))
    return store


def test_role_matrix_is_ordered():
    expected = {
        None: set(),
        "viewer": {"browse", "plan", "inspect", "api_read"},
        "editor": {"browse", "plan", "inspect", "api_read", "plan_others", "upload", "edit_sites", "edit_site",
                   "rollback", "indicators", "apply_inspection"},
        "admin": set(auth.ACTIONS),
    }
    for role, allowed in expected.items():
        assert {a for a in auth.ACTIONS if auth.can(role, a)} == allowed, role
    with pytest.raises(InputError, match="superuser"):
        auth.check_role("superuser")
    with pytest.raises(KeyError):
        auth.can("admin", "no-such-action")


def test_passwords_are_argon2id_and_never_stored_plain(users):
    row = users.get_user("lan")
    assert row["password_hash"].startswith("$argon2id$")
    assert PW not in row["password_hash"]
    listed = users.list_users()
    assert "password_hash" not in listed.columns
    assert set(listed["username"]) == {"root", "lan", "minh"}
    for text in users.audit()["after_json"].dropna():
        assert "$argon2" not in text and PW not in text


def test_authenticate_ok_stamps_last_login(users):
    user = auth.authenticate(users, " LAN ", PW, now=T0)
    assert (user.username, user.role, user.label) == ("lan", "editor", "Nguyễn Thị Lan")
    assert users.get_user("lan")["last_login"] == "2026-11-25T08:00:00+00:00"


@pytest.mark.parametrize("name,password", [("lan", "wrong password"), ("nobody", PW), ("<script>", PW), ("", "")])
def test_wrong_or_unknown_gets_one_message(users, name, password):
    with pytest.raises(SignInFailed) as exc:
        auth.authenticate(users, name, password, now=T0)
    assert type(exc.value) is SignInFailed
    assert exc.value.en == "Wrong user name or password."


def test_failures_slow_down_then_lock(users, monkeypatch):
    monkeypatch.setenv("P03_LOGIN_MAX_FAILURES", "4")
    monkeypatch.setenv("P03_LOCKOUT_MINUTES", "10")
    t = T0
    with pytest.raises(SignInFailed):
        auth.authenticate(users, "lan", "bad-1", now=t)  # 1st failure: no wait
    with pytest.raises(SignInFailed):
        auth.authenticate(users, "lan", "bad-2", now=t)  # 2nd: wait 1 s
    with pytest.raises(AccountLocked) as exc:
        auth.authenticate(users, "lan", PW, now=t)  # even the right password waits
    assert exc.value.seconds == 1
    assert users.get_user("lan")["failed_count"] == 2
    t += dt.timedelta(seconds=1)
    with pytest.raises(SignInFailed):
        auth.authenticate(users, "lan", "bad-3", now=t)  # 3rd: wait 2 s
    with pytest.raises(AccountLocked):
        auth.authenticate(users, "lan", PW, now=t + dt.timedelta(seconds=1))
    t += dt.timedelta(seconds=2)
    assert not users.audit(action="user_lock").shape[0]
    with pytest.raises(SignInFailed):
        auth.authenticate(users, "lan", "bad-4", now=t)  # 4th: locked for 10 minutes
    locks = users.audit(action="user_lock")
    assert len(locks) == 1 and locks.iloc[0]["entity_id"] == "lan"
    with pytest.raises(AccountLocked, match="10 minutes"):
        auth.authenticate(users, "lan", PW, now=t)
    with pytest.raises(AccountLocked, match="60 seconds"):
        auth.authenticate(users, "lan", PW, now=t + dt.timedelta(minutes=9))
    assert auth.authenticate(users, "lan", PW, now=t + dt.timedelta(minutes=10, seconds=1)).role == "editor"
    row = users.get_user("lan")
    assert row["failed_count"] == 0 and row["locked_until"] is None
    # another user is not affected
    assert auth.authenticate(users, "minh", PW, now=t).role == "viewer"


def test_reset_password_lifts_a_lock(users, monkeypatch):
    monkeypatch.setenv("P03_LOGIN_MAX_FAILURES", "2")
    for _ in range(2):
        with pytest.raises(SignInFailed):
            auth.authenticate(users, "minh", "nope-nope", now=T0)
    with pytest.raises(AccountLocked):
        auth.authenticate(users, "minh", PW, now=T0)
    auth.reset_password(users, "minh", "a new passphrase", user=auth.User("root", "admin"))
    assert auth.authenticate(users, "minh", "a new passphrase", now=T0).username == "minh"
    with pytest.raises(SignInFailed):
        auth.authenticate(users, "minh", PW, now=T0)


def test_disabled_account_cannot_sign_in_and_refresh_drops_it(users):
    user = auth.authenticate(users, "lan", PW, now=T0)
    auth.set_disabled(users, "lan", True, user=auth.User("root", "admin"))
    with pytest.raises(AccountDisabled):
        auth.authenticate(users, "lan", PW, now=T0)
    assert auth.refresh(users, user) is None
    auth.set_disabled(users, "lan", False, user=auth.User("root", "admin"))
    auth.set_role(users, "lan", "admin", user=auth.User("root", "admin"))
    assert auth.refresh(users, user).role == "admin"  # role changes apply to a live session


def test_last_active_admin_cannot_be_removed(users):
    with pytest.raises(ConflictError, match="no active admin"):
        auth.set_role(users, "root", "editor", user=auth.User("root", "admin"))
    with pytest.raises(ConflictError, match="no active admin"):
        auth.set_disabled(users, "root", True, user=auth.User("root", "admin"))
    assert users.get_user("root")["role"] == "admin"
    auth.set_role(users, "lan", "admin", user=auth.User("root", "admin"))
    auth.set_disabled(users, "root", True, user=auth.User("lan", "admin"))  # fine: lan is an admin now


def test_bootstrap_only_on_an_empty_store(users):
    with pytest.raises(ConflictError, match="already exist"):
        auth.add_user(users, "mallory", PW, "admin", actor="cli:mallory", bootstrap=True)
    assert users.get_user("mallory") is None
    with pytest.raises(ConflictError, match="already exists"):
        auth.add_user(users, "LAN", PW, "viewer", user=auth.User("root", "admin"))


@pytest.mark.parametrize("name,password,field", [
    ("a", PW, "username"), ("<img src=x>", PW, "username"), ("lan nguyen", PW, "username"),
    ("x" * 65, PW, "username"), ("tuan", "short", "password"), ("tuan", "tuan", "password"),
    ("tuan", "x" * 257, "password"),
])
def test_names_and_passwords_are_checked(users, name, password, field):
    with pytest.raises(InputError) as exc:
        auth.add_user(users, name, password, "viewer", user=auth.User("root", "admin"))
    assert exc.value.field == field
    assert len(users.list_users()) == 3


def test_changes_to_unknown_users(users):
    with pytest.raises(NotFound):
        auth.set_role(users, "ghost", "viewer", user=auth.User("root", "admin"))
    with pytest.raises(NotFound):
        auth.reset_password(users, "ghost", "whatever123", user=auth.User("root", "admin"))


def test_oidc_mapping(users, monkeypatch):
    assert auth.oidc_user(users, "LAN", "Lan").role == "editor"  # a row by that name: its role
    u = auth.oidc_user(users, "hoa@hanoi.gov.vn", "Hoa")
    assert (u.username, u.role, u.source) == ("hoa@hanoi.gov.vn", "viewer", "oidc")
    monkeypatch.setenv("P03_OIDC_DEFAULT_ROLE", "none")
    assert auth.oidc_user(users, "hoa@hanoi.gov.vn", "Hoa") is None
    assert auth.refresh(users, u) is None
    auth.set_disabled(users, "lan", True, user=auth.User("root", "admin"))
    assert auth.oidc_user(users, "lan", "Lan") is None
    assert auth.oidc_user(users, None) is None
    monkeypatch.setenv("P03_OIDC_DEFAULT_ROLE", "god")
    with pytest.raises(Exception, match="P03_OIDC_DEFAULT_ROLE"):
        auth.oidc_user(users, "hoa@hanoi.gov.vn")


def test_idle_expiry(monkeypatch):
    monkeypatch.setenv("P03_SESSION_IDLE_MINUTES", "30")
    assert not auth.idle_expired(1000.0, 1000.0 + 30 * 60)
    assert auth.idle_expired(1000.0, 1000.0 + 30 * 60 + 1)


def test_denied_messages():
    anon = auth.denied("upload", None)
    assert isinstance(anon, PermissionDenied) and anon.role_needed == "editor"
    assert "Sign in" in anon.en and "đăng nhập" in anon.vi
    viewer = auth.denied("users", auth.User("minh", "viewer"))
    assert "admin" in viewer.en and viewer.exit_code == 3


def test_an_outsider_cannot_lock_the_admin_out(users, monkeypatch):
    """Issue #10: failures lock the pair (account, client): five wrong passwords from one address
    lock that address only; the admin signs in from another one, and always from the CLI."""
    monkeypatch.setenv("P03_LOGIN_MAX_FAILURES", "5")
    t = T0
    for _ in range(5):  # each after the previous wait has passed: five counted failures
        with pytest.raises(SignInFailed) as exc:
            auth.authenticate(users, "lan", "guess-guess", now=t, client="web:203.0.113.9")
        assert type(exc.value) is SignInFailed
        t += dt.timedelta(seconds=61)
    with pytest.raises(AccountLocked):
        auth.authenticate(users, "lan", PW, now=t, client="web:203.0.113.9")
    assert auth.authenticate(users, "lan", PW, now=t, client="web:10.0.0.5").role == "editor"
    assert auth.authenticate(users, "lan", PW, now=t, client="cli").role == "editor"
    assert len(users.audit(action="user_lock")) == 1
    # the outsider's address stays locked for them (a success elsewhere does not free it)
    with pytest.raises(AccountLocked):
        auth.authenticate(users, "lan", PW, now=t + dt.timedelta(minutes=5), client="web:203.0.113.9")


def test_cli_sign_in_is_its_own_client(users, monkeypatch):
    monkeypatch.setenv("P03_LOGIN_MAX_FAILURES", "2")
    for _ in range(2):
        with pytest.raises(SignInFailed):
            auth.authenticate(users, "minh", "nope-nope", now=T0, client="web")
    monkeypatch.setenv("P03_USER", "minh")
    monkeypatch.setenv("P03_PASSWORD", PW)
    assert auth.cli_require("viewer", users).username == "minh"
