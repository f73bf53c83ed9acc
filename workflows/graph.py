"""Graph questions about a process: reachability, dead ends, BFS layers.

They work on plain (from, to) pairs rather than on a Process so the loader can ask them
before the Process exists (and even while other parts of the definition are broken), and the
diagram can reuse the same layering.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from workflows.model import Process, State


def layers(initial: Iterable[str], transitions: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Distance of every reachable state from the nearest initial state (BFS)."""
    following: dict[str, list[str]] = {}
    for source, target in transitions:
        following.setdefault(source, []).append(target)
    depth = {name: 0 for name in initial}
    queue = deque(depth)
    while queue:
        current = queue.popleft()
        for target in following.get(current, ()):
            if target not in depth:
                depth[target] = depth[current] + 1
                queue.append(target)
    return depth


def unreachable(
    states: Iterable[str], initial: Iterable[str], transitions: Iterable[tuple[str, str]]
) -> list[str]:
    """States no ticket can ever be in: usually a typo in a `to:` or a forgotten action."""
    reached = layers(initial, transitions)
    return [name for name in states if name not in reached]


def dead_ends(states: Mapping[str, State], transitions: Iterable[tuple[str, str]]) -> list[str]:
    """Non-terminal states with no action leading elsewhere: a ticket would be stuck there.
    Self-loops (催办, 督办) do not count as a way out."""
    leaving = {source for source, target in transitions if source != target}
    return [name for name, state in states.items() if not state.terminal and name not in leaving]


def process_transitions(process: Process) -> list[tuple[str, str, str]]:
    """(from, to, action) for every way an action can move a ticket, in definition order."""
    found = []
    for action in process.actions.values():
        for source in action.from_states:
            for target in action.targets(source):
                found.append((source, target, action.name))
    return found
