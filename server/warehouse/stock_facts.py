"""Stock facts — moves, picks and the counts beside them — applied as one run (SPEC.md §5.2, §7.2).

Why one engine for several op kinds: a phone's outbox interleaves them (put away, pick, pick,
move…), so batching by op name gave runs of one or two ops, and a push cost about seven
statements per op. Every such fact follows the same steps; each kind supplies only what differs
(which bins it touches, its moves, its outcome once the source bin's on-hand is known). A single
op goes through the same code as a run of a hundred, so the two paths cannot drift apart.

Each step is one statement for the whole run, and locks are taken in one order — task lines,
tasks, bins, levels, each by id — so two pushes wait for each other instead of deadlocking:

1. every kind's ``prepare`` (picks lock and load their task lines and tasks);
2. share-lock and load every bin the run touches (counts take them exclusively);
3. plan each op (checks; ``OpRejected`` sends the push down the one-by-one path);
4. read the counts after the run's earliest event (the late-move rule);
5. post all the moves through the ledger;
6. finish each op in order, knowing its source bin's on-hand right after it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Self, cast, runtime_checkable

from server.syncapi.facts import post_facts
from server.warehouse.bin_locks import lock_bins
from server.warehouse.late_moves import Level, corrections_for, counts_since, latest_after, move_levels
from server.warehouse.ledger.models import NO_LOT
from server.warehouse.ledger.service import MoveRequest, PostedMove
from server.warehouse.ledger.stock_states import level_on_hand
from sync.registry import OpContext, Outcome
from sync.wire import RaisedException

Finish = Callable[[list[PostedMove], int, list[RaisedException]], Awaitable[Outcome]]
"""(the op's posted moves — its own first, then corrections; its source bin's on-hand right after
them; the exceptions raised so far) → the op's outcome."""


@dataclass(slots=True)
class Planned:
    moves: list[MoveRequest]
    """The op's own moves; ``moves[0]`` takes from the bin whose on-hand ``finish`` is told."""
    finish: Finish
    exceptions: list[RaisedException] = field(default_factory=list)


class StockFact(Protocol):
    """An op payload that knows how to join a run."""

    @classmethod
    async def prepare(cls, contexts: Sequence[OpContext], facts: Sequence[Self]) -> None:
        """Lock and load, for the whole run at once, the rows ``bins`` and ``plan`` need."""

    def levels(self, ctx: OpContext) -> set[Level]:
        """The levels the op's moves touch, as far as known before ``plan`` (unknown ids included:
        ``plan`` rejects them)."""

    async def plan(self, ctx: OpContext) -> Planned: ...


@runtime_checkable
class StandaloneFact(Protocol):
    """A fact with its own handler (a count) that may join a run: applied on its own, it does not
    split the run unless another op of the run touches one of its bins."""

    def levels(self, ctx: OpContext) -> set[Level]: ...

    async def apply(self, ctx: OpContext) -> Outcome: ...


@runtime_checkable
class Prepared(Protocol):
    """A payload whose rows must be locked and loaded before ``levels`` can answer (picks: the
    task line and its task, which names the destination)."""

    @classmethod
    async def prepare(cls, contexts: Sequence[OpContext], facts: Sequence[Any]) -> None: ...


async def prepare_by_kind(contexts: Sequence[OpContext], payloads: Sequence[Any]) -> None:
    """Call each kind's ``prepare`` once with all its payloads, kinds in name order (a fixed lock
    order); payloads without ``prepare`` are left alone."""
    kinds: dict[type[Prepared], tuple[list[OpContext], list[Any]]] = {}
    for ctx, payload in zip(contexts, payloads, strict=True):
        if isinstance(payload, Prepared):
            same = kinds.setdefault(type(payload), ([], []))
            same[0].append(ctx)
            same[1].append(payload)
    for kind, (kind_contexts, kind_payloads) in sorted(kinds.items(), key=lambda item: item[0].__name__):
        await kind.prepare(kind_contexts, kind_payloads)


async def apply_stock_facts(contexts: list[OpContext], facts: list[StockFact | StandaloneFact]) -> list[Outcome]:
    """The outcomes applying ``facts`` one by one in order would give, in as few statements as that
    allows.

    A standalone fact (a count) whose bins no other op of the run touches cannot see those ops nor
    be seen by them — every rule it follows is per bin (the variance threshold is the warehouse's,
    read once per push; holding a count for approval and superseding held counts touch only its
    own bin) — so it is applied first, on its own, and the rest stay one run. One that shares a bin
    splits the run there, keeping the phone's order.
    """
    await prepare_by_kind(contexts, facts)  # picks: now their destinations are known

    bins = [{level.location_id for level in fact.levels(ctx)} for ctx, fact in zip(contexts, facts, strict=True)]
    touches = Counter(bin_id for mine in bins for bin_id in mine)
    outcomes: dict[int, Outcome] = {}
    run: list[int] = []
    alone = [
        i
        for i, fact in enumerate(facts)
        if isinstance(fact, StandaloneFact) and all(touches[bin_id] == 1 for bin_id in bins[i])
    ]
    for i in alone:
        outcomes[i] = await cast(StandaloneFact, facts[i]).apply(contexts[i])
    for i, fact in enumerate(facts):
        if i in outcomes:
            continue
        if isinstance(fact, StandaloneFact):
            outcomes |= await _run(contexts, facts, run)
            run = []
            outcomes[i] = await fact.apply(contexts[i])
        else:
            run.append(i)
    outcomes |= await _run(contexts, facts, run)
    return [outcomes[i] for i in range(len(facts))]


async def _run(
    all_contexts: list[OpContext], all_facts: list[StockFact | StandaloneFact], indices: list[int]
) -> dict[int, Outcome]:
    """Facts that only move stock, together (their kinds already prepared)."""
    if not indices:
        return {}
    contexts = [all_contexts[i] for i in indices]
    facts = [cast(StockFact, all_facts[i]) for i in indices]
    first = contexts[0]
    bins = {level.location_id for ctx, fact in zip(contexts, facts, strict=True) for level in fact.levels(ctx)}
    await lock_bins(first, dict.fromkeys(bins, False))  # before reading counts: one committing now is seen
    plans = [await fact.plan(ctx) for ctx, fact in zip(contexts, facts, strict=True)]

    counts = await counts_since(first, move_levels([m for p in plans for m in p.moves]), min_event(contexts))
    requests: list[list[MoveRequest]] = []
    for ctx, plan in zip(contexts, plans, strict=True):
        latest = latest_after(counts, move_levels(plan.moves), ctx.event_time)
        corrections, raised = await corrections_for(ctx, plan.moves, latest) if latest else ([], [])
        plan.exceptions.extend(raised)
        requests.append([*plan.moves, *corrections])
    posted = await post_facts(first, [request for mine in requests for request in mine])
    groups: list[list[PostedMove]] = []
    for mine in requests:
        groups.append(posted[: len(mine)])
        posted = posted[len(mine) :]

    on_hands = await _source_on_hands(first, groups)
    outcomes = {
        i: await plan.finish(group, on_hand, plan.exceptions)
        for i, plan, group, on_hand in zip(indices, plans, groups, on_hands, strict=True)
    }
    await first.session.flush()  # the finishers' row changes (task lines) in one go
    return outcomes


def min_event(contexts: Sequence[OpContext]) -> datetime:
    return min(ctx.event_time for ctx in contexts)


def _key(location_id: int, move: PostedMove) -> tuple[int, int, int]:
    return location_id, move.sku_id, move.lot_id if move.lot_id is not None else NO_LOT


async def _source_on_hands(first: OpContext, groups: list[list[PostedMove]]) -> list[int]:
    """Each op's source on-hand right after its moves, replayed back from the run's final levels.

    The ledger answers each source level's on-hand after the whole run; undoing the run's moves
    gives the levels before it, and redoing them op by op gives each op's own figure.
    """
    session = first.session
    if any(m.replayed for group in groups for m in group):
        if len(groups) > 1:  # its effect is in the levels already, not in this run: replay cannot tell
            msg = "a move of this run was posted before; apply the ops one by one"
            raise RuntimeError(msg)
        source = groups[0][0]
        return [await level_on_hand(session, source.from_location_id, source.sku_id, source.lot_id)]

    running: dict[tuple[int, int, int], int] = {
        _key(m.from_location_id, m): m.from_on_hand for group in groups for m in group if m.from_on_hand is not None
    }
    for group in groups:  # a level the run left unchanged overall was not upserted: read it
        source = group[0]
        key = _key(source.from_location_id, source)
        if key not in running:
            running[key] = await level_on_hand(session, source.from_location_id, source.sku_id, source.lot_id)
    for group in groups:
        for m in group:  # back to the levels before the run
            for location_id, sign in ((m.from_location_id, 1), (m.to_location_id, -1)):
                if _key(location_id, m) in running:
                    running[_key(location_id, m)] += sign * m.qty
    answers: list[int] = []
    for group in groups:
        for m in group:
            for location_id, sign in ((m.from_location_id, -1), (m.to_location_id, 1)):
                if _key(location_id, m) in running:
                    running[_key(location_id, m)] += sign * m.qty
        answers.append(running[_key(group[0].from_location_id, group[0])])
    return answers
