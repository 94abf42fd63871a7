"""Phones' ops that need a person, as ``sync_exception`` notifications to the supervisors.

Called by ``server.syncapi.service`` inside the push's own transaction, after the sync engine has
decided every op's outcome: a push that rolls back (a retry, the isolation re-run) takes its
notifications with it, and the re-run queues them again with its own outcomes. One notification
per op (the dedupe key is the op id), none for a replayed answer. A count held for approval
is an exception too, but the ``count_variance`` rule reports it (with the bin and SKU), so it is
not reported twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.notify.outbox import BODY_MAX, Audience, queue_notification
from server.notify.rule_kinds import RuleKind, SyncExceptionParams
from server.notify.rules import rule_for
from server.warehouse.count_variances import AWAITING_APPROVAL
from sync.wire import OpResult, OpStatus, PushRequest, PushResponse

KIND = "sync_exception"
TTL = 6 * 3600
NEEDS_A_PERSON = frozenset({OpStatus.rejected, OpStatus.applied_with_exception, OpStatus.held})
REPORTED_ELSEWHERE = frozenset({AWAITING_APPROVAL})
TITLES = {
    OpStatus.rejected: ("Sync op rejected", "同步操作被拒绝"),
    OpStatus.applied_with_exception: ("Sync op applied with an exception", "同步操作带异常执行"),
    OpStatus.held: ("Sync op held for review", "同步操作暂挂待审"),
}


def _texts(result: OpResult) -> tuple[str, str]:
    if result.message:
        return result.message, result.message_zh or result.message
    en = "; ".join(e.message for e in result.exceptions)
    zh = "；".join(e.message_zh or e.message for e in result.exceptions)
    return en or result.code, zh or result.code


def _reported_elsewhere(result: OpResult) -> bool:
    return bool(result.exceptions) and all(e.kind in REPORTED_ELSEWHERE for e in result.exceptions)


async def notify_op_outcomes(
    session: AsyncSession, request: PushRequest, response: PushResponse, *, now: datetime
) -> int:
    """Queue one notification per fresh op outcome the ``sync_exception`` rule asks for; answers how
    many. Costs nothing when every op simply applied."""
    fresh = [r for r in response.results if not r.replayed and r.status in NEEDS_A_PERSON]
    if not fresh:
        return 0
    rule = await rule_for(session, RuleKind.sync_exception, request.warehouse_id)
    if not rule.enabled or not rule.roles:
        return 0
    params: SyncExceptionParams = rule.params
    names = {op.op_id: op.name for op in request.ops}
    queued = 0
    for result in fresh:
        if result.status.value not in params.statuses or _reported_elsewhere(result):
            continue
        title_en, title_zh = TITLES[result.status]
        name = names.get(result.op_id, "")
        text_en, text_zh = _texts(result)
        await queue_notification(
            session,
            kind=KIND,
            audience=Audience(roles=rule.roles, warehouse_id=request.warehouse_id),
            title_en=f"{title_en}: {name}"[:100],
            title_zh=f"{title_zh}：{name}"[:100],
            body_en=f"Device {request.device_id}: {text_en}"[:BODY_MAX],
            body_zh=f"设备 {request.device_id}：{text_zh}"[:BODY_MAX],
            url="/#/supervisor",
            urgency=rule.urgency,
            critical=rule.critical,
            ttl=TTL,
            dedupe_key=f"{KIND}:{result.op_id}"[:128],
            now=now,
        )
        queued += 1
    return queued
