"""HTTP face of the orders domain: channels, imports, webhooks and the order pool."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

import anyio
import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.lib.errors import DomainError
from server.lib.pagination import Page, PageParams, paginate
from server.orders import service
from server.orders.adapters.mapped_table import FieldMapping, parse_mapped_table
from server.orders.adapters.taobao_csv import parse_taobao_export
from server.orders.channel_stock import channel_stock
from server.orders.imports import run_import
from server.orders.models import Channel, OrderStatus
from server.orders.normalized import ParseResult
from server.orders.rules_controller import (
    OrderActionController,
    OrderProcessingController,
    OrderRulesController,
    UrgentOrderController,
)
from server.orders.schemas import (
    ChannelCreate,
    ChannelOut,
    ChannelStockOut,
    ChannelUpdate,
    ImportOut,
    OrderDetailOut,
    OrderOut,
)
from server.orders.values import BadValue
from server.orders.views import channel_out, event_out, import_out, line_out, order_fields, order_out

Read = [requires(Permission.orders_read)]
Write = [requires(Permission.orders_write)]
MAX_PAYLOAD = 20 * 1024 * 1024
MAX_UPLOAD = 60 * 1024 * 1024
"""A big seller-centre export runs to tens of MB; the reader refuses past 50 MB or 200,000 rows."""


class ChannelController(Controller):
    path = "/api/channels"
    tags = ["orders"]  # noqa: RUF012

    @post("/", operation_id="CreateChannel", guards=Write)
    async def create_channel(self, db_session: AsyncSession, data: ChannelCreate) -> ChannelOut:
        """A shop on one platform; its webhook secret checks the platform's signatures."""
        return channel_out(await service.create_channel(db_session, data))

    @get("/", operation_id="ListChannels", guards=Read)
    async def list_channels(self, db_session: AsyncSession, page: PageParams) -> Page[ChannelOut]:
        return await paginate(db_session, select(Channel).order_by(Channel.id), page, channel_out)

    @patch("/{channel_id:int}", operation_id="UpdateChannel", guards=Write)
    async def update_channel(self, db_session: AsyncSession, channel_id: int, data: ChannelUpdate) -> ChannelOut:
        """Rename, pause, rotate the webhook secret, or change what the shop may sell."""
        return channel_out(await service.update_channel(db_session, channel_id, data))

    @get("/{channel_id:int}/stock", operation_id="GetChannelStock", guards=Read)
    async def channel_stock(
        self,
        db_session: AsyncSession,
        channel_id: int,
        sku_id: Annotated[list[int] | None, Parameter(description="these SKUs (default: every SKU in stock)")] = None,
    ) -> list[ChannelStockOut]:
        """What the shop may show buyers per SKU: available less safety stock, times its share."""
        channel = await service.get_channel(db_session, channel_id)
        return [
            ChannelStockOut(sku_id=x.sku_id, sku_code=x.sku_code, available=x.available, publish=x.publish)
            for x in await channel_stock(db_session, channel, sku_id or [])
        ]

    @post(
        "/{channel_id:int}/imports/payload",
        operation_id="ImportChannelPayload",
        guards=Write,
        status_code=201,
    )
    async def import_payload(
        self,
        request: Request[Any, Any, Any],
        session_factory: async_sessionmaker[AsyncSession],
        current_user: AuthUser,
        channel_id: int,
    ) -> ImportOut:
        """A page of the platform's order API as it answered (what a scheduled pull fetches), imported."""
        body = await request.body()
        async with session_factory() as session:
            channel = await service.get_channel(session, channel_id)
        parsed = service.adapter_for(channel).parse(body[: MAX_PAYLOAD + 1])
        import_id = await service.import_parsed(
            session_factory, channel, parsed, source="api", filename="", user_id=current_user.id
        )
        async with session_factory() as session:
            return import_out(await service.get_import(session, import_id))


class FileImportForm(msgspec.Struct, kw_only=True):
    """``kind=taobao``: ``order_file`` (and ``item_file``) as exported by the seller centre;
    ``kind=mapped``: ``file`` and the saved field mapping (字段映射) as JSON in ``mapping``."""

    kind: Literal["taobao", "mapped"]
    order_file: UploadFile | None = None
    item_file: UploadFile | None = None
    file: UploadFile | None = None
    mapping: str = ""


async def _parse_upload(form: FileImportForm) -> tuple[ParseResult, str]:
    """Parse off the event loop (a 50 MB export takes seconds of CPU); errors name what is wrong."""
    if form.kind == "taobao":
        if form.order_file is None:
            raise DomainError("order_file is required", message_zh="请上传订单文件", field="order_file")
        order_bytes = await form.order_file.read()
        item_bytes = await form.item_file.read() if form.item_file is not None else None
        parse = partial(parse_taobao_export, order_bytes, item_bytes)
        filename = form.order_file.filename
    else:
        if form.file is None:
            raise DomainError("file is required", message_zh="请上传文件", field="file")
        try:
            mapping = msgspec.json.decode(form.mapping or "{}", type=FieldMapping)
        except msgspec.ValidationError as exc:
            raise DomainError(f"mapping: {exc}", message_zh="字段映射无效", field="mapping") from exc
        except msgspec.DecodeError as exc:
            raise DomainError("mapping is not JSON", message_zh="字段映射不是有效的 JSON", field="mapping") from exc
        data = await form.file.read()
        parse = partial(parse_mapped_table, data, form.file.filename, mapping)
        filename = form.file.filename
    try:
        return await anyio.to_thread.run_sync(parse), filename
    except BadValue as exc:
        raise DomainError(exc.message, message_zh=exc.message_zh, code="unreadable_file", field="file") from exc


class FileImportController(Controller):
    path = "/api/channels"
    tags = ["orders"]  # noqa: RUF012

    @post(
        "/{channel_id:int}/imports/file",
        operation_id="ImportChannelFile",
        guards=Write,
        status_code=202,
        request_max_body_size=MAX_UPLOAD,
    )
    async def import_file(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        current_user: AuthUser,
        channel_id: int,
        data: Annotated[FileImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[ImportOut]:
        """An exported order file. Answers at once with the import (202); the orders are written in
        the background — poll ``GET /api/order-imports/{id}`` for progress and the row errors."""
        async with session_factory() as session:
            channel = await service.get_channel(session, channel_id)
        parsed, filename = await _parse_upload(data)
        import_id = await service.start_import(
            session_factory, channel, parsed, source="file", filename=filename, user_id=current_user.id
        )
        async with session_factory() as session:
            started = import_out(await service.get_import(session, import_id))
        work = BackgroundTask(run_import, session_factory, import_id, channel.id, parsed.orders, actor=current_user.id)
        return Response(started, status_code=202, background=work)


class OrderImportController(Controller):
    path = "/api/order-imports"
    tags = ["orders"]  # noqa: RUF012

    @get("/{import_id:int}", operation_id="GetOrderImport", guards=Read)
    async def get_import(self, db_session: AsyncSession, import_id: int) -> ImportOut:
        """Progress while it runs (``orders_done`` of ``orders_total``), then the report with every bad row."""
        return import_out(await service.get_import(db_session, import_id))


class WebhookController(Controller):
    path = "/api/webhooks"
    tags = ["orders"]  # noqa: RUF012

    @post("/{code:str}", operation_id="ReceiveWebhook", status_code=200)
    async def receive(
        self, request: Request[Any, Any, Any], session_factory: async_sessionmaker[AsyncSession], code: str
    ) -> dict[str, int]:
        """A platform's order webhook (Shopify, WooCommerce…), checked against the channel's secret."""
        body = await request.body()
        import_id = await service.receive_webhook(session_factory, code, body, dict(request.headers))
        return {"import_id": import_id}


class OrderController(Controller):
    path = "/api/orders"
    tags = ["orders"]  # noqa: RUF012

    @get("/", operation_id="ListOrders", guards=Read)
    async def list_orders(
        self,
        db_session: AsyncSession,
        page: PageParams,
        status: OrderStatus | None = None,
        channel_id: int | None = None,
        q: Annotated[str | None, Parameter(description="platform order number or buyer contains")] = None,
    ) -> Page[OrderOut]:
        statement = service.order_query(status=status, channel_id=channel_id, q=q)
        return await paginate(db_session, statement, page, order_out)

    @get("/{order_id:int}", operation_id="GetOrder", guards=Read)
    async def get_order(self, db_session: AsyncSession, order_id: int) -> OrderDetailOut:
        """The order with its lines and every event (who, when, why)."""
        order, lines, events = await service.order_detail(db_session, order_id)
        return OrderDetailOut(
            **order_fields(order), lines=[line_out(x) for x in lines], events=[event_out(e) for e in events]
        )


CONTROLLERS: list[type] = [
    ChannelController,
    FileImportController,
    OrderImportController,
    WebhookController,
    OrderRulesController,
    OrderProcessingController,
    OrderActionController,
    UrgentOrderController,
    OrderController,
]
"""``/api/orders/process`` and ``/what-if`` come before ``/api/orders/{id}`` routes of the same prefix."""
