"""Why the ledger refused a move. Stable codes: the PWA and the sync engine switch on them."""

from __future__ import annotations

from server.lib.errors import Conflict, ValidationFailed


class InsufficientStock(Conflict):
    """The move would take a location below zero; ``detail.shortfalls`` lists every short line."""

    code = "insufficient_stock"


class IdempotencyKeyReused(Conflict):
    """The key was already used for a different move: answering with the old one would lie."""

    code = "idempotency_key_reused"


class LocationFrozen(Conflict):
    """A frozen bin (being counted, or blocked) accepts no moves in or out."""

    code = "location_frozen"


class InvalidMove(ValidationFailed):
    """The move itself is malformed or names things that do not exist."""

    code = "invalid_move"
