"""Column types that behave the same on SQLite and PostgreSQL (defined in ``sync.sql_types``,
which the sync tables share), plus the server's enum column helper."""

from __future__ import annotations

from typing import Any

from sync.sql_types import BigIntPK, JsonDoc, UTCDateTime, utcnow

__all__ = ("BigIntPK", "JsonDoc", "UTCDateTime", "str_enum", "utcnow")


def str_enum(enum_cls: type[Any], length: int = 24) -> Any:
    """A ``StrEnum`` stored as its lowercase value in a VARCHAR on both backends.

    Native PostgreSQL enums need ``ALTER TYPE`` for every new value; a string column does not,
    and the stored value is the wire value (the Saleor lesson: once stored, forever).
    """
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
