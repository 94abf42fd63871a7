"""What a phone downloads to install the PWA: gzipped size of the built files (pwa/dist).

    python -m bench.pwa_size [--dist pwa/dist] [--budget-kb 250]

Budget: the app's JavaScript ≤ 250 KB gzipped. WebAssembly (the barcode decoder) is counted
apart: it is fetched once into the service worker's cache and compiled, not parsed as script.
Source maps are left out (never precached, only developers fetch them). Sizes are gzip level 6,
what the server sends (server/app.py CompressionConfig). Exit 1 when the JavaScript is over
budget, so CI can run it after ``npm run build``.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def kind(path: Path) -> str:
    if path.name == "sw.js":
        return "service worker"
    return {".js": "javascript", ".css": "css", ".html": "html", ".wasm": "wasm"}.get(path.suffix, "other")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "pwa" / "dist")
    parser.add_argument("--budget-kb", type=float, default=250.0)
    args = parser.parse_args(argv)
    dist: Path = args.dist
    if not (dist / "index.html").is_file():
        print(f"no build at {dist}: run `npm --prefix pwa run build` (or `make pwa-build`)", file=sys.stderr)
        return 2

    raw: dict[str, int] = defaultdict(int)
    packed: dict[str, int] = defaultdict(int)
    files = sorted(p for p in dist.rglob("*") if p.is_file() and p.suffix != ".map")
    print(f"{'file':<48} {'bytes':>10} {'gzip':>10}")
    for path in files:
        data = path.read_bytes()
        size = gzipped(data)
        raw[kind(path)] += len(data)
        packed[kind(path)] += size
        print(f"{path.relative_to(dist).as_posix():<48} {len(data):>10,} {size:>10,}")
    print()
    for name in sorted(raw):
        print(f"{name:<48} {raw[name]:>10,} {packed[name]:>10,}")
    without_wasm = sum(v for k, v in packed.items() if k != "wasm")
    print(f"{'everything but wasm':<48} {sum(v for k, v in raw.items() if k != 'wasm'):>10,} {without_wasm:>10,}")
    print(
        f"{'everything (what the service worker precaches)':<48} {sum(raw.values()):>10,} {sum(packed.values()):>10,}"
    )
    js_kb = (packed["javascript"] + packed["service worker"]) / 1024
    verdict = "within" if js_kb <= args.budget_kb else "OVER"
    print(f"\nJavaScript gzipped (app + worker): {js_kb:.1f} KB, {verdict} the {args.budget_kb:g} KB budget (no wasm)")
    return 0 if js_kb <= args.budget_kb else 1


if __name__ == "__main__":
    sys.exit(main())
