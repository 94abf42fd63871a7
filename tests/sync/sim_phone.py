"""A simulated phone: a client of SPEC.md written from the SPEC alone, with its outbox, retained log,
HLC, cursor, staged snapshot and local store, and the client-side faults of SYNC-ANCHORS §15.

It keeps the client's half of the invariants honest: a final result is never changed by a replay
(I1), acknowledged ops are kept for re-sending after a server restore (F5), a snapshot is staged
and never shown half-done (F15), and a page is applied idempotently (I13).
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from sync.hlc import Clock

if TYPE_CHECKING:
    from tests.sync.sim_world import FloorPlan

Client = httpx.AsyncClient
FINAL = {"applied", "applied_with_exception", "rejected", "held", "unknown"}
BATCH = 100
DRAIN_LIMIT = 200
"""Pushes after which an outbox that will not drain is a failure (a wedged queue)."""
Store = dict[tuple[str, str], dict[str, Any]]


class SimFailure(AssertionError):
    """The server broke a rule of SPEC.md, as seen from the phone."""


@dataclass
class PhoneFaults:
    """Probabilities of the client-side faults (F1, F2, F3)."""

    lose_response: float = 0.0
    duplicate_push: float = 0.0
    crash_mid_page: float = 0.0


@dataclass
class Phone:
    name: str
    device_id: str
    token: str
    floor: FloorPlan
    clock: Clock
    clock_offset: timedelta = timedelta(0)
    next_seq: int = 1
    outbox: list[dict[str, Any]] = field(default_factory=list)
    retained: list[dict[str, Any]] = field(default_factory=list)
    acked_seq: int = 0
    cursor: str | None = None
    store: Store = field(default_factory=dict)
    staged: Store | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    recorded: list[dict[str, Any]] = field(default_factory=list)
    """Every op this phone recorded, under every identity it had: what I2 says must reach the server."""
    lost: set[str] = field(default_factory=set)
    """Ops lost with the phone's storage (F14): reported to the user, excluded from I2."""
    identities: list[str] = field(default_factory=list)
    revoked: bool = False
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.identities.append(self.device_id)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    # --- recording ------------------------------------------------------------------------------

    def record(
        self,
        name: str,
        payload: dict[str, Any],
        *,
        version: int = 1,
        hlc: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """An op persisted before the UI confirms it (SPEC.md §4.1): it exists from here on."""
        wall = (at or datetime.now(UTC)) + self.clock_offset
        op = {
            "op_id": str(uuid.uuid4()),
            "seq": self.next_seq,
            "name": name,
            "version": version,
            "payload": payload,
            "hlc": hlc or self.clock.now(wall).format(),
            "wall_time": wall.isoformat(),
            "device_id": self.device_id,
        }
        self.next_seq += 1
        self.outbox.append(op)
        self.recorded.append(op)
        return op

    # --- push (SPEC.md §5) ----------------------------------------------------------------------

    def _body(self, ops: list[dict[str, Any]]) -> dict[str, Any]:
        wire = [{k: v for k, v in op.items() if k != "device_id"} for op in ops]
        return {
            "protocol": 1,
            "device_id": self.device_id,
            "warehouse_id": self.floor.warehouse_id,
            "client_version": "sim",
            "ops": wire,
        }

    async def push_all(
        self, client: Client, rng: random.Random, faults: PhoneFaults, *, max_batches: int | None = None
    ) -> None:
        """Push the outbox in batches until it is empty or the server says stop (§5.8); with
        ``max_batches``, stop after that many pushes (progress in steps) instead of failing."""
        for _attempt in range(max_batches or DRAIN_LIMIT):
            if not self.outbox:
                return
            batch = self.outbox[:BATCH]
            body = self._body(batch)
            if rng.random() < faults.duplicate_push:  # F2: two tabs send the same batch at once
                first, second = await asyncio.gather(
                    client.post("/api/sync/push", json=body, headers=self.headers),
                    client.post("/api/sync/push", json=body, headers=self.headers),
                )
                if first.status_code == second.status_code == 200:
                    a, b = first.json()["results"], second.json()["results"]
                    if [(r["op_id"], r["status"], r.get("code")) for r in a] != [
                        (r["op_id"], r["status"], r.get("code")) for r in b
                    ]:
                        raise SimFailure(f"{self.name}: concurrent duplicate pushes disagree: {a} vs {b}")
                response = second
            else:
                response = await client.post("/api/sync/push", json=body, headers=self.headers)
            if response.status_code == 200 and rng.random() < faults.lose_response:
                self.log.append(f"lost the response of a push of {len(batch)} ops")
                continue  # F1: committed, but the phone never heard; it sends the same batch again
            if not await self._handle_push(response, batch):
                return
        if max_batches is None:
            raise SimFailure(f"{self.name}: the outbox did not drain in {DRAIN_LIMIT} pushes ({len(self.outbox)} left)")

    async def _handle_push(self, response: Any, batch: list[dict[str, Any]]) -> bool:
        """Apply the answer; ``False`` means stop pushing for now."""
        status = response.status_code
        if status == 200:
            body = response.json()
            for result in body["results"]:
                self._final(result)
            done = body.get("last_applied_seq", 0)
            if done < batch[-1]["seq"]:
                raise SimFailure(f"{self.name}: last_applied_seq {done} below the batch's last seq")
            self.acked_seq = max(self.acked_seq, done)
            self.retained.extend(op for op in self.outbox if op["seq"] <= done)
            self.outbox = [op for op in self.outbox if op["seq"] > done]
            return True
        code = response.json().get("code")
        if status == 409 and code == "sequence_gap":  # §5.4: the server lost ops (a restore): resend
            self._resend_from(int(response.json()["detail"]["resend_from"]))
            return True
        if status == 500:  # F4: the server crashed before committing; retry the same batch
            self.log.append("push failed with 500; retrying")
            return True
        if status == 401 and self.revoked:
            return False
        raise SimFailure(f"{self.name}: push answered {status}: {response.text}")

    def _final(self, result: dict[str, Any]) -> None:
        if result["status"] not in FINAL:
            raise SimFailure(f"{self.name}: unknown status {result['status']}")
        earlier = self.results.get(result["op_id"])
        if earlier is not None and (earlier["status"], earlier.get("code")) != (result["status"], result.get("code")):
            raise SimFailure(f"{self.name}: op {result['op_id']} answered {earlier} then {result} (I1)")
        self.results.setdefault(result["op_id"], result)

    def _resend_from(self, seq: int) -> None:
        again = [op for op in self.retained if op["seq"] >= seq]
        for op in again:  # the server lost these outcomes with its data: they will be decided anew
            self.results.pop(op["op_id"], None)
        self.retained = [op for op in self.retained if op["seq"] < seq]
        self.outbox = sorted(again + self.outbox, key=lambda op: op["seq"])
        self.log.append(f"server asked to resend from {seq} ({len(again)} ops)")
        if self.outbox and self.outbox[0]["seq"] != seq:
            raise SimFailure(
                f"{self.name}: asked to resend from {seq}, but the retained log starts at {self.outbox[0]['seq']}"
            )

    # --- pull (SPEC.md §6) ----------------------------------------------------------------------

    async def pull_all(
        self, client: Client, rng: random.Random, faults: PhoneFaults, *, limit: int = 1000, max_pages: int = 1000
    ) -> bool:
        """Pull until ``has_more`` is false; ``False`` if a crash or the page budget interrupted it."""
        for _ in range(max_pages):
            body = {
                "protocol": 1,
                "device_id": self.device_id,
                "warehouse_id": self.floor.warehouse_id,
                "cursor": self.cursor,
                "limit": limit,
                "acked_seq": self.acked_seq,
            }
            response = await client.post("/api/sync/pull", json=body, headers=self.headers)
            if response.status_code == 401 and self.revoked:
                return False
            if response.status_code != 200:
                raise SimFailure(f"{self.name}: pull answered {response.status_code}: {response.text}")
            page = response.json()
            if page.get("last_applied_seq", 0) < self.acked_seq and page.get("resend_from") is None:
                raise SimFailure(f"{self.name}: the server forgot acknowledged ops without resend_from (§6.2)")
            if page.get("resend_from") is not None:
                self._resend_from(int(page.get("resend_from")))
            if page.get("reset") or (page.get("snapshot") and self.staged is None):
                self.staged = {}
            target = self.staged if page.get("snapshot") else self.store
            assert target is not None
            changes = page.get("changes", [])
            if changes and rng.random() < faults.crash_mid_page:
                # F3: killed mid-apply. The page and its cursor are one local transaction (SPEC.md
                # §6.2), so the half-applied page is rolled back; the cursor stays where it was.
                before = dict(target)
                apply_changes(target, changes[: len(changes) // 2])
                target.clear()
                target.update(before)
                self.log.append("crashed while applying a pull page")
                return False
            apply_changes(target, changes)
            if changes and rng.random() < faults.crash_mid_page:
                apply_changes(target, changes)  # I13: a page delivered twice changes nothing more
            if page.get("snapshot_complete"):
                assert self.staged is not None
                self.store, self.staged = self.staged, None
            self.cursor = page["cursor"]
            if not page.get("has_more"):
                return True
        return False  # out of range before the last page: the cursor keeps its place

    def wipe(self) -> list[dict[str, Any]]:
        """F14: storage evicted. Everything local is gone; answers the ops lost with it."""
        lost = list(self.outbox)
        self.lost.update(op["op_id"] for op in lost)
        self.outbox, self.retained, self.store, self.staged, self.cursor = [], [], {}, None, None
        self.clock = Clock(self.clock.node)
        return lost

    def adopt(self, device_id: str, token: str) -> None:
        """Registered again as a new device (SPEC.md §9.4): new id, numbering from 1."""
        self.device_id, self.token, self.next_seq, self.acked_seq = device_id, token, 1, 0
        self.clock = Clock(device_id[:8])
        self.identities.append(device_id)


def apply_changes(store: Store, changes: list[dict[str, Any]]) -> None:
    for change in changes:
        key = (change["entity"], change["key"])
        if change["op"] == "put":
            store[key] = change["data"]
        else:
            store.pop(key, None)
