"""SPEC.md §7.5 is generated from the op payload types; a field added in code must reach the SPEC."""

from __future__ import annotations

from server.syncapi.spec_doc import SPEC_PATH, spec_with_current_tables


def test_spec_payload_tables_match_the_registered_ops() -> None:
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert spec_with_current_tables(text) == text, "run: python -m server.syncapi.spec_doc --write"
    assert "`warehouse.bin_counted` — fact, version 1" in text
    assert "| `counted_qty` | integer (≥ 0) | yes |  |" in text
