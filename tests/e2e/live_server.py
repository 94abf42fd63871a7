"""The real server on the built PWA, and the browser settings, without pytest: shared by the
end-to-end fixtures (conftest.py) and by scripts that drive the app the same way
(``python -m bench.pwa_screens``).

Recipes from shared/design/TESTING-RECIPES.md: Playwright (pip, pinned) drives /usr/bin/chromium
through ``executable_path``; ``playwright install`` is never run (it downloads a browser this
machine cannot reach). The server is ``cangku run`` in a subprocess on a free port, on a fresh
SQLite database with the demo data, serving a given copy of pwa/dist.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "pwa"
CHROMIUM = Path(os.environ.get("CANGKU_E2E_CHROMIUM", "/usr/bin/chromium"))
# TESTING-RECIPES §1. Playwright adds --no-sandbox itself (needed as root).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# src/pwa/update.ts exposes window.__cangkuTest only when this is set.
TEST_HOOKS_SCRIPT = "try { localStorage.setItem('cangku.testHooks', '1'); } catch (e) {}"
SERVER_START_TIMEOUT_S = 120.0


class ServerDidNotStart(RuntimeError):
    """The server exited or never answered; the message ends with its log."""


@dataclass(frozen=True)
class LiveServer:
    url: str
    dist: Path
    log: Path
    database_url: str


def build_is_usable(dist: Path) -> bool:
    return (dist / "index.html").is_file() and (dist / "sw.js").is_file()


def ensure_pwa_built() -> Path:
    """pwa/dist as `make` built it; built here when missing (a bare pytest or script run)."""
    dist = PWA / "dist"
    if not build_is_usable(dist):
        subprocess.run(["npm", "run", "build"], cwd=PWA, check=True)
    if not build_is_usable(dist):
        raise RuntimeError("npm run build did not produce pwa/dist/index.html and sw.js")
    return dist


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(dist: Path, workdir: Path) -> Iterator[LiveServer]:
    """`cangku run` on a fresh SQLite database in ``workdir``: migrations, demo data (logins as
    printed by the command, password ``cangku-demo``) and the PWA from ``dist``, as a person gets
    them from `make run`. Stopped on leaving the block."""
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{workdir / 'cangku.sqlite3'}"
    env = {
        **os.environ,
        "CANGKU_DATABASE_URL": database_url,
        "CANGKU_HOST": "127.0.0.1",
        "CANGKU_PORT": str(port),
        "CANGKU_PWA_DIST": str(dist),
        "CANGKU_DEMO_DATA": "1",
        "CANGKU_OUTBOX_WORKER": "0",
        # Pushes go out within a second (test_push.py); the time-based push rules stay off so that
        # only what a test queues reaches its phone.
        "CANGKU_PUSH_INTERVAL_SECONDS": "1",
        "CANGKU_PUSH_RULES_WORKER": "0",
    }
    log = workdir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, url, log)
        yield LiveServer(url=url, dist=dist, log=log, database_url=database_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until_up(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerDidNotStart(
                f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}"
            )
        try:
            if httpx.get(f"{url}/api/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise ServerDidNotStart(
        f"the server did not answer within {SERVER_START_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-4000:]}"
    )
