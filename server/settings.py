"""Settings, read only from ``CANGKU_*`` environment variables.

One place documents every knob (each field's docstring) so an operator never has to read code to
configure Cangku; ``cangku settings`` prints them. Settings are built explicitly and passed to
``create_app`` so tests can run two apps (SQLite and PostgreSQL) in one process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

ENV_PREFIX = "CANGKU_"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/cangku.sqlite3"


def _env(name: str, default: str) -> str:
    return os.environ.get(ENV_PREFIX + name, default)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(ENV_PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        msg = f"{ENV_PREFIX}{name} must be an integer, got {raw!r}"
        raise ValueError(msg) from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(ENV_PREFIX + name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of a Cangku process; the docstring under each field is its documentation."""

    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", DEFAULT_DATABASE_URL))
    """CANGKU_DATABASE_URL: SQLAlchemy URL. SQLite (embedded, default ``./var/cangku.sqlite3``) or
    ``postgresql+psycopg://user@host:5432/db`` for PostgreSQL."""

    database_pool_size: int = field(default_factory=lambda: _env_int("DATABASE_POOL_SIZE", 10))
    """CANGKU_DATABASE_POOL_SIZE: connections kept per process on PostgreSQL."""

    database_echo: bool = field(default_factory=lambda: _env_bool("DATABASE_ECHO", False))
    """CANGKU_DATABASE_ECHO: log every SQL statement (debugging only)."""

    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    """CANGKU_HOST: interface the server listens on (use 0.0.0.0 for phones on the LAN)."""

    port: int = field(default_factory=lambda: _env_int("PORT", 8000))
    """CANGKU_PORT: TCP port of the HTTP server."""

    demo_data: bool = field(default_factory=lambda: _env_bool("DEMO_DATA", True))
    """CANGKU_DEMO_DATA: on first start with an empty database, create the demo data set."""

    demo_password: str = field(default_factory=lambda: _env("DEMO_PASSWORD", "cangku-demo"))
    """CANGKU_DEMO_PASSWORD: password of every demo login (printed at start)."""

    token_ttl_seconds: int = field(default_factory=lambda: _env_int("TOKEN_TTL_SECONDS", 12 * 3600))
    """CANGKU_TOKEN_TTL_SECONDS: lifetime of a login token; a shift is 12 hours at most."""

    login_max_failures: int = field(default_factory=lambda: _env_int("LOGIN_MAX_FAILURES", 5))
    """CANGKU_LOGIN_MAX_FAILURES: failed logins per user name within the window before refusal."""

    login_window_seconds: int = field(default_factory=lambda: _env_int("LOGIN_WINDOW_SECONDS", 300))
    """CANGKU_LOGIN_WINDOW_SECONDS: the sliding window of the login rate limit."""

    kuaidi100_salt: str = field(default_factory=lambda: _env("KUAIDI100_SALT", ""))
    """CANGKU_KUAIDI100_SALT: the salt given when subscribing to Kuaidi100 tracking pushes; pushes
    are then refused unless signed with it (empty: pushes are not signed)."""

    outbox_worker: bool = field(default_factory=lambda: _env_bool("OUTBOX_WORKER", True))
    """CANGKU_OUTBOX_WORKER: deliver the channel outbox (shipment confirmations, stock figures) to
    the platforms from this process; ``0`` to leave it to another process or ``cangku outbox deliver``."""

    outbox_interval_seconds: int = field(default_factory=lambda: _env_int("OUTBOX_INTERVAL_SECONDS", 5))
    """CANGKU_OUTBOX_INTERVAL_SECONDS: how often the outbox worker looks for rows due."""

    stock_publish_interval_seconds: int = field(default_factory=lambda: _env_int("STOCK_PUBLISH_INTERVAL_SECONDS", 60))
    """CANGKU_STOCK_PUBLISH_INTERVAL_SECONDS: how often the worker queues every shop's changed stock
    figures (库存同步); ``0`` publishes only when asked (``POST /api/channels/{id}/stock/publish``)."""

    push_worker: bool = field(default_factory=lambda: _env_bool("PUSH_WORKER", True))
    """CANGKU_PUSH_WORKER: send Web Push notifications to the phones from this process; ``0`` to leave
    it to another process or ``cangku push deliver``."""

    push_interval_seconds: int = field(default_factory=lambda: _env_int("PUSH_INTERVAL_SECONDS", 3))
    """CANGKU_PUSH_INTERVAL_SECONDS: how often the push worker looks for notifications to send."""

    push_contact: str = field(default_factory=lambda: _env("PUSH_CONTACT", "mailto:admin@example.com"))
    """CANGKU_PUSH_CONTACT: the VAPID ``sub`` claim, a ``mailto:`` or ``https:`` address the push
    services (Google, Mozilla, Apple) may write to about this server's pushes; set a real one."""

    push_group_seconds: int = field(default_factory=lambda: _env_int("PUSH_GROUP_SECONDS", 60))
    """CANGKU_PUSH_GROUP_SECONDS: after a push of one kind to a phone, later ones of that kind wait this
    long and then go as one summary ("12 urgent orders")."""

    push_max_per_minute: int = field(default_factory=lambda: _env_int("PUSH_MAX_PER_MINUTE", 3))
    """CANGKU_PUSH_MAX_PER_MINUTE: pushes per phone per minute, all kinds together; the rest wait and are
    folded into the next summary."""

    push_rules_worker: bool = field(default_factory=lambda: _env_bool("PUSH_RULES_WORKER", True))
    """CANGKU_PUSH_RULES_WORKER: where the push worker runs, also check the time-based push rules (urgent
    orders, carrier cut-offs, low stock, expiring lots); ``0`` to leave them to another process or
    ``cangku push check-rules``."""

    push_rules_interval_seconds: int = field(default_factory=lambda: _env_int("PUSH_RULES_INTERVAL_SECONDS", 60))
    """CANGKU_PUSH_RULES_INTERVAL_SECONDS: how often the push rules are checked (stock rules at most
    every 10 minutes)."""

    gc_young_threshold: int = field(default_factory=lambda: _env_int("GC_YOUNG_THRESHOLD", 50_000))
    """CANGKU_GC_YOUNG_THRESHOLD: allocations between the garbage collector's young collections
    (Python's default is 700). Order batches make tens of thousands of short-lived ORM objects; at
    700 many survive into the old generation and trigger full collections (a third of the time of
    a 100,000-order import and processing run). ``0`` keeps Python's defaults."""

    pwa_dist: Path = field(default_factory=lambda: Path(_env("PWA_DIST", "pwa/dist")))
    """CANGKU_PWA_DIST: folder of the built PWA served at ``/``; a placeholder page if absent."""

    @property
    def is_sqlite(self) -> bool:
        """SQLite needs different locking (no row locks) and pragmas; callers ask rather than parse."""
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls) -> Settings:
        """Read the environment now (not at import time) so tests can set it first."""
        return cls()


def describe_settings() -> list[tuple[str, str, str]]:
    """(variable, current value, documentation) for ``cangku settings`` and the README."""
    docs = _field_docs()
    current = Settings.from_env()
    return [
        (ENV_PREFIX + f.name.upper(), str(getattr(current, f.name)), docs.get(f.name, "")) for f in fields(Settings)
    ]


def _field_docs() -> dict[str, str]:
    """Attribute docstrings are not kept at runtime, so read them from this file's source."""
    import ast
    import inspect
    import itertools

    tree = ast.parse(inspect.getsource(Settings))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, nxt in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
        ):
            text = " ".join(str(nxt.value.value).split())
            docs[node.target.id] = text.split(": ", 1)[1] if ": " in text else text
    return docs
