"""The AI table: consistent with the GS1 predefined-length figure, prefix-free, and the same in the PWA."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.scanning.gs1_table import AI_DICTIONARY, AI_TABLE, PREDEFINED_LENGTHS, lookup_ai

pytestmark = pytest.mark.unit

TS_TABLE = Path(__file__).parents[3] / "pwa" / "src" / "scanning" / "gs1-table.ts"


def test_predefined_flag_matches_the_predefined_length_figure() -> None:
    """A ``*`` row must have exactly the AI + data length of Figure 7.8.4-2, and only those rows."""
    for ai, spec in AI_TABLE.items():
        if spec.predefined:
            assert spec.fixed, ai
            assert len(ai) + spec.max_length == PREDEFINED_LENGTHS[ai[:2]], ai
        else:
            assert ai[:2] not in PREDEFINED_LENGTHS, ai


def test_no_ai_is_a_prefix_of_another() -> None:
    """Raw strings are read by trying 2, 3 and 4 digits; that is only unambiguous if AIs are prefix-free."""
    for ai in AI_TABLE:
        assert not any(other != ai and other.startswith(ai) for other in AI_TABLE), ai


def test_lookup_finds_the_ai_at_a_position() -> None:
    found = lookup_ai("xx3103000750", 2)
    assert found is not None
    assert (found.ai, found.decimals, found.title) == ("3103", 3, "NET WEIGHT (kg)")
    assert lookup_ai("3106000750", 0) is None


def test_pwa_copy_of_the_table_is_identical() -> None:
    """The TypeScript parser reads the same text; a drift would make server and phone disagree."""
    source = TS_TABLE.read_text(encoding="utf-8")
    match = re.search(r"export const AI_DICTIONARY = `([^`]*)`", source)
    assert match is not None, "AI_DICTIONARY template literal not found in gs1-table.ts"
    assert match.group(1) == AI_DICTIONARY
