"""Every op the server understands, gathered from the domains' ``ops`` modules (SPEC.md §7)."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from server.warehouse.push_locks import lock_up_front
from sync.registry import OpSpec, Registry

OP_MODULES = (
    "server.warehouse.ops",
    "server.fulfilment.ops",
    "server.inbound.ops",
    "server.tasks.ops",
)
"""A domain with ops adds its module here; each exposes ``OP_SPECS: list[OpSpec]``."""


@cache
def registry() -> Registry:
    built = Registry(prelock=lock_up_front)
    for name in OP_MODULES:
        specs: list[OpSpec] = import_module(name).OP_SPECS
        for spec in specs:
            built.register(spec)
    return built
