"""What each role may do. Every endpoint names one permission; this table is the whole policy.

Warehouse scope is a second, separate check (``AuthUser.can_see_warehouse``): a picker in
Shanghai may move stock, but only in Shanghai.
"""

from __future__ import annotations

from enum import StrEnum

from server.auth.models import Role


class Permission(StrEnum):
    catalog_read = "catalog.read"
    catalog_write = "catalog.write"
    warehouse_read = "warehouse.read"
    warehouse_write = "warehouse.write"
    stock_read = "stock.read"
    stock_move = "stock.move"
    stock_reserve = "stock.reserve"
    counts_approve = "counts.approve"
    """Approve or reject count variances above the threshold, and set the threshold."""
    ledger_verify = "ledger.verify"
    finance_read = "finance.read"
    users_manage = "users.manage"
    devices_register = "devices.register"
    devices_manage = "devices.manage"
    sync_use = "sync.use"
    sync_review = "sync.review"
    orders_read = "orders.read"
    orders_write = "orders.write"
    shipping_write = "shipping.write"
    push_subscribe = "push.subscribe"
    """Receive Web Push notifications on one's own phones and set one's quiet hours."""
    push_rules = "push.rules"
    """Decide who is notified of what (urgent orders, sync exceptions, low stock …) and when."""


_FLOOR = {
    Permission.catalog_read,
    Permission.warehouse_read,
    Permission.stock_read,
    Permission.stock_move,
    Permission.devices_register,
    Permission.sync_use,
    Permission.push_subscribe,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.picker: frozenset(_FLOOR),
    Role.receiver: frozenset(_FLOOR),
    Role.counter: frozenset(_FLOOR),
    Role.packer: frozenset(_FLOOR | {Permission.shipping_write}),
    Role.supervisor: frozenset(
        _FLOOR
        | {
            Permission.catalog_write,
            Permission.warehouse_write,
            Permission.stock_reserve,
            Permission.counts_approve,
            Permission.ledger_verify,
            Permission.devices_manage,
            Permission.sync_review,
            Permission.orders_read,
            Permission.shipping_write,
        }
    ),
    Role.manager: frozenset(
        {
            Permission.catalog_read,
            Permission.catalog_write,
            Permission.warehouse_read,
            Permission.stock_read,
            Permission.stock_reserve,
            Permission.counts_approve,
            Permission.finance_read,
            Permission.ledger_verify,
            Permission.devices_register,
            Permission.orders_read,
            Permission.orders_write,
            Permission.shipping_write,
            Permission.push_subscribe,
            Permission.push_rules,
        }
    ),
    Role.finance: frozenset(
        {
            Permission.catalog_read,
            Permission.warehouse_read,
            Permission.stock_read,
            Permission.finance_read,
            Permission.orders_read,
            Permission.push_subscribe,
        }
    ),
    Role.admin: frozenset(Permission),
}


def permissions_of(roles: list[str] | tuple[str, ...]) -> frozenset[Permission]:
    """Union of the roles' permissions; unknown role names (old data) grant nothing."""
    granted: set[Permission] = set()
    for name in roles:
        try:
            granted |= ROLE_PERMISSIONS[Role(name)]
        except ValueError:
            continue
    return frozenset(granted)
