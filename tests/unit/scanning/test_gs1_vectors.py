"""The shared GS1 vectors (tests/vectors/gs1.json) against the Python parser, plus a round-trip property.

The PWA runs the same file in pwa/src/scanning/gs1.test.ts; the format is explained for client
authors in tests/vectors/README.md.
"""

from __future__ import annotations

import calendar
import datetime
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.catalog.gtin import gtin_check_digit
from server.scanning.gs1 import Gs1Data, Gs1Element, Gs1Error, looks_like_gs1, parse_gs1, resolve_year
from server.scanning.gs1_table import AI_TABLE, CSET82, AiSpec

pytestmark = pytest.mark.unit

VECTORS_PATH = Path(__file__).parents[2] / "vectors" / "gs1.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
DEFAULT_TODAY = "2026-01-01"
"""The reference date of a vector without ``today`` (README)."""

NULL_RESULT = msgspec.to_builtins(Gs1Data(elements=[]))
CASE_KEYS = {"name", "input", "today", "note", "expect", "error", "looks_like_gs1"}


def _today(case: dict[str, Any]) -> datetime.date:
    return datetime.date.fromisoformat(case.get("today", DEFAULT_TODAY))


def test_vector_file_is_well_formed() -> None:
    """A typo in a key would silently switch a check off, so the format itself is checked."""
    assert len(VECTORS) >= 60
    names = [case["name"] for case in VECTORS]
    assert len(set(names)) == len(names), "vector names must be unique"
    for case in VECTORS:
        assert set(case) <= CASE_KEYS, case["name"]
        assert isinstance(case["input"], str), case["name"]
        assert ("expect" in case) != ("error" in case), case["name"]
        if "expect" in case:
            assert set(case["expect"]) <= set(NULL_RESULT), case["name"]
            assert "elements" in case["expect"], case["name"]
        else:
            assert set(case["error"]) == {"position", "contains"}, case["name"]


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_vector(case: dict[str, Any]) -> None:
    if "expect" in case:
        data = parse_gs1(case["input"], today=_today(case))
        assert msgspec.to_builtins(data) == {**NULL_RESULT, **case["expect"]}
    else:
        with pytest.raises(Gs1Error) as caught:
            parse_gs1(case["input"], today=_today(case))
        assert (caught.value.position, case["error"]["contains"] in caught.value.message) == (
            case["error"]["position"],
            True,
        ), caught.value.message
        assert caught.value.message_zh
    if "looks_like_gs1" in case:
        assert looks_like_gs1(case["input"]) is case["looks_like_gs1"]


def test_error_carries_position_in_its_text() -> None:
    with pytest.raises(Gs1Error, match="position 15"):
        parse_gs1("0109501101530004")


def test_default_today_is_the_real_clock() -> None:
    """Without ``today`` the century window follows the machine's year."""
    year = datetime.date.today().year
    data = parse_gs1(f"17{year % 100:02d}0101")
    assert data.expiry == datetime.date(year, 1, 1)


# --- round trip: random valid element strings, raw and bracketed, parse the same ---------------------

TODAY = datetime.date(2026, 1, 1)
_SEPARATORS = ("\x1d", "<GS>", "{GS}")
_AIS = sorted(AI_TABLE)
_CSET82 = sorted(CSET82)
_OPENS_AN_AI = re.compile(r"\([0-9]{2,4}\)")


@st.composite
def _value(draw: st.DrawFn, spec: AiSpec) -> str:
    if spec.date is not None:
        yy = draw(st.integers(0, 99))
        month = draw(st.integers(1, 12))
        last = calendar.monthrange(resolve_year(yy, TODAY.year), month)[1]
        day = draw(st.integers(0 if spec.date == "yymmd0" else 1, last))
        return f"{yy:02d}{month:02d}{day:02d}"
    if spec.numeric:
        size = spec.max_length if spec.fixed else draw(st.integers(spec.min_length, spec.max_length))
        digits = "".join(str(draw(st.integers(0, 9))) for _ in range(size))
        return digits[:-1] + gtin_check_digit(digits[:-1]) if spec.check_digit else digits
    # "<GS>" is a separator in the raw form and "(NN)" opens an AI in the bracketed one (documented).
    text = st.text(alphabet=_CSET82, min_size=1, max_size=spec.max_length)
    return draw(text.filter(lambda t: "<GS>" not in t and not _OPENS_AN_AI.search(t)))


@st.composite
def _element_strings(draw: st.DrawFn) -> tuple[list[Gs1Element], str, str]:
    ais = draw(st.lists(st.sampled_from(_AIS), min_size=1, max_size=6, unique=True))
    if "01" in ais and "02" in ais:
        ais.remove("02")
    elements = [Gs1Element(ai=ai, value=draw(_value(AI_TABLE[ai])), title=AI_TABLE[ai].title) for ai in ais]
    raw = draw(st.sampled_from(["", "]C1", "]d2", "]Q3", "\x1d", "]C1\x1d"]))
    for index, element in enumerate(elements):
        raw += element.ai + element.value
        if AI_TABLE[element.ai].fnc1_required and index < len(elements) - 1:
            raw += draw(st.sampled_from(_SEPARATORS))
    bracketed = "".join(f"({element.ai}){element.value}" for element in elements)
    return elements, raw, bracketed


@settings(max_examples=300, deadline=None)
@given(_element_strings())
def test_raw_and_bracketed_forms_parse_equal(case: tuple[list[Gs1Element], str, str]) -> None:
    elements, raw, bracketed = case
    from_raw = parse_gs1(raw, today=TODAY)
    assert from_raw.elements == elements
    assert from_raw == parse_gs1(bracketed, today=TODAY)
