"""The test loop's own set-up (tests/conftest.py): what it changes for speed is only a cost, never
the behaviour under test."""

from __future__ import annotations

import argon2

from geo import auth
from tests.conftest import APP_HASHER


def test_the_app_hashes_passwords_at_argon2_cffis_default_cost():
    """The app's hasher is argon2id at argon2-cffi's default (RFC 9106 low-memory) cost; tests swap
    in a cheaper one of the same kind, whose hashes the app's hasher checks like any other."""
    default = argon2.PasswordHasher()
    assert (APP_HASHER.time_cost, APP_HASHER.memory_cost, APP_HASHER.parallelism, APP_HASHER.type) == \
        (default.time_cost, default.memory_cost, default.parallelism, argon2.Type.ID)
    assert APP_HASHER.hash("mat-khau-dai-1").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    cheap = auth.hash_password("mat-khau-dai-1")
    assert cheap.startswith("$argon2id$") and APP_HASHER.verify(cheap, "mat-khau-dai-1")
    assert APP_HASHER.check_needs_rehash(cheap)  # an app signing in with it would store the app's cost
