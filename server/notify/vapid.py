"""The installation's VAPID key: made on first use, kept in the database, never silently replaced.

Why the database and not a file: every API process (and ``cangku push deliver``) must sign with the
same key, and the database is the one thing they all share; backups then carry it too.

Why never replaced: each browser subscription is bound to the public key it was made with. A new
key would make the push services refuse every existing subscription (403) until each phone
subscribes again. So a stored key that cannot be read is an error a person must look at — restore
it from a backup, or reset it on purpose with ``cangku push reset-key`` — never a reason to make a
new one.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.lib.errors import DomainError
from server.notify.models import PushSubscription, VapidKey

KEY_ROW = 1


class VapidKeyUnreadable(DomainError):
    """The stored key is damaged: push is off until a person restores or resets it."""

    status = 503
    code = "push_key_unreadable"


@dataclass(frozen=True, slots=True)
class ServerKey:
    vapid: Vapid
    application_server_key: str
    """base64url (no padding) of the 65-byte uncompressed public point."""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict: only the URL-safe alphabet, padding optional (browsers leave it off)."""
    stripped = text.rstrip("=")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


def _public_point(key: ec.EllipticCurvePrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)


def _unreadable(reason: str) -> VapidKeyUnreadable:
    return VapidKeyUnreadable(
        f"the stored VAPID key cannot be used ({reason}); push is off. Restore the push_vapid_keys row "
        "from a backup, or run `cangku push reset-key` (every phone must then subscribe again)",
        message_zh="已保存的推送密钥 (VAPID) 无法使用，推送已停用。请从备份恢复 push_vapid_keys 表，"
        "或运行 `cangku push reset-key`（之后每部手机都须重新订阅）",
        detail={"reason": reason},
    )


def parse_stored(row: VapidKey) -> ServerKey:
    """Load a stored key, refusing anything that is not an intact P-256 key matching its public half."""
    try:
        key = serialization.load_pem_private_key(row.private_pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise _unreadable(f"private key does not parse: {type(exc).__name__}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise _unreadable("not a P-256 key")
    public = _public_point(key)
    if public != row.public_key:
        raise _unreadable("private key does not match the public key the phones subscribed with")
    return ServerKey(vapid=Vapid(key), application_server_key=public)


async def load_key(session: AsyncSession) -> ServerKey | None:
    row = await session.get(VapidKey, KEY_ROW)
    return None if row is None else parse_stored(row)


async def load_or_create_key(factory: async_sessionmaker[AsyncSession]) -> ServerKey:
    """The stored key, or a new one if none was ever made. Two processes starting together meet at
    the primary key; the loser's retry reads the winner's key."""

    async def work(session: AsyncSession) -> ServerKey:
        found = await load_key(session)
        if found is not None:
            return found
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        row = VapidKey(id=KEY_ROW, private_pem=pem, public_key=_public_point(key))
        session.add(row)
        await session.flush()
        return parse_stored(row)

    return await run_in_transaction(factory, work)


async def reset_key(factory: async_sessionmaker[AsyncSession]) -> int:
    """Forget the key and every subscription made with it (they can no longer be sent to). Answers how
    many subscriptions were dropped. A new key is made on next use."""

    async def work(session: AsyncSession) -> int:
        dropped = len((await session.execute(select(PushSubscription.id))).all())
        await session.execute(delete(PushSubscription))
        await session.execute(delete(VapidKey))
        return dropped

    return await run_in_transaction(factory, work)
