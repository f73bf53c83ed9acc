"""The server-side diagram: valid XML, the labels in the requested language, readable."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from workflows import load_process, render_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def _texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{{{NS['svg']}}}text")]


def _boxes(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    found = {}
    for group in root.iterfind(".//svg:g[@data-state]", NS):
        rect = group.find("svg:rect", NS)
        found[group.get("data-state")] = tuple(
            float(rect.get(k)) for k in ("x", "y", "width", "height")
        )
    return found


@pytest.mark.parametrize("name", ["call_center", "hotline"])
def test_parses_and_shows_every_zh_label(request, name):
    process = request.getfixturevalue(name)
    root = _parse(render_svg(process))
    assert root.tag == f"{{{NS['svg']}}}svg"
    texts = " ".join(_texts(root))
    for state in process.states.values():
        assert state.label.zh in texts
    for action in process.actions.values():
        assert action.label.zh in texts
    assert process.label.zh in texts
    assert set(_boxes(root)) == set(process.states)


def test_english_labels(call_center):
    texts = " ".join(_texts(_parse(render_svg(call_center, lang="en"))))
    assert "Pending dispatch" in texts and "Urge" in texts
    assert "待派单" not in texts


def test_terminal_and_paused_states_are_marked(call_center):
    root = _parse(render_svg(call_center))
    kinds = {
        g.get("data-state"): g.get("class") for g in root.iterfind(".//svg:g[@data-state]", NS)
    }
    assert kinds["archived"] == "state terminal"
    assert kinds["suspended"] == "state pause"
    assert kinds["resolved"] == "state stop"
    assert kinds["in_progress"] == "state run"
    assert "暂停计时" in " ".join(_texts(root))


def test_self_loops_for_actions_that_stay(call_center):
    root = _parse(render_svg(call_center))
    loops = root.findall(".//svg:g[@class='edge loop']", NS)
    titled = {loop.get("data-edge"): loop.find("svg:title", NS).text for loop in loops}
    assert titled["in_progress>in_progress"] == "催办 / 督办"
    assert titled["pending_accept>pending_accept"] == "转办 / 催办 / 督办"


@pytest.mark.parametrize("name", ["call_center", "hotline"])
def test_no_two_boxes_or_labels_overlap(request, name):
    root = _parse(render_svg(request.getfixturevalue(name)))
    rects = list(_boxes(root).values())
    for tag in root.iterfind(".//svg:g[@class='tag']/svg:rect", NS):
        rects.append(tuple(float(tag.get(k)) for k in ("x", "y", "width", "height")))
    for i, (x1, y1, w1, h1) in enumerate(rects):
        for x2, y2, w2, h2 in rects[i + 1 :]:
            apart = x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
            assert apart, ((x1, y1, w1, h1), (x2, y2, w2, h2))


def test_deterministic_and_free_of_scripts(call_center):
    svg = render_svg(call_center)
    assert svg == render_svg(call_center)
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_text_is_escaped():
    process = load_process(
        """
key: esc
version: 1
label: {zh: "A & B <流程>", en: "A & B <process>"}
states:
  new: {label: {zh: "待<处理>", en: "New & open"}}
  done: {label: {zh: "已办结 \\"完成\\"", en: Done}, terminal: true}
initial: [{to: new}]
actions:
  finish: {label: {zh: "办结 & 关闭", en: Finish}, from: new, duties: [agent], to: done}
"""
    )
    root = _parse(render_svg(process))
    texts = _texts(root)
    assert "待<处理>" in texts and "办结 & 关闭" in texts
