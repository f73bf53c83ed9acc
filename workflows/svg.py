"""A server-side SVG diagram of a process, for the admin's process editor.

No JavaScript and no external library, so the screen works without internet, and the same
definition always gives the same picture (svg_layout.py explains the layout). Actions between
the same two states share one arrow with their labels joined; actions that keep the state
(催办, 督办) are one loop over the box. Labels sit on white plates and slide along their
arrow until they overlap no box and no other label.
"""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape, quoteattr

from workflows.model import Process, State
from workflows.svg_layout import Box, Edge, layout
from workflows.vocabulary import CLOCKS, DEADLINE_UNITS

FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
LABEL_SIZE, EDGE_SIZE = 14, 12
WORDS = {
    "zh": {"version": "版本", "terminal": "终态", "initial": "受理后起始", "run": "计时中"},
    "en": {"version": "version", "terminal": "terminal", "initial": "start", "run": "running"},
}
STYLE = {  # (fill, stroke, dash) by kind of state
    "run": ("#eef5ff", "#3366aa", ""),
    "pause": ("#fff6e0", "#b07800", "6 4"),
    "stop": ("#eeeeee", "#666666", ""),
    "terminal": ("#d9d9d9", "#333333", ""),
}
LINE = 'fill="none" stroke="#556" stroke-width="1.3" marker-end="url(#arrow)"'


def render_svg(process: Process, lang: str = "zh") -> str:
    """The process as a standalone SVG document (UTF-8 text), labels in `lang`."""
    lang = "en" if lang.lower().startswith("en") else "zh"
    words = WORDS[lang]
    box_w = max(
        max(_width(s.label.get(lang), LABEL_SIZE), _width(_subline(s, lang), EDGE_SIZE - 1))
        for s in process.states.values()
    )
    plan = layout(process, max(110.0, box_w + 28), _longest_label(process, lang) + 60)
    placed: list[Box] = list(plan.boxes.values())
    lines, tags = [], []
    for edge in plan.edges:
        text = " / ".join(process.actions[name].label.get(lang) for name in edge.actions)
        lines.append(_line(edge, text))
        tags.append(_tag(edge, text, placed))
    # Lines count for the drawing's extent, not for label collisions.
    extent = [*placed, *(Box(x, y, 0, 0) for e in plan.edges for x, y in e.points)]
    starts = [_start(plan.boxes[name], words["initial"]) for name in process.initial_states]
    states = [_state_box(state, plan.boxes[name], lang) for name, state in process.states.items()]
    top = min(b.y for b in extent) - 30
    bottom = max(b.y + b.h for b in extent) + 40
    title = f"{process.label.get(lang)}（{words['version']} {process.version}）"
    if lang == "en":
        title = f"{process.label.get(lang)} ({words['version']} {process.version})"
    extent.append(Box(0, top - 26, _width(title, 18), 26))
    extent.append(Box(0, bottom - 14, 5 * 130, 22))
    heading = (
        f'<text x="0" y="{top - 6:.1f}" font-size="18" font-weight="bold">{escape(title)}</text>'
    )
    body = [heading, *lines, *starts, *states, *tags, _legend(0, bottom, lang)]
    return _document(title, body, extent)


def _width(text: str, size: float) -> float:
    """Estimated text width: CJK glyphs are square, Latin ones about 0.6 em."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return wide * size + (len(text) - wide) * size * 0.6


def _longest_label(process: Process, lang: str) -> float:
    """Wide enough gaps for the labels of arrows between neighbouring columns."""
    widths = [_width(a.label.get(lang), EDGE_SIZE) for a in process.actions.values()]
    return min(max(widths, default=60) * 1.6, 240)


def _subline(state: State, lang: str) -> str:
    if state.terminal:
        return WORDS[lang]["terminal"]
    parts = []
    if state.clock != "run":
        parts.append(CLOCKS[state.clock].get(lang))
    if state.deadline:
        ((unit, amount),) = state.deadline.items()
        unit_text = DEADLINE_UNITS[unit].get(lang)
        if lang == "en" and amount == 1:
            unit_text = unit_text.removesuffix("s")
        parts.append(f"≤ {amount}{'' if lang == 'zh' else ' '}{unit_text}")
    return " · ".join(parts)


def _state_box(state: State, box: Box, lang: str) -> str:
    kind = "terminal" if state.terminal else state.clock
    fill, stroke, dash = STYLE[kind]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    cx = box.x + box.w / 2
    sub = _subline(state, lang)
    parts = [
        f'<g class="state {kind}" data-state={quoteattr(state.name)}>',
        f"<title>{escape(state.label.get(lang))} ({escape(state.name)})</title>",
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h}" rx="12" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{3 if state.terminal else 1.5}"'
        f"{dash_attr}/>",
        f'<text x="{cx:.1f}" y="{box.y + (22 if sub else 32):.1f}" text-anchor="middle" '
        f'font-size="{LABEL_SIZE}" font-weight="bold">{escape(state.label.get(lang))}</text>',
    ]
    if sub:
        parts.append(
            f'<text x="{cx:.1f}" y="{box.y + 41:.1f}" text-anchor="middle" '
            f'font-size="{EDGE_SIZE - 1}" fill="#555">{escape(sub)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _line(edge: Edge, text: str) -> str:
    points = edge.points
    if edge.kind == "loop":
        (x1, y), (x2, _) = points
        top = y - 34
        d = f"M{x1:.1f},{y:.1f} C{x1 - 10:.1f},{top:.1f} {x2 + 10:.1f},{top:.1f} {x2:.1f},{y:.1f}"
    elif edge.kind == "curve":
        (x1, y1), (x2, y2) = points
        mid = (x1 + x2) / 2
        d = f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    else:
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    data = quoteattr(f"{edge.source}>{edge.target}")
    return (
        f'<g class="edge {edge.kind}" data-edge={data}><title>{escape(text)}</title>'
        f'<path d="{d}" {LINE}/></g>'
    )


def _tag(edge: Edge, text: str, placed: list[Box]) -> str:
    """A label plate at the arrow's middle, slid along it (0, -1, +1, -2, … steps) until it
    overlaps nothing placed before."""
    w, h = _width(text, EDGE_SIZE) + 8, EDGE_SIZE + 6
    x, y = edge.label_at[0] - w / 2, edge.label_at[1] - h / 2
    step_x, step_y = (w / 2 + 4, 0.0) if edge.label_along == "x" else (0.0, h + 1)
    candidate = Box(x, y, w, h)
    for step in range(1, 40):
        if not any(candidate.overlaps(other) for other in placed):
            break
        shift = (step + 1) // 2 * (1 if step % 2 == 0 else -1)
        candidate = Box(x + shift * step_x, y + shift * step_y, w, h)
    placed.append(candidate)
    return (
        f'<g class="tag"><rect x="{candidate.x:.1f}" y="{candidate.y:.1f}" width="{w:.1f}" '
        f'height="{h}" rx="3" fill="#ffffff" fill-opacity="0.92"/>'
        f'<text x="{candidate.x + w / 2:.1f}" y="{candidate.y + h - 5:.1f}" '
        f'text-anchor="middle" font-size="{EDGE_SIZE}" fill="#223">{escape(text)}</text></g>'
    )


def _start(box: Box, text: str) -> str:
    """A dot with a short arrow into the top-left corner: where new tickets begin."""
    x, y = box.x, box.y
    return (
        f'<g class="start"><title>{escape(text)}</title>'
        f'<circle cx="{x - 14:.1f}" cy="{y - 14:.1f}" r="5" fill="#333"/>'
        f'<path d="M{x - 10:.1f},{y - 10:.1f} L{x + 4:.1f},{y + 4:.1f}" {LINE}/></g>'
    )


def _legend(x: float, y: float, lang: str) -> str:
    words = WORDS[lang]
    items = [
        ("run", words["run"]),
        ("pause", CLOCKS["pause"].get(lang)),
        ("stop", CLOCKS["stop"].get(lang)),
        ("terminal", words["terminal"]),
    ]
    parts = ['<g class="legend">']
    for i, (kind, text) in enumerate(items):
        fill, stroke, dash = STYLE[kind]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        left = x + i * 130
        parts.append(
            f'<rect x="{left:.1f}" y="{y - 12:.1f}" width="28" height="18" rx="5" fill="{fill}" '
            f'stroke="{stroke}"{dash_attr}/><text x="{left + 36:.1f}" y="{y + 2:.1f}" '
            f'font-size="{EDGE_SIZE}">{escape(text)}</text>'
        )
    left = x + 4 * 130
    parts.append(
        f'<circle cx="{left + 10:.1f}" cy="{y - 3:.1f}" r="5" fill="#333"/>'
        f'<text x="{left + 24:.1f}" y="{y + 2:.1f}" font-size="{EDGE_SIZE}">'
        f"{escape(words['initial'])}</text></g>"
    )
    return "".join(parts)


def _document(title: str, body: list[str], placed: list[Box]) -> str:
    """Wrap the drawing; the viewBox is the bounding box of everything placed, padded."""
    pad = 24
    left = min(b.x for b in placed) - pad
    top = min(b.y for b in placed) - pad
    width = max(b.x + b.w for b in placed) + pad - left
    height = max(b.y + b.h for b in placed) + pad - top
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left:.0f} {top:.0f} '
            f'{width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
            f"font-family={quoteattr(FONT)}>",
            f"<title>{escape(title)}</title>",
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="#556"/></marker></defs>',
            f'<rect x="{left:.0f}" y="{top:.0f}" width="{width:.0f}" height="{height:.0f}" '
            'fill="#ffffff"/>',
            *body,
            "</svg>",
        ]
    )
