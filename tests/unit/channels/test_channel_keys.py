"""Pure pieces of the channel senders: which keys a platform needs, how credentials show themselves,
how parameters become form fields, how refusals are judged, and the URL-scrubbing log filter."""

from __future__ import annotations

import logging

import httpx
import pytest

from server.channels.credentials import Credentials, CredentialsMissing, check_base_url, missing
from server.channels.senders.base import RetryableFailure, Scrubber, form_params, judge_refusal
from server.fulfilment.shipping.outbox import PermanentFailure

pytestmark = pytest.mark.unit


def test_each_platform_names_what_it_needs_per_kind() -> None:
    assert missing("taobao", {}) == ["app_key", "app_secret", "session"]
    assert missing("pdd", {"client_id": "c", "client_secret": "s"}) == ["access_token"]
    assert missing("shopify", {"access_token": "t"}, "shipment_confirmation") == ["shop_domain"]
    assert missing("shopify", {"access_token": "t", "base_url": "https://x"}, "stock_update") == ["location_id"]
    assert missing("woocommerce", {"consumer_key": "k", "consumer_secret": "s"}) == ["base_url"]
    assert missing("csv", {}) == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://eco.taobao.com/router/rest", None),
        ("http://127.0.0.1:8080", None),
        ("ftp://eco.taobao.com", "must be an http(s) URL with a host"),
        ("https://user:pw@eco.taobao.com", "must not carry a query, fragment or user name"),
        ("https://eco.taobao.com/rest?session=x", "must not carry a query, fragment or user name"),
        ("eco.taobao.com", "must be an http(s) URL with a host"),
    ],
)
def test_base_urls(url: str, problem: str | None) -> None:
    assert check_base_url(url) == problem


def test_credentials_never_show_a_value() -> None:
    credentials = Credentials(
        3, "pdd", {"client_id": "c1", "client_secret": "very-secret", "carrier_codes": {"SF": "44"}}
    )
    assert "very-secret" not in repr(credentials)
    assert "very-secret" not in str(credentials)
    assert credentials.secrets() == ["very-secret"]
    assert (credentials.carrier("SF"), credentials.carrier("YTO")) == ("44", "YTO")
    with pytest.raises(CredentialsMissing, match="channel 3 has no access_token set"):
        credentials.check("shipment_confirmation")


def test_scrubber_and_form_params() -> None:
    scrub = Scrubber(["tok-123456", "abc"])  # too short to scrub safely: left alone
    assert scrub("bad token tok-123456 (abc)") == "bad token *** (abc)"
    assert form_params({"a": 1, "b": True, "c": [1, "二"], "d": None, "e": "", "f": "x"}) == {
        "a": "1",
        "b": "true",
        "c": '[1,"二"]',
        "f": "x",
    }


def test_refusals_are_judged_by_what_they_say() -> None:
    judge_refusal(True, "isv.logistics-offline-service-error 该订单已发货")  # done: returns
    with pytest.raises(PermanentFailure):
        judge_refusal(False, "该订单已发货")  # not a shipment: a refusal
    with pytest.raises(RetryableFailure):
        judge_refusal(True, "系统繁忙，请稍后再试")
    with pytest.raises(RetryableFailure):
        judge_refusal(True, "anything", retryable=True)
    with pytest.raises(PermanentFailure):
        judge_refusal(True, "订单已关闭")


def test_httpx_request_logs_lose_their_query_string(caplog: pytest.LogCaptureFixture) -> None:
    import server.channels.senders.base  # noqa: F401 - installs the filter

    caplog.set_level(logging.INFO, logger="httpx")
    url = httpx.URL("https://openapi-fxg.jinritemai.com/order/logisticsAdd?access_token=tok-secret&v=2")
    logging.getLogger("httpx").info('HTTP Request: %s %s "%s %d %s"', "POST", url, "HTTP/1.1", 200, "OK")
    assert "openapi-fxg.jinritemai.com/order/logisticsAdd" in caplog.text
    assert "tok-secret" not in caplog.text
