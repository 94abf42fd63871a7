"""Which schema objects a comparison of models and database should look at, per backend.

An index made for one backend only (``Index(...).ddl_if(dialect="postgresql")``, say a covering
index SQLite cannot express) is not created on the other, and Alembic's autogenerate does not read
``ddl_if``: without this filter it would ask, on SQLite, to add the index the migration skipped on
purpose. Used by ``env.py`` and by the drift test, so both judge the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Index

IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]


def objects_of(dialect_name: str) -> IncludeObject:
    """An Alembic ``include_object`` hook keeping what exists on ``dialect_name``."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ != "index" or reflected or not isinstance(obj, Index):
            return True
        only = getattr(obj, "_ddl_if", None)
        wanted = getattr(only, "dialect", None)
        return wanted is None or wanted == dialect_name

    return include
