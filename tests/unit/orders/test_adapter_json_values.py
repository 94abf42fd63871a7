"""The JSON-payload helpers in values.py that every API/webhook adapter shares."""

from __future__ import annotations

import base64
import hashlib
import hmac
from decimal import Decimal

import pytest

from server.orders.adapters.payload import (
    AmountReader,
    error_field,
    header_value,
    hmac_sha256_base64_matches,
    json_body,
    json_id,
    json_int,
    json_list,
    json_object,
    json_text,
)
from server.orders.values import BadValue, allocate

pytestmark = pytest.mark.unit


def test_json_body_keeps_big_ints_and_decimal_text() -> None:
    decoded = json_body(b'{"id": 5678901234567890123, "price": 19.90, "fen": 1990}')
    assert decoded == {"id": 5678901234567890123, "price": Decimal("19.90"), "fen": 1990}


def test_json_body_refuses_malformed_text() -> None:
    with pytest.raises(BadValue) as caught:
        json_body(b"{oops")
    assert error_field(caught.value) == "body"
    assert caught.value.message_zh


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (" a ", "a"), (3456789012345678901, "3456789012345678901"), (Decimal("1.50"), "1.50")],
)
def test_json_text(value: object, text: str) -> None:
    assert json_text(value) == text


def test_json_text_refuses_structures() -> None:
    with pytest.raises(BadValue):
        json_text({"a": 1}, field="note")


def test_json_id_requires_a_whole_present_value() -> None:
    assert json_id(9007199254740993, field="id") == "9007199254740993"
    for bad in (None, "", Decimal("1.5")):
        with pytest.raises(BadValue) as caught:
            json_id(bad, field="tid")
        assert error_field(caught.value) == "tid"


def test_json_int_and_shapes() -> None:
    assert (json_int("2", field="x"), json_int(None, field="x"), json_int(-1, field="x")) == (2, None, -1)
    with pytest.raises(BadValue):
        json_int("2a", field="x")
    assert json_object(None, field="o") == {}
    assert json_list(None, field="l") == []
    with pytest.raises(BadValue):
        json_object([], field="o")
    with pytest.raises(BadValue):
        json_list({}, field="l")


def test_amount_reader_keeps_raw_text() -> None:
    money = AmountReader()
    assert money(Decimal("19.9"), "goods_price") == 1990
    assert money("200.07", "payment") == 20007
    money.keep("1.00", "total_tax")
    money.keep(None, "absent")
    assert money.raw == {"goods_price": "19.9", "payment": "200.07", "total_tax": "1.00"}
    assert AmountReader(unit="fen")(1990, "pay_amount") == 1990


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (2000, [9980, 5990], [1250, 750]),
        (0, [5, 5], [0, 0]),
        (7, [0, 0], [4, 3]),
        (-10, [1, 3], [-3, -7]),
        (5, [], []),
    ],
)
def test_allocate_sums_exactly(total: int, weights: list[int], parts: list[int]) -> None:
    assert allocate(total, weights) == parts
    assert sum(parts) == (total if weights else 0)


def test_header_value_ignores_case() -> None:
    headers = {"x-shopify-hmac-sha256": "abc"}
    assert header_value(headers, "X-Shopify-Hmac-Sha256") == "abc"
    assert header_value(headers, "X-Other") == ""


def test_hmac_matches_stdlib_and_rejects_empty_secret() -> None:
    body = b'{"id": 1}'
    signature = base64.b64encode(hmac.new(b"s3cret", body, hashlib.sha256).digest()).decode()
    assert hmac_sha256_base64_matches(body, "s3cret", signature)
    assert hmac_sha256_base64_matches(body, "s3cret", f" {signature}\n")
    assert not hmac_sha256_base64_matches(body, "s3cret", signature.lower())
    assert not hmac_sha256_base64_matches(body, "", signature)
    assert not hmac_sha256_base64_matches(body, "s3cret", "")
