"""A fake Web Push service on 127.0.0.1 and fake subscribing browsers (TESTING-RECIPES §5a).

The service is a real HTTP server in a thread: pywebpush encrypts, signs and POSTs over a real
socket, and the tests read the push as a browser would — decrypting the body with the subscriber's
private key and auth secret (``http_ece``, aes128gcm) and checking the VAPID JWT's signature
against the key the server hands out at ``GET /api/push/key``.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import aiohttp
import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.notify.compose import Limits
from server.notify.transport import WebPushTransport
from server.notify.vapid import load_or_create_key
from server.notify.worker import PushWorker

CONTACT = "mailto:ops@cangku.test"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


Reply = tuple[int, dict[str, str]]


@dataclass
class PushService:
    url: str
    received: list[Received] = field(default_factory=list)
    scripts: dict[str, list[Reply]] = field(default_factory=dict)

    def script(self, name: str, *replies: Reply) -> None:
        """Answer pushes to ``/push/<name>`` with ``replies`` in turn, then 201 for ever."""
        self.scripts[f"/push/{name}"] = list(replies)

    def to(self, name: str) -> list[Received]:
        return [r for r in self.received if r.path == f"/push/{name}"]

    @property
    def origin(self) -> str:
        return self.url


@contextmanager
def push_service() -> Iterator[PushService]:
    service = PushService(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                service.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                queue = service.scripts.get(self.path, [])
                status, headers = queue.pop(0) if queue else (201, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Browser:
    """A subscribing browser: its own P-256 key pair and auth secret, as ``pushManager.subscribe`` makes."""

    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def make(cls, service: PushService, name: str) -> Browser:
        return cls(name, f"{service.url}/push/{name}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    def subscription_json(self, **extra: Any) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
            **extra,
        }

    def decrypt(self, push: Received) -> dict[str, Any]:
        assert push.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(push.body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        document: dict[str, Any] = json.loads(plain)
        return document


def verify_vapid(push: Received, application_server_key: str, audience: str) -> dict[str, Any]:
    """Check the ``Authorization: vapid t=<JWT>,k=<key>`` header as a push service would; answer the claims."""
    scheme, _, params = push.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert fields["k"] == application_server_key
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature_b64)
    assert len(raw) == 64
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    public.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    claims: dict[str, Any] = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience
    assert claims["sub"] == CONTACT
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    return claims


@asynccontextmanager
async def push_worker(
    factory: async_sessionmaker[AsyncSession], limits: Limits | None = None
) -> AsyncIterator[PushWorker]:
    """The worker the app runs, with the real pywebpush transport and the stored key."""
    key = await load_or_create_key(factory)
    async with aiohttp.ClientSession() as http:
        yield PushWorker(factory, WebPushTransport(key, CONTACT, http), limits=limits or Limits())
