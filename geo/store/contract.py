"""The store contract, one abstract base per concern.

:class:`geo.store.base.Store` is built from these bases (plus the sites, batches, files and audit
it declares itself), so domain code and pages are typed against ``Store`` alone. Each SQL mixin of
:class:`~geo.store.base.SQLStore` subclasses the base of its concern, so mypy checks every
implementation against its declaration. Adding a store method = one abstract entry here (or on
``Store``) + its SQL in the concern's mixin; a backend that lacks it cannot be instantiated.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from geo.photos import Photo


class UsersStore(ABC):
    """User rows (policy: :mod:`geo.auth`). Password hashes never reach the audit trail."""

    @abstractmethod
    def get_user(self, username: str) -> dict[str, Any] | None:
        """The full row of ``username`` (with its password hash: for geo.auth only), or None."""

    @abstractmethod
    def count_users(self) -> int: ...

    @abstractmethod
    def list_users(self) -> pd.DataFrame:
        """Every user without password hashes, sorted by name."""

    @abstractmethod
    def add_user(self, username: str, role: str, password_hash: str | None, *, actor: str,
                 display_name: str | None = None, only_if_empty: bool = False, at: str) -> None:
        """Insert a user. ``only_if_empty``: refuse unless the store has no user yet (bootstrap)."""

    @abstractmethod
    def set_user_role(self, username: str, role: str, *, actor: str, at: str) -> None: ...

    @abstractmethod
    def set_user_disabled(self, username: str, disabled: bool, *, actor: str, at: str) -> None: ...

    @abstractmethod
    def set_user_password(self, username: str, password_hash: str, *, actor: str, at: str) -> None:
        """Set a new hash and lift any lock."""

    @abstractmethod
    def note_login_failure(self, username: str) -> int:
        """Count one failed sign-in; return the count of failures in a row."""

    @abstractmethod
    def lock_user(self, username: str, until: str, *, failures: int, reset_count: bool, audit: bool) -> None:
        """Refuse sign-ins of ``username`` until ``until`` (ISO time); audited when ``audit``."""

    @abstractmethod
    def note_login_success(self, username: str, at: str, new_hash: str | None = None) -> None:
        """Reset the failure count and lock, stamp the sign-in; store a re-hashed password if given."""


class SessionsStore(ABC):
    """Web-session rows behind the sign-in cookie (policy: :mod:`geo.websession`)."""

    @abstractmethod
    def add_web_session(self, sid: str, username: str, source: str, handoff_hash: str, *,
                        now: float, expires_at: float) -> None:
        """A new session waiting for its cookie: the hand-off code's hash, no token yet."""

    @abstractmethod
    def claim_web_session(self, handoff_hash: str, token_hash: str, *, now: float,
                          not_before: float) -> dict[str, Any] | None:
        """Swap a live, unused hand-off code for a token; the row, or None. Claimed once."""

    @abstractmethod
    def web_session(self, *, token_hash: str | None = None, sid: str | None = None) -> dict[str, Any] | None:
        """The row with this token hash or session id, or None."""

    @abstractmethod
    def touch_web_session(self, sid: str, now: float) -> None: ...

    @abstractmethod
    def revoke_web_sessions(self, *, now: float, sid: str | None = None, username: str | None = None) -> int:
        """Revoke one session (``sid``) or every live one of ``username``; return how many."""


class TokensStore(ABC):
    """Personal API tokens (policy: :mod:`geo.tokens`); only their SHA-256 is stored."""

    @abstractmethod
    def add_api_token(self, token_id: str, token_hash: str, username: str, label: str | None, *,
                      actor: str, at: str) -> None:
        """Store a new token (audited ``api_token_issue``)."""

    @abstractmethod
    def revoke_api_token(self, token_id: str, *, actor: str, at: str) -> None:
        """Revoke a live token (audited). Raises NotFound for an unknown or revoked id."""

    @abstractmethod
    def list_api_tokens(self) -> pd.DataFrame:
        """Every token (never a hash), newest first."""

    @abstractmethod
    def api_token_user(self, token_hash: str) -> dict[str, Any] | None:
        """``token_id``, ``username``, ``role``, ``disabled``, ``display_name`` of a live token, or None."""

    @abstractmethod
    def note_api_token_use(self, token_id: str, username: str, *, at: str, cutoff: str) -> None:
        """Stamp the token's use and audit it, unless it was already stamped after ``cutoff``."""


class PlansStore(ABC):
    """Field-visit plans (:meth:`geo.visits.Plan.to_dict` as JSON)."""

    @abstractmethod
    def save_plan(self, plan: dict[str, Any], *, actor: str, plan_id: str | None = None) -> str:
        """Store ``plan`` (new when ``plan_id`` is None, else replace that one); return its id."""

    @abstractmethod
    def list_plans(self) -> pd.DataFrame:
        """Every saved plan (without its JSON), latest visit date first."""

    @abstractmethod
    def get_plan(self, plan_id: str) -> dict[str, Any]:
        """The stored row of ``plan_id``: its columns and ``plan`` (the plan dict). Raises NotFound."""

    @abstractmethod
    def copy_plan(self, plan_id: str, *, actor: str, name: str | None = None) -> str:
        """A new plan with the content of ``plan_id`` (renamed ``name`` when given); its id."""

    @abstractmethod
    def delete_plan(self, plan_id: str, *, actor: str) -> None:
        """Remove ``plan_id``; the audit row keeps its content. Raises NotFound."""


class IndicatorsStore(ABC):
    """Indicator definition overrides, hand-entered values and per-unit pledges."""

    @abstractmethod
    def indicator_overrides(self) -> dict[str, dict[str, Any]]:
        """Definitions saved by editors, by code (each the full definition as a dict)."""

    @abstractmethod
    def save_indicator_def(self, code: str, definition: dict[str, Any], *, actor: str) -> None:
        """Insert or replace the stored definition of ``code``."""

    @abstractmethod
    def delete_indicator_def(self, code: str, *, actor: str) -> None:
        """Forget the stored definition of ``code``."""

    @abstractmethod
    def indicator_values(self, code: str | None = None) -> pd.DataFrame:
        """Hand-entered values (all, or of ``code``), oldest first."""

    @abstractmethod
    def add_indicator_value(self, code: str, value: float, as_of: str, *, actor: str, source: str | None = None,
                            note: str | None = None, unit_layer: str | None = None,
                            unit_code: str | None = None) -> int:
        """Store one hand-entered value; return its id."""

    @abstractmethod
    def delete_indicator_value(self, value_id: int, *, actor: str) -> None:
        """Remove one hand-entered value (kept in the audit trail)."""

    @abstractmethod
    def unit_targets(self, code: str | None = None, layer: str | None = None) -> pd.DataFrame:
        """Per-unit pledges (all, or of ``code`` / ``layer``)."""

    @abstractmethod
    def set_unit_target(self, code: str, layer: str, unit_code: str, target: float | None, *, actor: str) -> None:
        """Set (or, with ``target=None``, remove) a unit's pledge for indicator ``code``."""


class InspectionsStore(ABC):
    """Field inspections with their photos (originals kept as blobs)."""

    @abstractmethod
    def add_inspection(self, row: dict[str, Any], photos: list[Photo], *, actor: str) -> str:
        """Store an inspection with its photos; return its id. All or nothing."""

    @abstractmethod
    def list_inspections(self, site_id: str | None = None, plan_id: str | None = None,
                         since: str | None = None) -> pd.DataFrame:
        """Inspections (of a site, of a plan, since a date), newest first, with ``n_photos``."""

    @abstractmethod
    def get_inspection(self, inspection_id: str) -> dict[str, Any]:
        """One inspection's columns. Raises NotFound."""

    @abstractmethod
    def list_photos(self, inspection_ids: list[str], *, thumbs: bool = True) -> pd.DataFrame:
        """The photos of these inspections in order, with ``thumb`` bytes when asked."""

    @abstractmethod
    def photo_image(self, photo_id: str, size: str = "display") -> bytes:
        """A photo's ``display`` image or ``thumb``, or its ``original`` bytes."""

    @abstractmethod
    def last_inspected(self) -> dict[str, str]:
        """site id -> the time of its latest inspection (ISO local time)."""

    @abstractmethod
    def mark_inspection_applied(self, inspection_id: str, *, actor: str) -> None:
        """Note that an inspection's proposal was accepted (one transaction).
        Raises ConflictError when it already was."""


class ThrottleStore(ABC):
    """Sign-in throttling per (user name, client) (policy: :mod:`geo.throttle`); not audited."""

    @abstractmethod
    def throttle_locked_until(self, username: str, client: str) -> str | None:
        """ISO time until which ``username`` may not sign in from ``client`` (None: free)."""

    @abstractmethod
    def throttle_note_failure(self, username: str, client: str) -> int:
        """Count one failure of the pair; return its failures in a row."""

    @abstractmethod
    def throttle_lock(self, username: str, client: str, until: str, *, reset_count: bool) -> None:
        """Refuse the pair until ``until`` (ISO time)."""

    @abstractmethod
    def throttle_clear(self, username: str, client: str | None = None) -> None:
        """Forget the failures of ``username`` from ``client`` (every client when None)."""
