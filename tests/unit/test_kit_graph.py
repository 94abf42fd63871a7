"""Kit cycle detection on small graphs (no database)."""

from __future__ import annotations

import pytest

from server.catalog.services.kit_graph import find_cycle

pytestmark = pytest.mark.unit


def test_kit_containing_itself_is_a_cycle() -> None:
    assert find_cycle(1, [2, 1], {}) == [1, 1]


def test_plain_components_make_no_cycle() -> None:
    assert find_cycle(1, [2, 3], {4: [2]}) is None


def test_nested_kit_without_loop_is_allowed() -> None:
    assert find_cycle(1, [2], {2: [3, 4], 3: [5]}) is None


def test_two_step_cycle_is_found_with_its_path() -> None:
    assert find_cycle(1, [2], {2: [1]}) == [1, 2, 1]


def test_deep_cycle_gives_the_shortest_path() -> None:
    children = {2: [3, 9], 3: [4], 4: [1], 9: [1]}
    assert find_cycle(1, [2], children) == [1, 2, 9, 1]


def test_old_edges_of_the_kit_itself_are_ignored() -> None:
    # 1 → 2 → 3 exists today, but 1's old list is replaced: only the new edge 1 → 3 counts, and 3 has no children.
    assert find_cycle(1, [3], {1: [2], 2: [3]}) is None


def test_shared_components_are_not_a_cycle() -> None:
    assert find_cycle(1, [2, 3], {2: [4], 3: [4], 4: [5]}) is None
