"""A fake platform on 127.0.0.1: a real HTTP server in a thread that records every request and
answers what the test scripted. Real sockets, so the senders' whole HTTP path is exercised (URL,
query string, form or JSON body, headers), not a mock transport."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    """One request as the platform received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    @property
    def json(self) -> Any:
        return json.loads(self.body)


Answer = tuple[int, Any]
"""HTTP status and a JSON-able body (``bytes`` are sent as they are)."""


@dataclass
class Platform:
    url: str
    seen: list[Seen] = field(default_factory=list)
    answer: Callable[[Seen], Answer] = lambda _seen: (200, {})

    def answers(self, *replies: Answer) -> None:
        """Answer the next requests with ``replies`` in turn (the last one repeats)."""
        queue = list(replies)

        def next_reply(_seen: Seen) -> Answer:
            return queue.pop(0) if len(queue) > 1 else queue[0]

        self.answer = next_reply


@contextmanager
def platform_server() -> Iterator[Platform]:
    platform = Platform(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                method=self.command,
                path=parts.path,
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            platform.seen.append(seen)
            status, body = platform.answer(seen)
            data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _handle  # noqa: N815 - http.server's names

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    platform.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
