"""A simulated phone for sync tests: a registered device with its own outbox, HLC and cursor.

It speaks SPEC.md over the real HTTP API (in-process ASGI), the way the PWA will.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Device, Role
from server.auth.tokens import issue_token
from server.warehouse.models import Warehouse
from sync.hlc import Clock
from tests.factories import make_user

Client = AsyncTestClient[Litestar]
_seq = itertools.count(1)


@dataclass
class SimDevice:
    device_id: str
    token: str
    warehouse_id: int
    user_id: int
    clock: Clock
    next_seq: int = 1
    cursor: str | None = None
    clock_offset: timedelta = timedelta(0)
    store: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def op(self, name: str, payload: dict[str, Any], *, version: int = 1, at: datetime | None = None) -> dict[str, Any]:
        """A new op, numbered in sequence, stamped by this device's clock (``at`` overrides its time)."""
        wall = (at or datetime.now(UTC)) + self.clock_offset
        stamp = self.clock.now(wall)
        op = {
            "op_id": str(uuid.uuid4()),
            "seq": self.next_seq,
            "name": name,
            "version": version,
            "payload": payload,
            "hlc": stamp.format(),
            "wall_time": wall.isoformat(),
        }
        self.next_seq += 1
        return op

    def push_body(self, ops: list[dict[str, Any]], *, warehouse_id: int | None = None) -> dict[str, Any]:
        return {
            "protocol": 1,
            "device_id": self.device_id,
            "warehouse_id": self.warehouse_id if warehouse_id is None else warehouse_id,
            "client_version": "test",
            "ops": ops,
        }

    async def push(self, client: Client, ops: list[dict[str, Any]], *, expect: int = 200) -> Any:
        response = await client.post("/api/sync/push", json=self.push_body(ops), headers=self.headers)
        assert response.status_code == expect, response.text
        return response.json()

    async def pull_all(self, client: Client, *, limit: int = 1000) -> list[dict[str, Any]]:
        """Pull until nothing is left, applying pages to ``store``; answers every page."""
        pages = []
        while True:
            body = {
                "protocol": 1,
                "device_id": self.device_id,
                "warehouse_id": self.warehouse_id,
                "cursor": self.cursor,
                "limit": limit,
            }
            response = await client.post("/api/sync/pull", json=body, headers=self.headers)
            assert response.status_code == 200, response.text
            page = response.json()
            pages.append(page)
            if page.get("reset"):
                self.store.clear()
            for change in page["changes"]:
                key = (change["entity"], change["key"])
                if change["op"] == "put":
                    self.store[key] = change["data"]
                else:
                    self.store.pop(key, None)
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return pages


async def make_device(
    factory: async_sessionmaker[AsyncSession],
    warehouse: Warehouse,
    roles: list[Role] | None = None,
    *,
    registered_at: datetime | None = None,
) -> SimDevice:
    """A user of ``roles`` (picker by default) with a device registered in ``warehouse`` and its token.

    The device is registered a day ago by default, so tests may record ops in the past (SPEC.md §4.3
    rule 5 flags stamps older than the registration)."""
    async with factory() as session, session.begin():
        user, _ = await make_user(session, roles or [Role.picker], warehouses=[warehouse])
        device = Device(
            id=str(uuid.uuid4()),
            user_id=user.id,
            warehouse_id=warehouse.id,
            name=f"phone {next(_seq)}",
            created_at=registered_at or datetime.now(UTC) - timedelta(days=1),
        )
        session.add(device)
        await session.flush()
        token, _ = await issue_token(session, user_id=user.id, ttl_seconds=3600, device_id=device.id)
    return SimDevice(device.id, token, warehouse.id, user.id, Clock(device.id[:8]))
