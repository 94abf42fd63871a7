"""The ``cangku`` command: run the product, manage the schema, verify the ledger.

cangku run            migrate, load demo data on first start, serve API + PWA
cangku db upgrade     apply migrations (also done by ``run``)
cangku db current     show the applied revision
cangku ledger verify  recompute every stock level from the moves; exit 1 on any difference
cangku demo-data      load the demo data set into an empty database
cangku outbox deliver send the channel outbox rows due now, once (the app's worker does it every few seconds)
cangku outbox publish queue every shop's changed stock figures, once
cangku push deliver   send the Web Push notifications due now, once (the app's push worker does it every few seconds)
cangku push key       print the VAPID public key (made on first use)
cangku push reset-key --yes  forget a damaged VAPID key and every subscription (phones must subscribe again)
cangku push check-rules  check the time-based push rules once (urgent orders, low stock, expiring lots)
cangku settings       list every CANGKU_* variable with its value and meaning
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from server.settings import Settings, describe_settings


def _print(message: str) -> None:
    print(message, flush=True)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from server.db import migrate

    if args.action == "upgrade":
        migrate.upgrade(settings.database_url, args.revision)
        _print(f"database at revision {asyncio.run(migrate.current_revision(settings.database_url))}")
    elif args.action == "downgrade":
        migrate.downgrade(settings.database_url, args.revision)
    elif args.action == "current":
        current = asyncio.run(migrate.current_revision(settings.database_url))
        head = migrate.head_revision()
        _print(f"current: {current or '(empty database)'}  head: {head}")
        return 0 if current == head else 1
    return 0


async def _verify(settings: Settings) -> int:
    from server.db.engine import create_engine, create_session_factory
    from server.warehouse.ledger.verify import verify_ledger

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            report = await verify_ledger(session)
    finally:
        await engine.dispose()
    _print(
        f"checked {report.levels_checked} stock levels against {report.moves_counted} moves: "
        f"{len(report.differences)} differences"
    )
    for diff in report.differences[:50]:
        _print(
            f"  location {diff.location_id} sku {diff.sku_id} lot {diff.lot_key}: "
            f"level says {diff.recorded_on_hand}, moves say {diff.expected_on_hand}"
        )
    return 0 if report.ok else 1


async def _load_demo(settings: Settings, *, only_if_empty: bool) -> bool:
    from server.db.engine import create_engine, create_session_factory
    from server.demo import has_any_users, load_demo_data

    engine = create_engine(settings.database_url)
    try:
        factory = create_session_factory(engine)
        async with factory() as session:
            if await has_any_users(session):
                if not only_if_empty:
                    _print("the database already has users; demo data is only loaded into an empty database")
                return False
        _print("loading demo data (first start) / 正在加载演示数据 …")
        summary = await load_demo_data(factory, settings, progress=lambda msg: _print(f"  {msg}"))
        _print(
            f"  done: {summary.warehouses} warehouses, {summary.bins} bins, {summary.skus} SKUs, "
            f"{summary.barcodes} barcodes, {summary.lots} lots, {summary.moves} stock moves"
        )
        return True
    finally:
        await engine.dispose()


async def _outbox(action: str, settings: Settings) -> int:
    """One pass of what the app's outbox worker does, for cron, a worker-less deployment or a person
    watching. Exit 1 if a row died in this pass."""
    from server.channels.senders.registry import ChannelDispatcher, http_client
    from server.channels.worker import OutboxWorker, publish_all
    from server.db.engine import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        factory = create_session_factory(engine)
        if action == "publish":
            reports = await publish_all(factory)
            queued = sum(len(r.queued) for r in reports)
            _print(f"{len(reports)} channels published: {queued} stock figures queued")
            return 0
        async with http_client() as http:
            report = await OutboxWorker(factory, ChannelDispatcher(factory, http)).drain()
        _print(f"sent {len(report.sent)}, retrying later {len(report.retrying)}, dead {len(report.dead)}")
        for row_id in report.dead:
            _print(f"  row {row_id} is dead: see GET /api/channels/{{id}}/outbox?status=dead")
        return 1 if report.dead else 0
    finally:
        await engine.dispose()


async def _push(args: argparse.Namespace, settings: Settings) -> int:
    """One pass of the push worker, the key, or a deliberate key reset. Exit 1 if a message died,
    2 if the stored key is unreadable."""
    from server.db.engine import create_engine, create_session_factory
    from server.notify.vapid import VapidKeyUnreadable, load_or_create_key, reset_key
    from server.notify.worker import PushWorker, limits_of, web_push_transport

    engine = create_engine(settings.database_url)
    try:
        factory = create_session_factory(engine)
        if args.action == "check-rules":
            from server.notify.rules_worker import RulesWorker

            rules = await RulesWorker(factory).run_once()
            _print(
                f"queued {rules.urgent_orders} urgent orders, {rules.cut_offs} carrier cut-offs, "
                f"{rules.low_stock} low stock, {rules.expiring_lots} expiring lots"
            )
            return 0
        if args.action == "reset-key":
            if not args.yes:
                _print("this forgets the VAPID key and every push subscription; run again with --yes")
                return 2
            _print(
                f"VAPID key forgotten, {await reset_key(factory)} subscriptions dropped; a new key is made on next use"
            )
            return 0
        try:
            if args.action == "key":
                _print((await load_or_create_key(factory)).application_server_key)
                return 0
            async with web_push_transport(settings, factory) as transport:
                report = await PushWorker(factory, transport, limits=limits_of(settings)).drain()
        except VapidKeyUnreadable as exc:
            _print(f"error: {exc.message}")
            return 2
        done = report.delivery
        _print(
            f"fanned out {report.fanned_out}, composed {len(report.composed)}, sent {len(done.sent)}, "
            f"retrying later {len(done.retrying)}, dead {len(done.dead)}, subscriptions gone {len(done.gone)}"
        )
        return 1 if done.dead else 0
    finally:
        await engine.dispose()


def _print_logins(settings: Settings) -> None:
    url = f"http://{'localhost' if settings.host in {'0.0.0.0', '127.0.0.1'} else settings.host}:{settings.port}"  # noqa: S104
    _print("")
    _print(f"Cangku 仓库 is running at {url}   (API docs: {url}/schema)")
    _print(f"Demo logins 演示账号 (password 密码: {settings.demo_password}):")
    from server.demo import DEMO_LOGINS

    for username, roles, scope in DEMO_LOGINS:
        _print(f"  {username:<12} {roles:<28} {scope}")
    _print("")


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.db import migrate

    _print(f"database: {settings.database_url}")
    migrate.upgrade(settings.database_url)
    if settings.demo_data and not args.no_demo:
        asyncio.run(_load_demo(settings, only_if_empty=True))
        _print_logins(settings)
    from server.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0


def cmd_settings(_: argparse.Namespace, __: Settings) -> int:
    for name, value, doc in describe_settings():
        _print(f"{name}={value}\n    {doc}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cangku", description="Cangku (仓库) e-commerce ERP")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="migrate, load demo data on first start, serve API + PWA")
    run.add_argument("--no-demo", action="store_true", help="do not load demo data")
    run.set_defaults(handler=cmd_run)

    db = sub.add_parser("db", help="database schema (Alembic migrations)")
    db.add_argument("action", choices=["upgrade", "downgrade", "current"])
    db.add_argument("revision", nargs="?", default="head")
    db.set_defaults(handler=cmd_db)

    ledger = sub.add_parser("ledger", help="stock ledger tools")
    ledger.add_argument("action", choices=["verify"])
    ledger.set_defaults(handler=lambda _a, s: asyncio.run(_verify(s)))

    demo = sub.add_parser("demo-data", help="load the demo data set into an empty database")
    demo.set_defaults(handler=lambda _a, s: 0 if asyncio.run(_load_demo(s, only_if_empty=False)) else 1)

    outbox = sub.add_parser("outbox", help="the channel outbox (platform calls)")
    outbox.add_argument("action", choices=["deliver", "publish"])
    outbox.set_defaults(handler=lambda a, s: asyncio.run(_outbox(a.action, s)))

    push = sub.add_parser("push", help="Web Push notifications")
    push.add_argument("action", choices=["deliver", "key", "reset-key", "check-rules"])
    push.add_argument("--yes", action="store_true", help="confirm reset-key")
    push.set_defaults(handler=lambda a, s: asyncio.run(_push(a, s)))

    sub.add_parser("settings", help="list every CANGKU_* setting").set_defaults(handler=cmd_settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        _print(f"error: {exc}")
        return 2
    result: int = args.handler(args, settings)
    return result


if __name__ == "__main__":
    sys.exit(main())
