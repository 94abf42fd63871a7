"""HTTP face of channel integration: credentials (write-only secrets), listings (商品对应), publishing
stock now, and the channel's outbox rows. Channel CRUD itself lives in ``server.orders.controller``;
these routes share its ``/api/channels`` prefix and its permissions (orders.read / orders.write)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal, cast

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.params import Parameter
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.guards import requires
from server.auth.permissions import Permission
from server.catalog.models import Sku
from server.channels import service
from server.channels.models import ChannelCredentials, ChannelListing
from server.channels.schemas import (
    CredentialsInput,
    CredentialsOut,
    ListingImportOut,
    ListingInput,
    ListingOut,
    OutboxRetryInput,
    OutboxRetryOut,
    OutboxRowOut,
    PublishOut,
)
from server.channels.stock import publish_stock
from server.db.transaction import run_in_transaction
from server.fulfilment.shipping.models import ChannelOutbox, OutboxStatus
from server.lib.errors import DomainError
from server.lib.pagination import Page, PageParams, paginate

Read = [requires(Permission.orders_read)]
Write = [requires(Permission.orders_write)]
MAX_CSV = 10 * 1024 * 1024


def _outbox_out(row: ChannelOutbox) -> OutboxRowOut:
    return OutboxRowOut(
        id=row.id,
        kind=row.kind.value,
        method=str(row.payload.get("method", "")),
        reference=row.reference,
        status=row.status.value,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


class ChannelIntegrationController(Controller):
    path = "/api/channels"
    tags = ["channels"]  # noqa: RUF012

    @get("/{channel_id:int}/credentials", operation_id="GetChannelCredentials", guards=Read)
    async def get_credentials(self, db_session: AsyncSession, channel_id: int) -> CredentialsOut:
        """Which keys the platform needs and which are set; secrets are never sent back."""
        channel = await service.get_channel(db_session, channel_id)
        return service.credentials_out(channel, await db_session.get(ChannelCredentials, channel_id))

    @put("/{channel_id:int}/credentials", operation_id="SetChannelCredentials", guards=Write)
    async def set_credentials(
        self, db_session: AsyncSession, channel_id: int, data: CredentialsInput
    ) -> CredentialsOut:
        """Set keys (a key left out keeps its value, ``null`` clears it). Rows that waited for the
        keys go out at once."""
        channel = await service.get_channel(db_session, channel_id)
        row = await service.save_credentials(db_session, channel, data)
        return service.credentials_out(channel, row)

    @get("/{channel_id:int}/listings", operation_id="ListChannelListings", guards=Read)
    async def list_listings(self, db_session: AsyncSession, channel_id: int, page: PageParams) -> Page[ListingOut]:
        await service.get_channel(db_session, channel_id)
        statement = (
            select(ChannelListing, Sku.code)
            .join(Sku, Sku.id == ChannelListing.sku_id)
            .where(ChannelListing.channel_id == channel_id)
            .order_by(ChannelListing.platform_sku_id)
        )
        rows = cast("Select[Any]", statement)
        return await paginate(db_session, rows, page, lambda row: service.listing_out(row[0], row[1]))

    @post("/{channel_id:int}/listings", operation_id="SaveChannelListing", guards=Write, status_code=200)
    async def save_listing(self, db_session: AsyncSession, channel_id: int, data: ListingInput) -> ListingOut:
        """商品对应: this platform SKU is our SKU ``sku_code`` (created, or changed if it exists)."""
        channel = await service.get_channel(db_session, channel_id)
        listing = await service.upsert_listing(db_session, channel, data)
        return service.listing_out(listing, data.sku_code)

    @delete("/{channel_id:int}/listings/{listing_id:int}", operation_id="DeleteChannelListing", guards=Write)
    async def delete_listing(self, db_session: AsyncSession, channel_id: int, listing_id: int) -> None:
        await service.delete_listing(db_session, channel_id, listing_id)

    @post(
        "/{channel_id:int}/listings/import",
        operation_id="ImportChannelListings",
        guards=Write,
        status_code=200,
    )
    async def import_listings(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, channel_id: int
    ) -> ListingImportOut:
        """A CSV body (``text/csv``): ``platform_sku_id,sku_code[,active]`` with a header row. All rows
        or none: any bad row refuses the file, every error listed with its row number."""
        body = await request.body()
        if len(body) > MAX_CSV:
            raise DomainError(
                "the file is larger than 10 MB", message_zh="文件超过 10 MB", status=413, code="too_large"
            )
        channel = await service.get_channel(db_session, channel_id)
        return await service.import_listings(db_session, channel, body)

    @post("/{channel_id:int}/stock/publish", operation_id="PublishChannelStock", guards=Write, status_code=200)
    async def publish(self, session_factory: async_sessionmaker[AsyncSession], channel_id: int) -> PublishOut:
        """Queue the shop's changed stock figures now (the worker also does every minute); a figure
        whose last row died is queued again."""
        report = await run_in_transaction(
            session_factory, partial(publish_stock, channel_id=channel_id, republish_dead=True)
        )
        return msgspec.convert(msgspec.to_builtins(report), PublishOut)

    @get("/{channel_id:int}/outbox", operation_id="ListChannelOutbox", guards=Read)
    async def list_outbox(
        self,
        db_session: AsyncSession,
        channel_id: int,
        page: PageParams,
        status: Annotated[
            Literal["pending", "sent", "failed", "dead"] | None, Parameter(description="only rows in this state")
        ] = None,
    ) -> Page[OutboxRowOut]:
        """The platform calls queued for this shop, newest first; dead rows need a person."""
        await service.get_channel(db_session, channel_id)
        statement = select(ChannelOutbox).where(ChannelOutbox.channel_id == channel_id)
        if status is not None:
            statement = statement.where(ChannelOutbox.status == OutboxStatus(status))
        return await paginate(db_session, statement.order_by(ChannelOutbox.id.desc()), page, _outbox_out)

    @post("/{channel_id:int}/outbox/retry", operation_id="RetryChannelOutbox", guards=Write, status_code=200)
    async def retry_outbox(self, db_session: AsyncSession, channel_id: int, data: OutboxRetryInput) -> OutboxRetryOut:
        """Send dead rows again (after fixing credentials, a listing…), with a fresh count of attempts."""
        await service.get_channel(db_session, channel_id)
        return OutboxRetryOut(rearmed=await service.rearm(db_session, channel_id, data.ids))


CONTROLLERS: list[type] = [ChannelIntegrationController]
