"""``python -m geo api`` (serve the OGC API – Features) and ``python -m geo users token ...``
(personal API tokens: issue, list, revoke; an admin signed in as P03_USER)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from geo import auth, tokens
from geo.store import open_store


def register(sub: Any) -> None:
    p = sub.add_parser("api", help="serve the OGC API – Features (read-only) on 127.0.0.1:P03_API_PORT")
    p.add_argument("--port", type=int, default=None, help="port (default P03_API_PORT)")
    p.set_defaults(func=cmd_api)


def register_tokens(usub: Any) -> None:
    """``users token issue|list|revoke`` under the ``users`` command."""
    p = usub.add_parser("token", help="personal API tokens for the OGC API (admin)")
    tsub = p.add_subparsers(dest="token_action", required=True)
    issue = tsub.add_parser("issue", help="issue a token to a user; the secret is printed once")
    issue.add_argument("name")
    issue.add_argument("--label", default="", help="what the token is for, e.g. 'QGIS, Lan's laptop'")
    issue.add_argument("--json", action="store_true")
    issue.set_defaults(func=cmd_token_issue)
    ls = tsub.add_parser("list", help="every token (never the secrets)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_token_list)
    rv = tsub.add_parser("revoke", help="revoke a token by its id (tok-...)")
    rv.add_argument("token_id")
    rv.set_defaults(func=cmd_token_revoke)


def cmd_api(args: argparse.Namespace) -> int:
    from geo.api.server import serve

    serve(port=args.port)
    return 0


def _admin() -> tuple[Any, auth.User]:
    store = open_store()
    user = auth.cli_user(store, "api_tokens")  # geo.tokens checks the role
    return store, user


def cmd_token_issue(args: argparse.Namespace) -> int:
    store, user = _admin()
    token_id, secret = tokens.issue(store, args.name, actor=user, label=args.label)
    if args.json:
        print(json.dumps({"token_id": token_id, "token": secret, "username": args.name}))
    else:
        print(f"{token_id}\t{secret}")
        print("(shown once: copy it now / chỉ hiện một lần)", file=sys.stderr)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    store, user = _admin()
    df = tokens.list_tokens(store, actor=user)
    if args.json:
        print(json.dumps(tokens.describe(df), ensure_ascii=False, indent=1))
    elif df.empty:
        print("(no tokens)", file=sys.stderr)
    else:
        print(df.astype(object).where(df.notna(), "").to_string(index=False))
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    store, user = _admin()
    tokens.revoke(store, args.token_id, actor=user)
    print(f"{args.token_id}: revoked")
    return 0
