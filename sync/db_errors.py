"""Which database errors are transient: the whole transaction was rolled back and running it again
can succeed. Everything else a handler hits is a property of the op, and retrying it for ever would
wedge the device's queue (SPEC.md §5.6)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
"""PostgreSQL serialization failure and deadlock."""


def is_transient(exc: BaseException) -> bool:
    """Serialization failures, deadlocks and SQLite's "database is locked" past its busy timeout."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)
