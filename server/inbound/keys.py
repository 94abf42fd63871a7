"""Idempotency of the desk's stock-moving requests (receipts, QC releases).

A desk on shaky Wi-Fi must be able to send a request again without booking goods twice, so these
endpoints refuse a request without a key rather than invent one (the ledger API's rule). The key
lives on the document row (receipt, inspection) beside a digest of the request: a retry with the
same body is answered from the stored document, the same key with another body is refused.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from server.lib.errors import ValidationFailed
from server.warehouse.ledger.errors import IdempotencyKeyReused

MAX_KEY = 100
"""The moves' keys add a prefix and a line suffix and must stay within the ledger's 128."""


def request_key(body_key: str | None, header_key: str | None) -> str:
    """The body's key, else the ``Idempotency-Key`` header's; one is required."""
    key = body_key or header_key
    if not key:
        raise ValidationFailed(
            "give an idempotency_key (or an Idempotency-Key header) so that a retry cannot book twice",
            message_zh="请提供幂等键（idempotency_key 或 Idempotency-Key 请求头），以便安全重试",
            field="idempotency_key",
            code="idempotency_key_required",
        )
    if len(key) > MAX_KEY:
        raise ValidationFailed(
            f"idempotency key is longer than {MAX_KEY} characters",
            message_zh=f"幂等键不能超过 {MAX_KEY} 个字符",
            field="Idempotency-Key",
            code="invalid_idempotency_key",
        )
    return key


def request_digest(**parts: Any) -> str:
    """SHA-256 of the request's meaning (msgspec encodes Structs in field order, so it is stable)."""
    return hashlib.sha256(msgspec.json.encode(parts)).hexdigest()


def key_reused(key: str) -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        f"idempotency key {key!r} was already used for a different request",
        message_zh="该幂等键已用于另一个请求",
        field="idempotency_key",
    )
