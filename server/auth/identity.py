"""Who is calling: the object the auth middleware puts on ``request.user``."""

from __future__ import annotations

from dataclasses import dataclass

from server.auth.permissions import Permission
from server.lib.errors import Forbidden


@dataclass(frozen=True, slots=True)
class AuthUser:
    id: int
    username: str
    roles: tuple[str, ...]
    permissions: frozenset[Permission]
    all_warehouses: bool
    warehouse_ids: frozenset[int]
    device_id: str | None
    token_id: int

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def can_see_warehouse(self, warehouse_id: int) -> bool:
        return self.all_warehouses or warehouse_id in self.warehouse_ids

    def require_warehouse(self, warehouse_id: int) -> None:
        """Refuse with 403 when the warehouse is outside the user's scope."""
        if not self.can_see_warehouse(warehouse_id):
            raise Forbidden(
                f"warehouse {warehouse_id} is outside your scope",
                message_zh="无权访问该仓库",
                field="warehouse_id",
                code="warehouse_out_of_scope",
            )

    def visible_warehouses(self) -> frozenset[int] | None:
        """``None`` means every warehouse; list queries filter on the set otherwise."""
        return None if self.all_warehouses else self.warehouse_ids
