"""Cycle detection for kits (组合装) whose components may themselves be kits.

A kit that (through other kits) contains itself would explode forever when an order for it is
turned into picks, so setting components that close a loop is refused. The graph is given as a
mapping so the rule can be tested without a database; the service loads only the part reachable
from the proposed components.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping


def find_cycle(kit_id: int, component_ids: Iterable[int], children: Mapping[int, Iterable[int]]) -> list[int] | None:
    """The shortest path ``[kit_id, c, …, kit_id]`` the new components would create, or ``None``.

    ``children`` holds the existing edges kit → component; the kit's own old edges are ignored
    because the new list replaces them.
    """
    parent: dict[int, int] = {}
    queue: deque[int] = deque()
    for component in component_ids:
        if component == kit_id:
            return [kit_id, kit_id]
        if component not in parent:
            parent[component] = kit_id
            queue.append(component)
    while queue:
        node = queue.popleft()
        for child in children.get(node, ()):
            if child == kit_id:
                back = [node]
                while parent[back[-1]] != kit_id:
                    back.append(parent[back[-1]])
                return [kit_id, *reversed(back), kit_id]
            if child not in parent:
                parent[child] = node
                queue.append(child)
    return None
