"""Base of the per-table mixins of :class:`~geo.store.base.SQLStore` (plans, indicators, users)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any


def now_iso() -> str:
    """The time now in UTC, to the second, ISO 8601 (the store's timestamps)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class StoreMixin:
    """Declares, for type checkers, the SQLStore methods a table mixin writes its SQL with."""

    if TYPE_CHECKING:  # supplied by SQLStore
        def transaction(self) -> AbstractContextManager[Any]: ...
        def execute(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> Any: ...
        def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...
        def record(self, cur: Any, actor: str, action: str, entity: str, entity_id: str | None,
                   before: Any = None, after: Any = None, batch_id: str | None = None) -> None: ...
        def _bump(self, cur: Any) -> None: ...
