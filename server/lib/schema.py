"""Base Structs for the API. Wire casing is snake_case, the same as Python and the database (ADR-0002).

Input Structs forbid unknown fields: a typo such as ``quantity`` for ``qty`` is an error naming the
field, not a silently ignored value. msgspec's ``kw_only`` is per class: subclasses that put a
required field after an optional one declare ``class X(Schema, kw_only=True)``.
"""

from __future__ import annotations

import msgspec


class Schema(msgspec.Struct, kw_only=True):
    """Response bodies."""


class Input(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Request bodies."""
