"""The zh catalog is complete: every string of ours and every string Flask-AppBuilder's own
zh catalog lacks has a reviewed Chinese translation with the same placeholders.

A developer who adds `_("...")` without translating it gets a red test here. To fix it:
extract, update and translate (make babel-extract babel-update, then edit
translations/zh/LC_MESSAGES/messages.po), and compile with make babel-compile.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import flask_appbuilder
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "translations" / "babel.cfg"
OUR_PO = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
FAB_DIR = Path(flask_appbuilder.__file__).resolve().parent
FAB_PO = FAB_DIR / "translations" / "zh" / "LC_MESSAGES" / "messages.po"

#: The keywords of `pybabel extract -k _l -k lazy_gettext` (plus Babel's defaults).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
}
#: Flask-AppBuilder also marks strings with these.
FAB_KEYWORDS = {**KEYWORDS, "__": None, "lazy_formatter_gettext": None}
FAB_METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
FAB_OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}

#: %(name)s style placeholders, and bare %s / %d ones.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[diouxXeEfFgGcrsa]")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _extract(directory: Path, method_map, options, keywords) -> dict[str, list[str]]:
    """msgid -> ["file:line", ...] for every message found under directory."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(directory), method_map, options, keywords=keywords
    ):
        msgids = message if isinstance(message, tuple) else (message,)
        for msgid in msgids:
            if msgid:
                found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def _strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _placeholders(text: str) -> Counter[str]:
    return Counter(match.group(0) for match in PLACEHOLDER.finditer(text))


def _translated(message: Message | None) -> bool:
    return message is not None and not message.fuzzy and all(_strings(message))


@pytest.fixture(scope="module")
def ours() -> Catalog:
    return _read(OUR_PO, locale="zh")


@pytest.fixture(scope="module")
def fab_catalog() -> Catalog:
    return _read(FAB_PO, locale="zh")


def test_po_is_for_zh(ours: Catalog) -> None:
    assert str(ours.locale) == "zh", "the folder and the Language header must be zh, not zh_CN"


def test_every_entry_is_translated_and_not_fuzzy(ours: Catalog) -> None:
    bad = [
        f"{m.id!r} ({'fuzzy' if m.fuzzy else 'untranslated'})"
        for m in ours
        if m.id and not _translated(m)
    ]
    assert not bad, f"{len(bad)} entries of {OUR_PO.name} need a translation:\n" + "\n".join(bad)


def test_every_source_string_is_in_the_catalog(ours: Catalog) -> None:
    with BABEL_CFG.open() as fh:
        method_map, options = parse_mapping_cfg(fh, str(BABEL_CFG))
    found = _extract(ROOT, method_map, options, KEYWORDS)
    assert len(found) > 50, "extraction found almost nothing: is translations/babel.cfg right?"
    missing = [
        f"{msgid!r} at {', '.join(where[:3])}"
        for msgid, where in sorted(found.items())
        if not _translated(ours.get(msgid))
    ]
    assert not missing, (
        f"{len(missing)} strings of the code have no zh translation; run the babel-extract and "
        "babel-update make targets and translate them:\n" + "\n".join(missing)
    )


def test_flask_appbuilder_gaps_are_filled(ours: Catalog, fab_catalog: Catalog) -> None:
    """Strings Flask-AppBuilder's zh catalog has empty or fuzzy, or lacks although its
    templates and code use them, must be translated in ours (ours is merged over it)."""
    gaps = {m.id: "empty or fuzzy" for m in fab_catalog if m.id and not _translated(m)}
    fab_used = _extract(FAB_DIR, FAB_METHOD_MAP, FAB_OPTIONS, FAB_KEYWORDS)
    assert len(fab_used) > 100, "extraction from Flask-AppBuilder found almost nothing"
    for msgid, where in fab_used.items():
        if fab_catalog.get(msgid) is None:
            gaps[msgid] = "absent, used at " + ", ".join(w for w in where[:2])
    missing = [
        f"{msgid!r} ({why})"
        for msgid, why in sorted(gaps.items())
        if not _translated(ours.get(msgid))
    ]
    assert not missing, (
        f"{len(missing)} Flask-AppBuilder strings lack a zh translation; add them to "
        "app/fab_strings.py and translate them:\n" + "\n".join(missing)
    )


def test_placeholders_match(ours: Catalog) -> None:
    bad = []
    for m in ours:
        if not m.id or not _translated(m):
            continue
        expected = _placeholders(_ids(m)[0])
        for string in _strings(m):
            got = _placeholders(string)
            if got != expected:
                bad.append(f"{m.id!r}: {string!r}")
    assert not bad, "placeholders differ between msgid and msgstr:\n" + "\n".join(bad)


def test_flask_appbuilder_entries_are_marked(ours: Catalog) -> None:
    """Entries that exist only for Flask-AppBuilder carry a `# Flask-AppBuilder` comment."""
    fab_module = os.path.normpath("app/fab_strings.py")
    only_fab = [
        m
        for m in ours
        if m.id and m.locations and {os.path.normpath(f) for f, _ in m.locations} == {fab_module}
    ]
    assert only_fab, "app/fab_strings.py is no longer extracted into the catalog"
    unmarked = [m.id for m in only_fab if "Flask-AppBuilder" not in m.user_comments]
    assert not unmarked, "add a '# Flask-AppBuilder' translator comment to: " + ", ".join(
        map(repr, unmarked)
    )
