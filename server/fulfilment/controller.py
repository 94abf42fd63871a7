"""HTTP face of fulfilment: building waves and reading them back (pick tasks reach phones by sync)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, get, post
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.fulfilment.models import Wave, WaveKind, WaveOrder, WaveStatus, WaveTask
from server.fulfilment.waves import MAX_ORDERS, build_waves
from server.lib.errors import NotFound
from server.lib.pagination import Page, PageParams, paginate
from server.lib.schema import Input, Schema

Read = [requires(Permission.warehouse_read)]
Write = [requires(Permission.warehouse_write)]


class WaveInput(Input):
    warehouse_id: int
    max_orders: int = MAX_ORDERS
    carrier_code: str | None = None
    """Only orders going with this carrier (a wave per carrier pickup)."""
    cut_off: datetime | None = None
    """The carrier's pickup time this wave must make."""
    order_ids: list[int] | None = None


class WaveOut(Schema):
    id: int
    code: str
    warehouse_id: int
    kind: WaveKind
    status: WaveStatus
    carrier_code: str
    cut_off: datetime | None
    order_count: int
    unit_count: int
    created_at: datetime


class WaveDetailOut(WaveOut, kw_only=True):
    order_ids: list[int]
    task_ids: list[int]


def wave_out(w: Wave) -> WaveOut:
    return WaveOut(**_fields(w))


def _fields(w: Wave) -> dict[str, Any]:
    return {
        "id": w.id,
        "code": w.code,
        "warehouse_id": w.warehouse_id,
        "kind": w.kind,
        "status": w.status,
        "carrier_code": w.carrier_code,
        "cut_off": w.cut_off,
        "order_count": w.order_count,
        "unit_count": w.unit_count,
        "created_at": w.created_at,
    }


class WaveController(Controller):
    path = "/api/waves"
    tags = ["fulfilment"]  # noqa: RUF012

    @post("/", operation_id="BuildWaves", guards=Write, status_code=201)
    async def build(self, db_session: AsyncSession, current_user: AuthUser, data: WaveInput) -> list[WaveOut]:
        """Waves of the warehouse's routed orders: single-unit orders apart, by carrier, most urgent
        first, at most ``max_orders`` each; pick tasks in walking order go to the phones."""
        current_user.require_warehouse(data.warehouse_id)
        waves = await build_waves(
            db_session,
            data.warehouse_id,
            actor=current_user.id,
            max_orders=max(1, min(data.max_orders, 2000)),
            carrier_code=data.carrier_code,
            cut_off=data.cut_off,
            order_ids=data.order_ids,
        )
        return [wave_out(w) for w in waves]

    @get("/", operation_id="ListWaves", guards=Read)
    async def list_waves(
        self,
        db_session: AsyncSession,
        page: PageParams,
        warehouse_id: int | None = None,
        status: WaveStatus | None = None,
    ) -> Page[WaveOut]:
        statement = select(Wave).order_by(Wave.id.desc())
        if warehouse_id is not None:
            statement = statement.where(Wave.warehouse_id == warehouse_id)
        if status is not None:
            statement = statement.where(Wave.status == status)
        return await paginate(db_session, statement, page, wave_out)

    @get("/{wave_id:int}", operation_id="GetWave", guards=Read)
    async def get_wave(self, db_session: AsyncSession, wave_id: int) -> WaveDetailOut:
        wave = await db_session.get(Wave, wave_id)
        if wave is None:
            raise NotFound(f"wave {wave_id} does not exist", message_zh="波次不存在")
        orders = await db_session.scalars(
            select(WaveOrder.order_id).where(WaveOrder.wave_id == wave_id).order_by(WaveOrder.position)
        )
        tasks = await db_session.scalars(
            select(WaveTask.task_id).where(WaveTask.wave_id == wave_id).order_by(WaveTask.id)
        )
        return msgspec.convert({**_fields(wave), "order_ids": list(orders), "task_ids": list(tasks)}, WaveDetailOut)


CONTROLLERS: list[type] = [WaveController]
