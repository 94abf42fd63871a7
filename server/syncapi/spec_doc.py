"""Keep SPEC.md §7.5 equal to the registered op payloads (``--write`` rewrites it in place)."""

from __future__ import annotations

import sys
from pathlib import Path

from server.syncapi.registry import registry
from sync.spec_tables import BEGIN, END, payload_tables

SPEC_PATH = Path(__file__).resolve().parents[2] / "sync" / "SPEC.md"


def spec_with_current_tables(spec_text: str) -> str:
    start, end = spec_text.index(BEGIN), spec_text.index(END) + len(END)
    return spec_text[:start] + payload_tables(registry()) + spec_text[end:]


def main(argv: list[str]) -> int:
    text = SPEC_PATH.read_text(encoding="utf-8")
    fresh = spec_with_current_tables(text)
    if "--write" in argv:
        SPEC_PATH.write_text(fresh, encoding="utf-8")
        return 0
    sys.stdout.write(payload_tables(registry()) + "\n")
    return 0 if fresh == text else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
