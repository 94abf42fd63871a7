"""The platform senders by name, and the ``RowSender`` the outbox worker uses: it reads the row's
channel and credentials, then hands the call to that platform's sender.

Credentials are read per row, in a short transaction of their own, so a key saved a second ago is
used by the next try and no transaction stays open while a platform takes its time to answer.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.channels.credentials import Credentials
from server.channels.models import ChannelCredentials
from server.channels.senders.base import TIMEOUT, PlatformSender, log
from server.channels.senders.douyin import DouyinSender
from server.channels.senders.jd import JdSender
from server.channels.senders.pdd import PddSender
from server.channels.senders.shopify import ShopifySender
from server.channels.senders.taobao_top import TaobaoTopSender
from server.channels.senders.woocommerce import WooCommerceSender
from server.db.transaction import run_in_transaction
from server.fulfilment.shipping.models import OutboxKind
from server.fulfilment.shipping.outbox import Outgoing, PermanentFailure
from server.orders.models import Channel

SENDERS: dict[str, PlatformSender] = {
    s.platform: s
    for s in (TaobaoTopSender(), JdSender(), PddSender(), DouyinSender(), ShopifySender(), WooCommerceSender())
}


def http_client() -> httpx.AsyncClient:
    """One client per worker: connections to a platform are reused across rows. Redirects are not
    followed (a POST with credentials must not wander off to another host)."""
    return httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": "cangku/0.1"})


async def load_credentials(session: AsyncSession, channel_id: int) -> tuple[str, dict[str, Any]] | None:
    """The channel's platform and credentials document; ``None`` when the channel does not exist."""
    row = (
        await session.execute(
            select(Channel.platform, ChannelCredentials.document)
            .outerjoin(ChannelCredentials, ChannelCredentials.channel_id == Channel.id)
            .where(Channel.id == channel_id)
        )
    ).first()
    if row is None:
        return None
    return str(row[0]), dict(row[1] or {})


class ChannelDispatcher:
    """The outbox's ``RowSender`` for real: credentials from the database, a sender per platform."""

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        senders: dict[str, PlatformSender] | None = None,
    ) -> None:
        self.factory = factory
        self.http = http
        self.senders = SENDERS if senders is None else senders

    async def __call__(self, row: Outgoing) -> None:
        try:
            await self._send(row)
        except Exception as exc:
            # The error text is already scrubbed of secrets; no parameters (order numbers, waybills)
            # are logged, only what identifies the row.
            log.warning(
                "outbox row %s (channel %s, %s %s) failed: %s: %s",
                row.row_id,
                row.channel_id,
                row.call.platform,
                row.call.method,
                type(exc).__name__,
                exc,
            )
            raise
        log.info(
            "outbox row %s (channel %s, %s %s) sent", row.row_id, row.channel_id, row.call.platform, row.call.method
        )

    async def _send(self, row: Outgoing) -> None:
        async def read(session: AsyncSession) -> tuple[str, dict[str, Any]] | None:
            return await load_credentials(session, row.channel_id)

        found = await run_in_transaction(self.factory, read)
        if found is None:
            raise PermanentFailure(f"channel {row.channel_id} does not exist")
        platform, document = found
        if platform != row.call.platform:
            raise PermanentFailure(f"the call is for {row.call.platform} but channel {row.channel_id} is {platform}")
        sender = self.senders.get(platform)
        if sender is None:
            raise PermanentFailure(f"no sender for platform {platform}: confirm in the seller centre")
        credentials = Credentials(row.channel_id, platform, document)
        credentials.check(row.kind.value)
        await sender.send(self.http, row.call, credentials, shipment=row.kind is OutboxKind.shipment_confirmation)
