"""The server raises the collector's young threshold (server/lib/gc_tuning.py); 0 leaves Python's."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import replace

import pytest

from server.lib.gc_tuning import tune_gc
from server.settings import Settings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _restore_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_the_young_threshold_comes_from_the_settings() -> None:
    gc.set_threshold(700, 10, 10)
    assert tune_gc(replace(Settings(), gc_young_threshold=40_000)) == (40_000, 20, 20)
    assert gc.get_threshold() == (40_000, 20, 20)


def test_zero_keeps_the_thresholds_python_has() -> None:
    gc.set_threshold(700, 10, 10)
    assert tune_gc(replace(Settings(), gc_young_threshold=0)) == (700, 10, 10)
