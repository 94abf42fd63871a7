"""A background loop in the app's lifespan: one pass every ``every`` seconds until stopped.

The channel outbox and the push outbox are drained the same way: a pass that fails (a database
hiccup) is logged and tried again next time, ``passes`` counts finished passes for tests and
health checks, and ``stop()`` lets a pass in flight finish within a grace period before cancelling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

STOP_GRACE = 10.0


class PeriodicWorker:
    """``start()`` it once; ``await stop()`` at shutdown. Subclasses implement ``_pass``."""

    def __init__(self, *, name: str, every: float, log: logging.Logger) -> None:
        self.name = name
        self.every = every
        self.passes = 0
        """Completed loop passes, for tests and health checks."""
        self._log = log
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _pass(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"cangku-{self.name}")

    async def stop(self, grace: float = STOP_GRACE) -> None:
        self._stopping.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._pass()
            except Exception:  # a database hiccup: log it, try again next pass
                self._log.exception("%s pass failed; trying again in %s s", self.name, self.every)
            self.passes += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.every)
