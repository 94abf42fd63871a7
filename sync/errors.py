"""Protocol errors (SPEC.md §8): a whole push or pull refused, each with its HTTP status, a stable
code and what the client must do about it. Per-op problems are never raised: they become the op's
``rejected`` or ``held`` result, so one bad op cannot wedge a queue."""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    status = 400
    code = "sync_error"

    def __init__(self, message: str, *, message_zh: str = "", detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.detail = detail or {}


class MalformedBatch(SyncError):
    """SPEC.md §8: the batch itself is wrong (not consecutive, too long, duplicate ids); a client bug."""

    status = 422
    code = "malformed_batch"


class ProtocolUnsupported(SyncError):
    status = 426
    code = "protocol_unsupported"


class ClientTooOld(SyncError):
    """SPEC.md §10.3: update the app, keep the outbox, push again."""

    status = 426
    code = "client_too_old"


class SequenceGap(SyncError):
    """SPEC.md §5.4: resend from ``detail.resend_from``."""

    status = 409
    code = "sequence_gap"

    def __init__(self, expected: int, got: int) -> None:
        super().__init__(
            f"sequence gap: the server has applied up to {expected - 1}; resend from {expected} (got {got})",
            message_zh=f"序号不连续：请从 {expected} 开始重新发送",
            detail={"resend_from": expected, "last_applied_seq": expected - 1},
        )


class SequenceReused(SyncError):
    """SPEC.md §5.5: a different op claims an already-applied number — the device lost its state."""

    status = 409
    code = "sequence_reused"


class OpIdConflict(SyncError):
    """SPEC.md §5.5: the same op id was sent with different content."""

    status = 409
    code = "op_id_conflict"


class DeviceMismatch(SyncError):
    status = 403
    code = "device_mismatch"
