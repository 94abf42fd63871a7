"""Decoding a request body by hand, with the same error shape as Litestar's own validation."""

from __future__ import annotations

from typing import TypeVar

import msgspec

from server.lib.errors import ValidationFailed

T = TypeVar("T")


def decode_body(body: bytes, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        path = str(exc).rpartition(" - at `$.")[2].rstrip("`") if " - at `$." in str(exc) else None
        raise ValidationFailed(str(exc), message_zh="请求数据无效", field=path, code="invalid_body") from exc
    except msgspec.DecodeError as exc:
        raise ValidationFailed(f"malformed JSON: {exc}", message_zh="JSON 格式错误", code="malformed_json") from exc
