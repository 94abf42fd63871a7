"""The seeded floor simulation (issue 3 §9): ≥ 20 phones, faults F1–F17, invariants I1–I14,
on SQLite and PostgreSQL.

``CANGKU_SIM_SEEDS`` chooses the seeds: a count (``40``: seeds 1–40) or a list (``7,19``). A failure
prints the command that replays its seed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Backend
from tests.sync.simulation import SimConfig, run_seed

pytestmark = pytest.mark.xdist_group("simulation")


def _seeds() -> list[int]:
    raw = os.environ.get("CANGKU_SIM_SEEDS", "6")
    if "," in raw or raw.startswith("="):
        return [int(part) for part in raw.strip("=").split(",") if part]
    return list(range(1, int(raw) + 1))


@pytest.mark.parametrize("seed", _seeds(), ids=lambda seed: f"seed{seed}")
async def test_floor_simulation(seed: int, backend: Backend, sim_template: str, tmp_path: Path) -> None:
    try:
        report = await run_seed(seed, backend.name, sim_template, tmp_path, SimConfig())
    except AssertionError as exc:
        replay = (
            f"CANGKU_SIM_SEEDS=,{seed} CANGKU_TEST_BACKENDS={backend.name} "
            ".venv/bin/pytest tests/sync/test_simulation.py"
        )
        raise AssertionError(f"{exc}\n\nreplay this seed: {replay}") from exc
    assert report.ops > 200, report
    assert report.statuses.get("rejected", 0) > 0  # the poison ops were recorded, not lost
