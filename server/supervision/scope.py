"""Whose queue: the warehouse asked for (checked against the user's scope) or all the user sees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, true

from server.auth.identity import AuthUser


@dataclass(frozen=True, slots=True)
class QueueScope:
    user: AuthUser
    warehouse_id: int | None
    visible: frozenset[int] | None

    @classmethod
    def of(cls, user: AuthUser, warehouse_id: int | None) -> QueueScope:
        if warehouse_id is not None:
            user.require_warehouse(warehouse_id)
        return cls(user=user, warehouse_id=warehouse_id, visible=user.visible_warehouses())

    def only(self, column: Any) -> ColumnElement[bool]:
        """Rows whose warehouse (``column``) is in scope; a row with no warehouse only when unscoped."""
        if self.warehouse_id is not None:
            return column == self.warehouse_id  # type: ignore[no-any-return]
        if self.visible is None:
            return true()
        return column.in_(sorted(self.visible))  # type: ignore[no-any-return]
