"""Saved field-visit plans as a user changes them: the permission check, then the store; and the
plan the field-visit page opens (saved, or rebuilt from the address).

Anyone signed in plans for themselves (``plan``); changing or deleting someone else's plan needs
``plan_others`` (editor). Pages and the CLI call these and only show the refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo import auth, fmt
from geo.i18n import t
from geo.store.base import Store
from geo.visits.links import plan_from_params
from geo.visits.plan import Plan, new_plan


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


def copy_named(store: Store, plan_id: str, user: auth.User | None, lang: str = "vi") -> tuple[str, str]:
    """A copy of ``plan_id`` named "Copy of <its name>" in ``lang``: its id and name."""
    name = t("visit_copy_of", lang).format(name=store.get_plan(plan_id)["name"])
    return copy(store, plan_id, user, name), name


def delete(store: Store, plan_id: str, user: auth.User | None) -> str:
    """Remove ``plan_id`` (its maker, or an editor/admin); the name it had."""
    name = str(store.get_plan(plan_id)["name"])
    store.delete_plan(plan_id, actor=_may_change(store, plan_id, user).username)
    return name


def load(store: Store, plan_id: str) -> Plan:
    """The saved plan ``plan_id`` (NotFound when there is none; InputError when a value is bad)."""
    return Plan.from_dict(store.get_plan(plan_id)["plan"])


def from_address(store: Store, params: Mapping[str, Any], lang: str = "vi") -> tuple[Plan, str | None]:
    """The plan the page's address asks for and its saved id: ``?plan=ID`` a saved plan,
    ``?sites=…`` an unsaved one (see :func:`geo.visits.links.plan_params`), else a new plan."""
    if params.get("plan"):
        plan_id = str(params["plan"])
        return load(store, plan_id), plan_id
    if params.get("sites"):
        return plan_from_params(dict(params), lang), None
    return new_plan(lang), None


def labels(plans: pd.DataFrame, lang: str = "vi") -> dict[str, str]:
    """Each saved plan's line in a list ("date · name (stops)") by plan id (``store.list_plans()``)."""
    return {str(r.plan_id): f"{fmt.date(r.visit_date, lang)} · {r.name} ({r.n_stops})" for r in plans.itertuples()}
