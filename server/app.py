"""Wiring only: build the Litestar app from settings. Rules live in the domain services."""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, get
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.response import File, Response
from litestar.response.file import ASGIFileResponse
from litestar.static_files import create_static_files_router

from server.auth.controller import AuthController, DeviceController, UserController
from server.auth.middleware import AUTH_EXCLUDE, TokenAuthMiddleware
from server.channels.worker import outbox_worker
from server.db.engine import create_engine, create_session_factory, libpq_dsn
from server.lib.deps import provide_current_user, provide_db_session, provide_session_factory, provide_settings
from server.lib.error_handlers import EXCEPTION_HANDLERS, http_error_handler
from server.lib.gc_tuning import tune_gc
from server.lib.pagination import provide_page_params
from server.lib.schema import Schema
from server.notify.rules_worker import rules_worker
from server.notify.worker import push_worker
from server.settings import Settings
from server.syncapi.tables import POKE_HUB
from sync.poke import listen_postgres

PLACEHOLDER_DIR = Path(__file__).parent / "static"

# The browser refuses a web manifest or a streamed .wasm with the wrong type; don't depend on the
# host's /etc/mime.types having them.
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("application/wasm", ".wasm")

# Vite names everything under /assets/ by content hash: a new build means new URLs, so those can
# be kept forever. Everything else (index.html, sw.js, the manifest, icons) keeps its name across
# builds and must be revalidated, or a phone would hold on to an old version. sw.js also says its
# scope may be the whole origin.
_IMMUTABLE = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"
_NOT_SHELL = ("/api/", "/schema")


def _cache_headers(static_dir: Path) -> Any:
    roots = (static_dir.resolve(), static_dir)

    async def after_request(response: ASGIFileResponse) -> ASGIFileResponse:
        parts: tuple[str, ...] = (Path(response.file_path).name,)
        for root in roots:
            with contextlib.suppress(ValueError):
                parts = Path(response.file_path).relative_to(root).parts
                break
        hashed = len(parts) > 1 and parts[0] == "assets"
        response.headers["cache-control"] = _IMMUTABLE if hashed else _REVALIDATE
        if parts == ("sw.js",):
            response.headers["service-worker-allowed"] = "/"
        return response

    return after_request


def _shell_or_not_found(static_dir: Path) -> Any:
    """A page the server has no file for: a browser navigation gets the app shell (it routes by
    itself); anything else, or a path under the API, stays a JSON 404."""

    def handler(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any] | File:
        navigating = request.headers.get("sec-fetch-mode") == "navigate" or "text/html" in request.headers.get(
            "accept", ""
        )
        if request.method == "GET" and navigating and not request.url.path.startswith(_NOT_SHELL):
            return File(
                static_dir / "index.html", content_disposition_type="inline", headers={"cache-control": _REVALIDATE}
            )
        return http_error_handler(request, exc)

    return handler


class Health(Schema):
    status: str
    database: str


@get("/api/health", operation_id="Health", tags=["meta"])
async def health(settings: Settings) -> Health:
    """Liveness for load balancers and the PWA's online check; needs no login."""
    return Health(status="ok", database="sqlite" if settings.is_sqlite else "postgresql")


def _route_handlers() -> list[Any]:
    from server.catalog import controller as catalog
    from server.channels import controller as channels
    from server.fulfilment import controller as fulfilment
    from server.fulfilment.shipping import controller as shipping
    from server.inbound import controller as inbound
    from server.notify import controller as notify
    from server.orders import controller as orders
    from server.reports import controller as reports
    from server.scanning import controller as scan_decode
    from server.scanning import resolve_controller as scan_resolve
    from server.supervision import controller as supervision
    from server.syncapi.controller import SyncController
    from server.warehouse import controller as warehouse

    return [
        health,
        AuthController,
        UserController,
        DeviceController,
        SyncController,
        *catalog.CONTROLLERS,
        *warehouse.CONTROLLERS,
        *orders.CONTROLLERS,
        *fulfilment.CONTROLLERS,
        *inbound.CONTROLLERS,
        *shipping.CONTROLLERS,
        *scan_resolve.CONTROLLERS,
        *scan_decode.CONTROLLERS,
        *channels.CONTROLLERS,
        *reports.CONTROLLERS,
        *supervision.CONTROLLERS,
        *notify.CONTROLLERS,
    ]


def create_app(settings: Settings | None = None) -> Litestar:
    """The ASGI app. Pass ``settings`` explicitly in tests; the CLI reads them from the environment."""
    settings = settings or Settings.from_env()
    tune_gc(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        engine = create_engine(
            settings.database_url, pool_size=settings.database_pool_size, echo=settings.database_echo
        )
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        listener = None
        if not settings.is_sqlite:  # pokes from every worker process reach this one's devices
            listener = asyncio.create_task(listen_postgres(libpq_dsn(settings.database_url), POKE_HUB))
        try:
            async with (
                outbox_worker(settings, app.state.session_factory),  # off with CANGKU_OUTBOX_WORKER=0
                push_worker(settings, app.state.session_factory),  # off with CANGKU_PUSH_WORKER=0
                rules_worker(settings, app.state.session_factory),  # and with CANGKU_PUSH_RULES_WORKER=0
            ):
                yield
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            await engine.dispose()

    static_dir = settings.pwa_dist if (settings.pwa_dist / "index.html").exists() else PLACEHOLDER_DIR
    return Litestar(
        route_handlers=[
            *_route_handlers(),
            create_static_files_router(
                path="/",
                directories=[static_dir],
                html_mode=True,
                name="pwa",
                include_in_schema=False,
                opt={"exclude_from_auth": True},
                after_request=_cache_headers(static_dir),  # its handlers only ever answer files
                exception_handlers={NotFoundException: _shell_or_not_found(static_dir)},
            ),
        ],
        lifespan=[lifespan],
        state=State({"settings": settings}),
        dependencies={
            "db_session": Provide(provide_db_session),
            "session_factory": Provide(provide_session_factory, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "current_user": Provide(provide_current_user, sync_to_thread=False),
            "page": Provide(provide_page_params, sync_to_thread=False),
        },
        middleware=[DefineMiddleware(TokenAuthMiddleware, exclude=AUTH_EXCLUDE)],
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=CORSConfig(allow_origins=[], allow_credentials=False),
        # A first sync of a big warehouse is 35 MB of JSON and 3 MB gzipped (bench/sync); level 6
        # is most of the gain for a fraction of level 9's CPU. The poke stream must not be buffered.
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=1024, gzip_compress_level=6, exclude=["/api/sync/poke"]
        ),
        openapi_config=OpenAPIConfig(
            title="Cangku API",
            version="0.1.0",
            description="Cangku (仓库) e-commerce ERP. Errors: {status, code, message, message_zh, field}.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        debug=False,
    )
