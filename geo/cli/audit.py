"""``python -m geo audit``: print the audit trail (admins only, like the Administration page)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from geo import audit, auth
from geo.cli import write_out
from geo.store import open_store


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="print the audit trail, newest first (admin)")
    p.add_argument("--since", help="from this time: 2026-11-01, 2026-11-01T08:00+07:00, or an age: 30m, 24h, 7d")
    p.add_argument("--until", help="before this time (a bare date includes that day)")
    p.add_argument("--actor", help="only this actor (e.g. lan or cli:lan)")
    p.add_argument("--action", help="only this action (upload, rollback, edit, delete, user_add, ...)")
    p.add_argument("--entity", help="only this kind of entity (batch, site, user, plan, indicator, ...)")
    p.add_argument("--limit", type=int, default=1000, help="at most this many rows (default 1000)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON list with before/after decoded")
    fmt.add_argument("--csv", action="store_true", help="CSV (UTF-8, formula-safe)")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    store = open_store()
    auth.cli_require("admin", store, what=auth.ACTION_WORDS["audit"])
    df = audit.table(store, since=args.since, until=args.until, actor=args.actor, action=args.action,
                     entity=args.entity, limit=args.limit)
    if args.json:
        write_out(json.dumps(audit.records(df), ensure_ascii=False, indent=1, default=str), None)
    elif args.csv:
        write_out(audit.to_csv(df), None)
    elif df.empty:
        print("(no audit rows)", file=sys.stderr)
    else:
        for row in df.to_dict("records"):
            print(f"{row['at']}  {row['actor']}  {row['action']}  {row['entity']}:{row['entity_id'] or '-'}  "
                  f"{audit.summary(row)}")
    return 0
