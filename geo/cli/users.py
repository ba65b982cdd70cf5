"""``python -m geo users ...``: accounts and roles. Every command but the very first ``users add``
(the bootstrap admin, when the store has no user) signs in through :func:`geo.auth.cli_user`
(``P03_USER`` + ``P03_PASSWORD`` or a typed password); :mod:`geo.auth` refuses anyone but an admin."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from geo import auth
from geo.cli import actor
from geo.errors import InputError
from geo.store import Store, open_store


def register(sub: Any) -> None:
    p = sub.add_parser("users", help="user accounts and roles (admin; the first `users add` creates the admin)")
    usub = p.add_subparsers(dest="action", required=True)
    add = usub.add_parser("add", help="create a user; the password is typed without echo or read from stdin")
    add.add_argument("name", help="user name (a-z 0-9 . _ @ + -), e.g. an e-mail address")
    add.add_argument("--role", choices=auth.ROLES, required=True)
    add.add_argument("--display-name", default=None, help="name shown in the app")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(func=cmd_add)
    ls = usub.add_parser("list", help="list users (no password hashes)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    sr = usub.add_parser("set-role", help="change a user's role")
    sr.add_argument("name")
    sr.add_argument("role", choices=auth.ROLES)
    sr.set_defaults(func=cmd_set_role)
    for verb, disabled in (("disable", True), ("enable", False)):
        d = usub.add_parser(verb, help=f"{verb} a user's sign-in")
        d.add_argument("name")
        d.set_defaults(func=cmd_disable, disabled=disabled)
    rp = usub.add_parser("reset-password", help="set a new password (lifts a lock)")
    rp.add_argument("name")
    rp.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    rp.set_defaults(func=cmd_reset_password)
    who = usub.add_parser("whoami", help="sign in as P03_USER and print the user and role")
    who.set_defaults(func=cmd_whoami)
    from geo.cli import api as api_commands  # `users token ...` (personal API tokens)

    api_commands.register_tokens(usub)


def new_password(args: argparse.Namespace, name: str) -> str:
    """The new password: stdin's first line with --password-stdin or when stdin is no terminal,
    else typed twice without echo."""
    if args.password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"New password for {name}: ")
        auth.check_repeated(password, getpass.getpass("Again: "))
    auth.check_password(password, name)
    return password


def _signed_in(store: Store) -> auth.User:
    """The signed-in CLI user (geo.auth checks they are an admin)."""
    return auth.cli_user(store, "users")


def cmd_add(args: argparse.Namespace) -> int:
    store = open_store()
    name = auth.check_username(args.name)
    bootstrap = store.count_users() == 0
    if bootstrap and args.role != "admin":
        raise InputError("Người dùng đầu tiên phải là quản trị viên: thêm --role admin.",
                         "The first user must be an admin: use --role admin.", field="role")
    admin = None if bootstrap else _signed_in(store)
    user = auth.add_user(store, name, new_password(args, name), args.role, user=admin, actor=actor(),
                         display_name=args.display_name, bootstrap=bootstrap)
    print(f"{user.username}: {user.role}" + (" (first admin)" if bootstrap else ""))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    store = open_store()
    df = auth.list_users(store, _signed_in(store))
    if args.json:
        print(json.dumps(df.astype(object).where(df.notna(), None).to_dict("records"), ensure_ascii=False, indent=1))
    elif df.empty:
        print("(no users)", file=sys.stderr)
    else:
        cols = ["username", "role", "disabled", "display_name", "last_login", "locked_until"]
        print(df[cols].astype(object).where(df[cols].notna(), "").to_string(index=False))
    return 0


def cmd_set_role(args: argparse.Namespace) -> int:
    store = open_store()
    auth.set_role(store, args.name, args.role, user=_signed_in(store), actor=actor())
    print(f"{args.name}: {args.role}")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    store = open_store()
    auth.set_disabled(store, args.name, args.disabled, user=_signed_in(store), actor=actor())
    print(f"{args.name}: {'disabled' if args.disabled else 'enabled'}")
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    store = open_store()
    admin = _signed_in(store)
    name = auth.check_username(args.name)
    auth.reset_password(store, name, new_password(args, name), user=admin, actor=actor())
    print(f"{name}: password reset")
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    user = auth.cli_require("viewer", what=("đăng nhập", "sign in"))
    print(json.dumps(auth.describe(user), ensure_ascii=False))
    return 0
