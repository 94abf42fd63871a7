"""The adapter registry: every platform present, keyed by its own name, each honouring the contract."""

from __future__ import annotations

import pytest

from server.orders.adapters.registry import ADAPTERS

pytestmark = pytest.mark.unit

PLATFORMS = ["shopify", "woocommerce", "taobao", "jd", "pdd", "douyin"]


def test_every_platform_is_registered_under_its_own_name() -> None:
    assert sorted(ADAPTERS) == sorted(PLATFORMS)
    for name, adapter in ADAPTERS.items():
        assert adapter.platform == name


@pytest.mark.parametrize("name", PLATFORMS)
@pytest.mark.parametrize("body", [b"", b"{", b"null", b"[1]", b'{"unexpected": true}', b"\x00\xff"])
def test_parse_never_raises(name: str, body: bytes) -> None:
    result = ADAPTERS[name].parse(body)
    assert result.orders == []
    assert all(error.row == 0 and error.message and error.message_zh for error in result.errors)


@pytest.mark.parametrize("name", PLATFORMS)
def test_outbound_calls_name_their_platform(name: str) -> None:
    adapter = ADAPTERS[name]
    ship = adapter.shipment_confirmation("1001", "SF", "SF0000000001", [])
    stock = adapter.stock_update("SKU-1", "111/222", 3)
    assert ship.platform == stock.platform == name
    assert ship.method and stock.method
