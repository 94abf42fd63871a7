"""HTTP face of the orders domain: channels, imports, webhooks, the order pool, merge and split."""

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
from server.orders import merging, service, splitting
from server.orders.adapters.mapped_table import FieldMapping, parse_mapped_table
from server.orders.adapters.taobao_csv import parse_taobao_export
from server.orders.channel_stock import channel_stock
from server.orders.imports import run_import
from server.orders.models import Channel, Order, OrderLine, OrderStatus
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
    MergeGroupOut,
    MergeInput,
    OrderDetailOut,
    OrderOut,
    ReasonInput,
    SplitInput,
    SplitOut,
)
from server.orders.values import BadValue
from server.orders.views import channel_out, event_out, import_out, line_out, order_fields, order_out, order_ref

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
        """The order with its lines, every event (who, when, why), the orders merged into it and
        the parts split off it."""
        order, lines, events = await service.order_detail(db_session, order_id)
        if order.status is OrderStatus.merged:  # its own lines, which ship with its host
            lines = list(
                await db_session.scalars(
                    select(OrderLine).where(OrderLine.origin_order_id == order.id).order_by(OrderLine.line_no)
                )
            )
        members = (await merging.members_of(db_session, [order.id]))[order.id]
        children = await splitting.parts_of(db_session, order)
        return OrderDetailOut(
            **order_fields(order),
            lines=[line_out(x) for x in lines],
            events=[event_out(e) for e in events],
            members=[order_ref(m) for m in members],
            children=[order_ref(c) for c in children],
        )


class OrderMergeSplitController(Controller):
    """合单 and 拆单 by a person (``orders_write``, like hold and release)."""

    path = "/api/orders"
    tags = ["orders"]  # noqa: RUF012

    @get("/merge-candidates", operation_id="ListMergeCandidates", guards=Read)
    async def merge_candidates(self, db_session: AsyncSession, page: PageParams) -> Page[MergeGroupOut]:
        """Groups of orders that could ship as one parcel now: same shop, buyer and receiver, not
        yet on the floor (paid, held or routed), presale only with the same ship-by day."""
        groups = await merging.candidates(db_session)
        chosen = groups[page.offset : page.offset + page.limit]
        return Page(
            items=[MergeGroupOut(host_id=g[0].id, orders=[order_out(o) for o in g]) for g in chosen],
            total=len(groups),
            limit=page.limit,
            offset=page.offset,
        )

    @post("/merge", operation_id="MergeOrders", guards=Write, status_code=200)
    async def merge(self, db_session: AsyncSession, current_user: AuthUser, data: MergeInput) -> OrderOut:
        """Merge the orders into the earliest paid of them (the host, answered); their lines ship in
        its parcel and each platform order is confirmed with its waybill."""
        host = await merging.merge(db_session, data.order_ids, actor=current_user.id, reason=data.reason)
        await db_session.flush()
        return order_out(host)

    @post("/{order_id:int}/unmerge", operation_id="UnmergeOrder", guards=Write, status_code=200)
    async def unmerge(
        self, db_session: AsyncSession, current_user: AuthUser, order_id: int, data: ReasonInput
    ) -> OrderOut:
        """Take a merged order out of its host (while the host is not yet on the floor): its lines and
        the stock they hold go back; routed again on its own."""
        member = await merging.unmerge(db_session, order_id, actor=current_user.id, reason=data.reason)
        await db_session.flush()
        return order_out(member)

    @post("/{order_id:int}/split", operation_id="SplitOrder", guards=Write, status_code=200)
    async def split(
        self, db_session: AsyncSession, current_user: AuthUser, order_id: int, data: SplitInput
    ) -> SplitOut:
        """Split parts off the order (paid, held or routed), each an order of its own: whole lines move,
        a smaller quantity divides the line (its fen divided in proportion). A routed order's parts keep
        the stock reserved for what they carry."""
        parts = [
            splitting.PartInput(lines=[(x.line_id, x.qty) for x in part.lines], ship_by=part.ship_by)
            for part in data.parts
        ]
        made = await splitting.split(db_session, order_id, parts, actor=current_user.id, reason=data.reason)
        order = await db_session.get(Order, order_id)
        assert order is not None
        return SplitOut(order=order_out(order), parts=[order_out(p.order) for p in made])


CONTROLLERS: list[type] = [
    ChannelController,
    FileImportController,
    OrderImportController,
    WebhookController,
    OrderRulesController,
    OrderProcessingController,
    OrderActionController,
    UrgentOrderController,
    OrderMergeSplitController,
    OrderController,
]
"""``/api/orders/process`` and ``/what-if`` come before ``/api/orders/{id}`` routes of the same prefix."""
