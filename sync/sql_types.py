"""Column types and the constraint naming convention that behave the same on SQLite and PostgreSQL.

They live in ``sync`` because both the sync tables and the server's models need them and ``sync``
may not import ``server``; ``server.db.types`` re-exports them. SQLite only auto-increments
``INTEGER PRIMARY KEY`` and forgets time zones; PostgreSQL wants ``BIGINT`` identities and
``timestamptz``. These types hide the difference so one model serves both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigIntPK = BigInteger().with_variant(Integer(), "sqlite")
"""Primary keys: BIGINT on PostgreSQL, ``INTEGER`` on SQLite so it aliases the rowid."""

JsonDoc = JSON().with_variant(JSONB(), "postgresql")
"""Free-form documents: JSONB where indexable, JSON text elsewhere."""


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always returned time-zone aware.

    SQLite drops the offset, so a naive value read back is declared UTC here; a naive value
    written is refused, because guessing its zone is how warehouses get "yesterday's" receipts.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime given to a UTC column; attach a time zone"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        parsed: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value  # SQLite text
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def utcnow() -> datetime:
    """The one clock the server uses for ``recorded_at`` style columns."""
    return datetime.now(UTC)
