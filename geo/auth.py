"""Who may do what: users, roles, password hashing, sign-in with throttling, the CLI identity.

Roles are ordered ``viewer < editor < admin``; :data:`ACTIONS` names the least role for each
action and :func:`can` answers from it. Passwords are hashed with argon2id (argon2-cffi's
RFC 9106 low-memory profile) and re-hashed on sign-in when those parameters change.

Throttling: after the second failed sign-in in a row an account refuses further attempts for
1, 2, 4 ... seconds; at ``P03_LOGIN_MAX_FAILURES`` failures it is locked for
``P03_LOCKOUT_MINUTES`` (audited as ``user_lock``). Unknown user names cost the same hashing
work as known ones and get the same message.

The CLI identity: commands that change data sign in with :func:`cli_user` as ``P03_USER`` (the
password from ``P03_PASSWORD`` or, on a terminal, typed without echo) and pass the user to the
operation, which checks the role with :func:`require`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import math
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo import settings, throttle
from geo.errors import (
    AccountDisabled,
    AccountLocked,
    InputError,
    NotSignedIn,
    PermissionDenied,
    SettingError,
    SignInFailed,
)
from geo.store.base import Store

ROLES: tuple[str, ...] = ("viewer", "editor", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}

#: action -> the least role allowed to do it
ACTIONS: dict[str, str] = {
    "browse": "viewer",  # maps, tables, exports (anonymous too unless P03_READ_REQUIRES_LOGIN)
    "plan": "viewer",  # field-visit plans of one's own
    "plan_others": "editor",  # change or delete a plan someone else made
    "upload": "editor",
    "edit_sites": "editor",
    "edit_site": "editor",  # geo.edits: edit, create, delete, undelete, restore a site
    "rollback": "editor",
    "indicators": "editor",  # values, definitions, targets
    "audit": "admin",
    "users": "admin",
    "settings": "admin",
    "inspect": "viewer",  # record a field inspection (findings, photos, a proposed status)
    "apply_inspection": "editor",  # accept an inspection's proposed status/progress into the site
    "api_read": "viewer",  # the OGC API with a personal token (geo/tokens.py)
    "api_tokens": "admin",  # issue and revoke API tokens
}

#: how an action is named in refusals (vi, en)
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "browse": ("xem bản đồ", "browse the maps"),
    "plan": ("lập kế hoạch đi thực địa", "plan field visits"),
    "plan_others": ("sửa kế hoạch của người khác", "change other people's plans"),
    "upload": ("tải dữ liệu lên", "upload data"),
    "edit_sites": ("sửa công trình", "edit sites"),
    "edit_site": ("sửa công trình", "edit sites"),
    "rollback": ("hoàn tác lô tải lên", "roll back upload batches"),
    "indicators": ("sửa chỉ tiêu", "edit indicators"),
    "audit": ("xem nhật ký thay đổi", "see the audit trail"),
    "users": ("quản lý người dùng", "manage users"),
    "settings": ("đổi thiết lập", "change settings"),
    "inspect": ("ghi kết quả kiểm tra thực địa", "record field inspections"),
    "apply_inspection": ("duyệt đề xuất từ kết quả kiểm tra", "accept the proposals of inspections"),
    "api_read": ("đọc dữ liệu qua OGC API", "read the data through the OGC API"),
    "api_tokens": ("cấp và thu hồi mã truy cập API", "issue and revoke API tokens"),
}

MIN_PASSWORD = 8
MAX_PASSWORD = 256
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,63}$")
_HASHER = PasswordHasher()  # argon2id
_DUMMY: list[str] = []  # a hash to verify unknown names against, made on first use


@dataclass(frozen=True)
class User:
    """A signed-in person. ``source`` is ``"local"`` (password) or ``"oidc"``."""

    username: str
    role: str
    display_name: str = ""
    source: str = "local"

    def can(self, action: str) -> bool:
        return can(self.role, action)

    @property
    def label(self) -> str:
        return self.display_name or self.username


# ------------------------------------------------------------------ roles


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else an InputError naming them."""
    if role not in _RANK:
        raise InputError(f"Vai trò “{role}” không có; chọn một trong {', '.join(ROLES)}.",
                         f"No role “{role}”; choose one of {', '.join(ROLES)}.", field="role")
    return role


def at_least(role: str | None, needed: str) -> bool:
    """Whether ``role`` ranks at or above ``needed``; anonymous (None) ranks below everyone.

    >>> at_least("editor", "viewer"), at_least(None, "viewer"), at_least("viewer", "admin")
    (True, False, False)
    """
    return role is not None and role in _RANK and _RANK[role] >= _RANK[check_role(needed)]


def can(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (a key of :data:`ACTIONS`).

    >>> [can(r, "upload") for r in (None, "viewer", "editor", "admin")]
    [False, False, True, True]
    """
    return at_least(role, ACTIONS[action])


def denied(action: str, user: User | None) -> PermissionDenied:
    """The error to show when ``user`` (None: anonymous) may not do ``action``."""
    needed = ACTIONS[action]
    vi, en = ACTION_WORDS[action]
    if user is None:
        return NotSignedIn(f"Cần đăng nhập (vai trò “{needed}” trở lên) để {vi}.",
                           f"Sign in (role “{needed}” or higher) to {en}.", needed)
    return PermissionDenied(vi, en, needed)


def require(user: User | None, action: str) -> User:
    """``user`` if they may do ``action`` (a key of :data:`ACTIONS`: the one table of who may do
    what); else the refusal of :func:`denied` (NotSignedIn for anonymous), naming the action and
    the least role it needs. Domain operations that change data call this; pages and the CLI only
    catch and show the error.

    >>> require(User("lan", "editor"), "upload").username
    'lan'
    >>> require(User("minh", "viewer"), "upload")
    Traceback (most recent call last):
    geo.errors.PermissionDenied: ...
    """
    if user is None or not user.can(action):
        raise denied(action, user)
    return user


def may_change_plan(user: User | None, created_by: str | None) -> bool:
    """Whether ``user`` may change or delete a field-visit plan made by ``created_by``: their own
    (any role), anyone's (editor, admin). A ``web:``/``cli:`` prefix on the maker is ignored.

    >>> may_change_plan(User("minh", "viewer"), "cli:minh"), may_change_plan(User("minh", "viewer"), "lan")
    (True, False)
    """
    if user is None:
        return False
    return (created_by or "").split(":", 1)[-1] == user.username or user.can("plan_others")


# ------------------------------------------------------------------ passwords and names


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` after checking the password rules."""
    check_password(password)
    return _HASHER.hash(password)


def check_password(password: str, username: str = "") -> None:
    """Raise InputError unless ``password`` has 8-256 characters and is not the user name."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InputError(f"Mật khẩu phải dài từ {MIN_PASSWORD} đến {MAX_PASSWORD} ký tự.",
                         f"A password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters.", field="password")
    if username and password.strip().lower() == username.lower():
        raise InputError("Mật khẩu không được trùng tên đăng nhập.", "A password must not equal the user name.",
                         field="password")


def check_repeated(password: str, again: str) -> None:
    """Raise InputError unless the password was typed the same both times."""
    if password != again:
        raise InputError("Hai lần nhập mật khẩu không khớp.", "The two passwords differ.", field="password")


def check_username(username: str) -> str:
    """The user name trimmed and lower-cased, or InputError if it has other than a-z 0-9 . _ @ + -.

    >>> check_username("  Lan.Nguyen@HN.gov.vn ")
    'lan.nguyen@hn.gov.vn'
    """
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InputError("Tên đăng nhập dài 2-64 ký tự, chỉ gồm a-z, 0-9 và . _ @ + -.",
                         "A user name has 2-64 characters: a-z, 0-9 and . _ @ + - only.", field="username")
    return name


def _verify(stored_hash: str | None, password: str) -> bool:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash("p03-timing-equaliser"))
    try:
        return _HASHER.verify(stored_hash or _DUMMY[0], password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# ------------------------------------------------------------------ sign-in


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="seconds")


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def throttle_seconds(failures: int) -> int:
    """Seconds a further attempt must wait after ``failures`` failed sign-ins in a row.

    >>> [throttle_seconds(n) for n in range(1, 7)]
    [0, 1, 2, 4, 8, 16]
    """
    return 0 if failures < 2 else min(2 ** (failures - 2), 60)


def authenticate(store: Store, username: str, password: str, *, now: dt.datetime | None = None,
                 client: str | None = None) -> User:
    """The user ``username`` if ``password`` is theirs and the account may sign in. Failures are
    throttled per account and ``client`` (the browser's address, ``"cli"``; see geo.throttle).

    Raises
    ------
    SignInFailed
        Wrong or unknown name or password (one message for both).
    AccountLocked
        Too many failures in a row; says how long to wait.
    AccountDisabled
        The password is right but an admin disabled the account.
    """
    users, now = store, now or _now()
    try:
        name = check_username(username)
    except InputError:
        name = ""
    row = users.get_user(name) if name else None
    if row is None:
        _verify(None, password)  # the same work as for a known name
        raise SignInFailed()
    locked = _parse(throttle.locked_until(store, name, client))
    if locked is not None and locked > now:
        raise AccountLocked(max(1, math.ceil((locked - now).total_seconds())))
    if not _verify(row["password_hash"], password):
        _failed(store, name, client, now)
        raise SignInFailed()
    if row["disabled"]:
        raise AccountDisabled()
    new_hash = _HASHER.hash(password) if _HASHER.check_needs_rehash(row["password_hash"]) else None
    throttle.clear(store, name, client)
    users.note_login_success(name, _iso(now), new_hash)
    return User(name, row["role"], row["display_name"] or "")


def _failed(store: Store, name: str, client: str | None, now: dt.datetime) -> None:
    """Count a failure for (account, client) and wait or lock that pair only; the account's row
    shows the count and last lock (audited) for the admin page."""
    users = store
    users.note_login_failure(name)
    failures = throttle.note_failure(store, name, client)
    if failures >= int(settings.get("P03_LOGIN_MAX_FAILURES")):
        until = _iso(now + dt.timedelta(minutes=int(settings.get("P03_LOCKOUT_MINUTES"))))
        throttle.lock(store, name, client, until, reset_count=True)
        users.lock_user(name, until, failures=failures, reset_count=True, audit=True)
    elif throttle_seconds(failures):
        throttle.lock(store, name, client, _iso(now + dt.timedelta(seconds=throttle_seconds(failures))),
                      reset_count=False)


def refresh(store: Store, user: User) -> User | None:
    """``user`` as the store has them now (role changes apply at once); None if removed or disabled.
    OIDC users without a row keep their mapped role."""
    row = store.get_user(user.username)
    if row is None:
        return user if user.source == "oidc" and oidc_default_role() else None
    if row["disabled"]:
        return None
    return User(user.username, row["role"], row["display_name"] or user.display_name, user.source)


def idle_expired(last_seen: float, now: float) -> bool:
    """Whether a session last active at ``last_seen`` (epoch seconds) has expired at ``now``."""
    return now - last_seen > 60 * int(settings.get("P03_SESSION_IDLE_MINUTES"))


def oidc_default_role() -> str | None:
    """``P03_OIDC_DEFAULT_ROLE`` (None for 'none')."""
    value = str(settings.get("P03_OIDC_DEFAULT_ROLE")).strip().lower()
    if value in ("", "none"):
        return None
    if value not in _RANK:
        raise SettingError("P03_OIDC_DEFAULT_ROLE", value, f"one of {', '.join(ROLES)} or none")
    return value


def oidc_user(store: Store, email: str | None, name: str | None = None) -> User | None:
    """The user an identity-provider sign-in maps to: the user row named by the e-mail address
    (its role; refused if disabled), else ``P03_OIDC_DEFAULT_ROLE``; None when refused."""
    if not email:
        return None
    try:
        username = check_username(email)
    except InputError:
        return None
    row = store.get_user(username)
    if row is not None:
        return None if row["disabled"] else User(username, row["role"], row["display_name"] or name or "", "oidc")
    role = oidc_default_role()
    return User(username, role, name or "", "oidc") if role else None


# ------------------------------------------------------------------ user management


def list_users(store: Store, user: User | None) -> pd.DataFrame:
    """Every user, without password hashes (admins: ``user`` is checked for the ``users`` action)."""
    require(user, "users")
    return store.list_users()


def _admin_actor(user: User | None, actor: str | None) -> str:
    """The audit actor of a user-administration change by ``user`` (refused unless an admin)."""
    name = require(user, "users").username
    return actor or name


def add_user(store: Store, username: str, password: str, role: str, *, user: User | None = None,
             actor: str | None = None, display_name: str | None = None, bootstrap: bool = False) -> User:
    """Create a user (audited) as the admin ``user`` (PermissionDenied for anyone else).
    ``bootstrap``: the first admin, only while the store has no user at all (no ``user`` needed;
    ``actor`` names who ran it)."""
    name, role = check_username(username), check_role(role)
    who = (actor or "bootstrap") if bootstrap else _admin_actor(user, actor)
    check_password(password, name)
    store.add_user(name, role, hash_password(password), actor=who, at=_iso(_now()),
                   display_name=(display_name or "").strip() or None, only_if_empty=bootstrap)
    return User(name, role, display_name or "")


def set_role(store: Store, username: str, role: str, *, user: User | None, actor: str | None = None) -> None:
    """Give ``username`` another role (audited), as the admin ``user``."""
    who = _admin_actor(user, actor)
    store.set_user_role(check_username(username), check_role(role), actor=who, at=_iso(_now()))


def set_disabled(store: Store, username: str, disabled: bool = True, *, user: User | None,
                 actor: str | None = None) -> None:
    """Disable (or enable) ``username``'s sign-in (audited), as the admin ``user``."""
    who = _admin_actor(user, actor)
    store.set_user_disabled(check_username(username), disabled, actor=who, at=_iso(_now()))


def reset_password(store: Store, username: str, password: str, *, user: User | None,
                   actor: str | None = None) -> None:
    """Give ``username`` a new password and lift any lock (audited without the hash), as the
    admin ``user``."""
    who = _admin_actor(user, actor)
    name = check_username(username)
    check_password(password, name)
    store.set_user_password(name, hash_password(password), actor=who, at=_iso(_now()))
    throttle.clear(store, name)


# ------------------------------------------------------------------ the CLI identity


def cli_password(username: str) -> str:
    """``P03_PASSWORD``, else typed without echo on a terminal; NotSignedIn otherwise."""
    password = os.environ.get("P03_PASSWORD")
    if password is not None:
        return password
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"Password for {username}: ")
    raise NotSignedIn(
        "Không có mật khẩu: đặt P03_PASSWORD hoặc chạy lệnh trong một terminal để gõ mật khẩu.",
        "No password: set P03_PASSWORD or run the command in a terminal to type it.", "viewer")


def cli_user(store: Store | None = None, action: str = "browse") -> User:
    """Sign the CLI in as ``P03_USER`` (password from ``P03_PASSWORD`` or typed) and return the
    user; the operation it runs checks the role (:func:`require`). ``action`` (a key of
    :data:`ACTIONS`) words the request to sign in.

    Raises
    ------
    NotSignedIn
        ``P03_USER`` is unset, or no password is available.
    SignInFailed
        Wrong password, locked or disabled account.
    """
    return _cli_sign_in(store, ACTIONS[action], ACTION_WORDS[action])


def _cli_sign_in(store: Store | None, role: str, what: tuple[str, str]) -> User:
    if store is None:
        from geo.store import open_store

        store = open_store()
    username = os.environ.get("P03_USER", "").strip()
    if not username:
        raise NotSignedIn(
            f"Cần đăng nhập để {what[0]}: đặt P03_USER=tên_đăng_nhập (vai trò “{role}” trở lên) và P03_PASSWORD, "
            "hoặc gõ mật khẩu khi được hỏi.",
            f"Sign in to {what[1]}: set P03_USER=your_user_name (role “{role}” or higher) and P03_PASSWORD, "
            "or type the password when asked.", role)
    return authenticate(store, username, cli_password(username), client=throttle.CLI)


def cli_require(role: str, store: Store | None = None, what: tuple[str, str] = ("thay đổi dữ liệu", "change data"),
                ) -> User:
    """Sign the CLI in as ``P03_USER`` and check it holds ``role`` or higher; return the user. For
    commands whose operation has no action of its own to check (the audit trail, a store copy);
    the others sign in with :func:`cli_user` and leave the check to the operation.

    Raises
    ------
    NotSignedIn, SignInFailed
        As :func:`cli_user`.
    PermissionDenied
        The user's role ranks below ``role``.
    """
    check_role(role)
    user = _cli_sign_in(store, role, what)
    if not at_least(user.role, role):
        raise PermissionDenied(*what, role)
    return user


def describe(user: User | None) -> dict[str, Any]:
    """A plain dict of ``user`` for JSON output (None: anonymous)."""
    if user is None:
        return {"username": None, "role": None}
    return {"username": user.username, "role": user.role, "display_name": user.display_name, "source": user.source}
