"""Field-visit plans as a user changes them: the permission check, then the store.

Anyone signed in plans for themselves (``plan``); changing or deleting someone else's plan needs
``plan_others`` (editor). Pages and the CLI call these and only show the refusal.
"""

from __future__ import annotations

from typing import Any

from geo import auth
from geo.store.base import Store


def _may_change(store: Store, plan_id: str, user: auth.User | None) -> auth.User:
    """``user`` if the plan is theirs, or they may change anyone's; else PermissionDenied."""
    user = auth.require(user, "plan")
    if not auth.may_change_plan(user, store.get_plan(plan_id)["created_by"]):
        raise auth.denied("plan_others", user)
    return user


def save(store: Store, plan: dict[str, Any], user: auth.User | None, plan_id: str | None = None) -> str:
    """Store ``plan`` (new when ``plan_id`` is None, else replace that one); return its id."""
    who = _may_change(store, plan_id, user) if plan_id else auth.require(user, "plan")
    return store.save_plan(plan, actor=who.username, plan_id=plan_id)


def copy(store: Store, plan_id: str, user: auth.User | None, name: str | None = None) -> str:
    """A copy of ``plan_id`` (renamed ``name``) made by ``user``; its id."""
    return store.copy_plan(plan_id, actor=auth.require(user, "plan").username, name=name)


def delete(store: Store, plan_id: str, user: auth.User | None) -> None:
    """Remove ``plan_id`` (its maker, or an editor/admin)."""
    store.delete_plan(plan_id, actor=_may_change(store, plan_id, user).username)
