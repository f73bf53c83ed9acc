"""Geometry of the process diagram: columns, boxes, ports and edge routes (no drawing).

Columns: states are read in definition order (admins write them in flow order); an arrow to
a later state is "forward", and a state's column is the longest chain of forward arrows
leading to it. Pure BFS layers were tried first: 即办 (待派单 → 已办结) pulled 已办结 next to
待派单 and tangled the main path; this keeps 待派单 → 待签收 → 处理中 → … → 已归档 in reading
order. Routing never crosses a box:
- between neighbouring columns an arrow is a smooth curve through the gap;
- any other arrow runs orthogonally: out into the gap beside its column, along its own
  lane above the rows (forward) or below them (backward), and into the target from the gap
  beside the target's column. Same-column arrows use only the gap to the right.
Each arrow attaches to its own port on the box side, so no two arrows share an end point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workflows.graph import process_transitions
from workflows.model import Process

BOX_H, ROW_GAP, TRACK, LANE = 54, 74, 8, 24


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box, pad: float = 2) -> bool:
        return not (
            self.x + self.w + pad <= other.x
            or other.x + other.w + pad <= self.x
            or self.y + self.h + pad <= other.y
            or other.y + other.h + pad <= self.y
        )


@dataclass
class Edge:
    """One arrow: the action names it stands for and, once laid out, its points."""

    source: str
    target: str
    actions: list[str]
    kind: str = ""  # loop, curve or route
    points: list[tuple[float, float]] = field(default_factory=list)
    label_at: tuple[float, float] = (0.0, 0.0)
    label_along: str = "y"  # the direction a colliding label may slide


@dataclass
class Layout:
    boxes: dict[str, Box]
    edges: list[Edge]
    columns: dict[str, int]


def group_edges(process: Process) -> list[Edge]:
    """One edge per (from, to) pair, its actions in definition order."""
    edges: dict[tuple[str, str], Edge] = {}
    for source, target, action in process_transitions(process):
        edge = edges.setdefault((source, target), Edge(source, target, []))
        if action not in edge.actions:
            edge.actions.append(action)
    return list(edges.values())


def layout(process: Process, box_w: float, gap_min: float) -> Layout:
    order = {name: i for i, name in enumerate(process.states)}
    edges = group_edges(process)
    column = dict.fromkeys(process.states, 0)
    for name in process.states:  # definition order is a topological order of forward edges
        for edge in edges:
            if edge.target == name and order[edge.source] < order[name]:
                column[name] = max(column[name], column[edge.source] + 1)
    for edge in edges:
        step = column[edge.target] - column[edge.source]
        if edge.source == edge.target:
            edge.kind = "loop"
        elif abs(step) == 1:
            edge.kind = "curve"
        else:
            edge.kind = "route"
    # Gap g lies left of column g. Count the vertical tracks each gap needs to size it.
    tracks: dict[int, int] = {}
    for edge in edges:
        if edge.kind == "route":
            for gap in _gaps(edge, column):
                tracks[gap] = tracks.get(gap, 0) + 1
    gap_w = max(gap_min, 2 * 24 + TRACK * max(tracks.values(), default=0) + 90)
    by_column: dict[int, list[str]] = {}
    for name in process.states:
        by_column.setdefault(column[name], []).append(name)
    rows = max(len(names) for names in by_column.values())
    boxes: dict[str, Box] = {}
    for col, names in by_column.items():
        offset = (rows - len(names)) * (BOX_H + ROW_GAP) / 2
        for i, name in enumerate(names):
            x = gap_w + col * (box_w + gap_w)
            boxes[name] = Box(x, offset + i * (BOX_H + ROW_GAP), box_w, BOX_H)
    _place(edges, boxes, column, rows, box_w, gap_w)
    return Layout(boxes, edges, column)


def _gaps(edge: Edge, column: dict[str, int]) -> tuple[int, ...]:
    """The gaps an orthogonal route runs through: beside the source, beside the target."""
    source, target = column[edge.source], column[edge.target]
    if source == target:
        return (source + 1,)
    if target > source:
        return (source + 1, target)
    return (source, target + 1)


def _place(
    edges: list[Edge],
    boxes: dict[str, Box],
    column: dict[str, int],
    rows: int,
    box_w: float,
    gap_w: float,
) -> None:
    rows_top = 0.0
    rows_bottom = rows * (BOX_H + ROW_GAP) - ROW_GAP
    ports = _ports(edges, boxes, column)
    used: dict[int, int] = {}
    above = below = 0
    for edge in edges:
        if edge.kind == "loop":
            a = boxes[edge.source]
            x1, x2 = a.x + a.w * 0.3, a.x + a.w * 0.7
            edge.points = [(x1, a.y), (x2, a.y)]
            edge.label_at = ((x1 + x2) / 2, a.y - 34)
            continue
        start, end = ports[(id(edge), "out")], ports[(id(edge), "in")]
        if edge.kind == "curve":
            edge.points = [start, end]
            edge.label_at = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            continue
        xs = []
        for gap in _gaps(edge, column):
            xs.append(gap * (box_w + gap_w) + 24 + TRACK * used.get(gap, 0))
            used[gap] = used.get(gap, 0) + 1
        if len(xs) == 1:
            edge.points = [start, (xs[0], start[1]), (xs[0], end[1]), end]
            edge.label_at = (xs[0], (start[1] + end[1]) / 2)
            continue
        if column[edge.target] > column[edge.source]:
            lane = rows_top - 70 - above * LANE
            above += 1
        else:
            lane = rows_bottom + 36 + below * LANE
            below += 1
        edge.points = [start, (xs[0], start[1]), (xs[0], lane), (xs[1], lane), (xs[1], end[1]), end]
        edge.label_at = ((xs[0] + xs[1]) / 2, lane)
        edge.label_along = "x"


def _ports(
    edges: list[Edge], boxes: dict[str, Box], column: dict[str, int]
) -> dict[tuple[int, str], tuple[float, float]]:
    """Spread the arrows attached to one side of a box along that side, ordered by where
    their other end lies (upper lanes at the top, lower lanes at the bottom)."""
    sides: dict[tuple[str, str], list[tuple[float, int, str]]] = {}
    for edge in edges:
        if edge.kind == "loop":
            continue
        forward = column[edge.target] > column[edge.source]
        same = column[edge.target] == column[edge.source]
        out_side = "right" if forward or same else "left"
        in_side = "left" if forward else "right"
        if edge.kind == "route" and not same:
            far = -1e9 if forward else 1e9
            out_key = in_key = far
        else:
            out_key = boxes[edge.target].y
            in_key = boxes[edge.source].y
        sides.setdefault((edge.source, out_side), []).append((out_key, id(edge), "out"))
        sides.setdefault((edge.target, in_side), []).append((in_key, id(edge), "in"))
    ports = {}
    for (name, side), items in sides.items():
        box = boxes[name]
        x = box.x + box.w if side == "right" else box.x
        items.sort(key=lambda item: item[0])
        for k, (_, key, end) in enumerate(items):
            ports[(key, end)] = (x, box.y + box.h * (k + 1) / (len(items) + 1))
    return ports
