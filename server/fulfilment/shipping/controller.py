"""HTTP face of shipping: create a shipment and its label, ship, receive tracking pushes, list delays."""

from __future__ import annotations

import re
from typing import Annotated

import anyio
from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.types import utcnow
from server.fulfilment.shipping import service
from server.fulfilment.shipping.label import render_label
from server.fulfilment.shipping.schemas import (
    Kuaidi100Ack,
    Kuaidi100Form,
    ShipmentCreate,
    ShipmentDetailOut,
    ShipmentOut,
    ShipRequest,
    shipment_detail_out,
    shipment_out,
)
from server.fulfilment.shipping.tracking import QUIET_HOURS, REMOTE_QUIET_HOURS, Delay, find_delayed, ingest_kuaidi100
from server.lib.pagination import Page, PageParams
from server.settings import Settings

Read = [requires(Permission.orders_read)]
Write = [requires(Permission.shipping_write)]
"""Packers print labels and hand parcels over; they do not edit orders."""
MAX_PUSH = 1024 * 1024
"""A parcel's whole history is a few KB; a megabyte is generous and keeps a flood cheap to refuse."""
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_-]")


class OrderShipmentController(Controller):
    path = "/api/orders"
    tags = ["shipping"]  # noqa: RUF012

    @post("/{order_id:int}/shipments", operation_id="CreateShipment", guards=Write, status_code=201)
    async def create_shipment(
        self, db_session: AsyncSession, current_user: AuthUser, order_id: int, data: ShipmentCreate
    ) -> ShipmentOut:
        """A packed order gets a parcel and a waybill number; print its label from ``label_url``."""
        order = await service.get_order(db_session, order_id)
        shipment = await service.create_shipment(
            db_session, order, current_user.id, weight_g=data.weight_g, additional_parcel=data.additional_parcel
        )
        return shipment_out(shipment)


class ShipmentController(Controller):
    path = "/api/shipments"
    tags = ["shipping"]  # noqa: RUF012

    @get("/delayed", operation_id="ListDelayedShipments", guards=Read)
    async def list_delayed(
        self,
        db_session: AsyncSession,
        page: PageParams,
        quiet_hours: Annotated[int, Parameter(ge=1, le=24 * 30, description="hours without news")] = QUIET_HOURS,
        remote_quiet_hours: Annotated[
            int, Parameter(ge=1, le=24 * 30, description="hours without news to 新疆/西藏/青海")
        ] = REMOTE_QUIET_HOURS,
    ) -> Page[Delay]:
        """Parcels on their way with no news for too long, or past their promised time, longest quiet first."""
        delays = await find_delayed(
            db_session, utcnow(), quiet_hours=quiet_hours, remote_quiet_hours=remote_quiet_hours
        )
        items = delays[page.offset : page.offset + page.limit]
        return Page(items=items, total=len(delays), limit=page.limit, offset=page.offset)

    @get("/{shipment_id:int}", operation_id="GetShipment", guards=Write)
    async def get_shipment(self, db_session: AsyncSession, shipment_id: int) -> ShipmentDetailOut:
        """The parcel with its tracking history, newest first."""
        shipment = await service.get_shipment(db_session, shipment_id)
        return shipment_detail_out(shipment, await service.tracking_events(db_session, shipment_id))

    @get("/{shipment_id:int}/label.pdf", operation_id="GetShippingLabel", guards=Write, media_type="application/pdf")
    async def label(self, db_session: AsyncSession, shipment_id: int) -> Response[bytes]:
        """The 100 × 150 mm label; the first print marks the parcel ``labelled``."""
        shipment = await service.get_shipment(db_session, shipment_id, lock=True)
        data = await service.label_data(db_session, shipment)
        pdf = await anyio.to_thread.run_sync(render_label, data)
        service.mark_labelled(shipment)
        filename = _UNSAFE_FILENAME.sub("_", f"{shipment.carrier_code}-{shipment.waybill_no}")
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'}
        )

    @post("/{shipment_id:int}/ship", operation_id="ShipShipment", guards=Write, status_code=200)
    async def ship(
        self, db_session: AsyncSession, current_user: AuthUser, shipment_id: int, data: ShipRequest
    ) -> ShipmentOut:
        """发货: the order becomes shipped and the channel's confirmation is queued; again changes nothing."""
        shipment = await service.get_shipment(db_session, shipment_id)
        shipped = await service.ship(db_session, shipment, current_user.id, expected_by=data.expected_by)
        return shipment_out(shipped)


class TrackingController(Controller):
    path = "/api/tracking"
    tags = ["shipping"]  # noqa: RUF012

    @post(
        "/kuaidi100",
        operation_id="ReceiveKuaidi100Push",
        status_code=200,
        request_max_body_size=MAX_PUSH,
        opt={"exclude_from_auth": True},
    )
    async def kuaidi100(
        self,
        db_session: AsyncSession,
        settings: Settings,
        data: Annotated[Kuaidi100Form, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Kuaidi100Ack:
        """Kuaidi100's subscription push: no login (it cannot log in), checked by its signature when a
        salt is configured. A waybill we do not know is acknowledged so it is not pushed for days."""
        result = await ingest_kuaidi100(db_session, data.param, data.sign, salt=settings.kuaidi100_salt)
        return Kuaidi100Ack(result=True, return_code="200", message=result.note or "成功")


CONTROLLERS: list[type] = [OrderShipmentController, ShipmentController, TrackingController]
"""For ``server.app``. ``/api/tracking/kuaidi100`` is public (the handler opts out of the token check)."""
