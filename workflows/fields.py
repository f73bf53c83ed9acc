"""Custom field types (自定义字段类型): definitions checked and values coerced, as plain data.

Each type says how a raw value (from a form or JSON) becomes the stored value, and which
typed column stores it (`column`). The integration keeps values in those columns so lists,
views and reports can filter and sort with an index.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from workflows.vocabulary import Label

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAINLAND_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
TEXT_MAX = 255
LONG_MAX = 5000


@dataclass(frozen=True)
class FieldType:
    name: str
    label: Label
    column: str  # value_text | value_long | value_number | value_date | value_datetime | value_bool
    multiple: bool = False
    has_options: bool = False


FIELD_TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("text", Label("单行文本", "Single-line text"), "value_text"),
        FieldType("textarea", Label("多行文本", "Multi-line text"), "value_long"),
        FieldType("integer", Label("整数", "Integer"), "value_number"),
        FieldType("decimal", Label("小数", "Decimal"), "value_number"),
        FieldType("date", Label("日期", "Date"), "value_date"),
        FieldType("datetime", Label("日期时间", "Date and time"), "value_datetime"),
        FieldType("select", Label("单选", "Single select"), "value_text", has_options=True),
        FieldType(
            "multiselect", Label("多选", "Multi-select"), "value_text", True, has_options=True
        ),
        FieldType("checkbox", Label("勾选", "Checkbox"), "value_bool"),
        FieldType("cascade", Label("级联选择", "Cascading select"), "value_text", has_options=True),
        FieldType("phone", Label("手机/固话", "Mainland phone number"), "value_text"),
        FieldType("email", Label("电子邮箱", "Email"), "value_text"),
        FieldType("url", Label("网址", "URL"), "value_text"),
        FieldType("regex", Label("正则校验文本", "Text checked by a pattern"), "value_text"),
    )
}

#: Value error keys; the integration translates them (the regex type has its own message).
VALUE_ERRORS: dict[str, Label] = {
    "required": Label("必填", "This field is required"),
    "not_text": Label("应为文本", "Must be text"),
    "too_long": Label("内容过长", "Too long"),
    "not_an_integer": Label("应为整数", "Must be a whole number"),
    "not_a_number": Label("应为数字", "Must be a number"),
    "not_a_date": Label("日期格式应为 2026-11-23", "Must be a date like 2026-11-23"),
    "not_a_datetime": Label("日期时间格式应为 2026-11-23 09:30", "Must be like 2026-11-23 09:30"),
    "not_a_choice": Label("不是有效选项", "Not a valid choice"),
    "not_a_path": Label("请逐级选择", "Choose each level"),
    "not_a_bool": Label("应为是或否", "Must be yes or no"),
    "not_a_phone": Label(
        "不是有效的大陆手机或固话号码", "Not a mainland mobile or landline number"
    ),
    "not_an_email": Label("不是有效的电子邮箱", "Not a valid email address"),
    "not_a_url": Label("不是有效的网址（http/https）", "Not a valid http(s) URL"),
    "pattern": Label("格式不正确", "Wrong format"),
}


from workflows.field_defs import (  # noqa: E402
    FieldSpec,
    FieldValueError,
    Option,
    parse_options,
    validate_definition,
)

__all__ = [
    "FIELD_TYPES",
    "VALUE_ERRORS",
    "FieldSpec",
    "FieldType",
    "FieldValueError",
    "Option",
    "coerce",
    "option_label",
    "parse_options",
    "validate_definition",
]


def _empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())


def _choice(options: Iterable[Option], value: Any, current: Iterable[str]) -> str:
    """An option value; retired options stay valid for values the ticket already has."""
    if not isinstance(value, str):
        raise FieldValueError("not_a_choice")
    for opt in options:
        if opt.value == value and (opt.active or value in current):
            return value
    raise FieldValueError("not_a_choice")


def coerce(spec: FieldSpec, raw: Any, current: Iterable[str] = ()) -> Any:
    """The stored value for `raw`, None when empty. Raises FieldValueError(key)."""
    if _empty(raw):
        return None
    t = spec.type
    current = tuple(current)
    if t in ("text", "textarea", "regex", "email", "url", "phone"):
        if not isinstance(raw, str):
            raise FieldValueError("not_text")
        text = raw.strip()
        if len(text) > (LONG_MAX if t == "textarea" else TEXT_MAX):
            raise FieldValueError("too_long")
        if t == "regex" and not re.fullmatch(spec.pattern or "", text):
            raise FieldValueError("pattern")
        if t == "email" and not EMAIL.match(text):
            raise FieldValueError("not_an_email")
        if t == "url" and not URL.match(text):
            raise FieldValueError("not_a_url")
        if t == "phone":
            digits = re.sub(r"[\s()]", "", text).removeprefix("+86").removeprefix("0086")
            if not (MAINLAND_MOBILE.match(digits) or MAINLAND_LANDLINE.match(digits)):
                raise FieldValueError("not_a_phone")
            return digits.replace("-", "") if MAINLAND_MOBILE.match(digits) else digits
        return text
    if t == "integer":
        if isinstance(raw, bool):
            raise FieldValueError("not_an_integer")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise FieldValueError("not_an_integer") from None
        if number != number.to_integral_value():
            raise FieldValueError("not_an_integer")
        return int(number)
    if t == "decimal":
        if isinstance(raw, bool):
            raise FieldValueError("not_a_number")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise FieldValueError("not_a_number") from None
        if not number.is_finite():
            raise FieldValueError("not_a_number")
        return number
    if t == "date":
        try:
            return dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise FieldValueError("not_a_date") from None
    if t == "datetime":
        try:
            value = dt.datetime.fromisoformat(str(raw).strip().replace(" ", "T"))
        except ValueError:
            raise FieldValueError("not_a_datetime") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL_TZ)
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if t == "checkbox":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("y", "yes", "true", "1", "on", "是"):
            return True
        if text in ("n", "no", "false", "0", "off", "否"):
            return False
        raise FieldValueError("not_a_bool")
    if t == "select":
        return _choice(spec.options, raw, current)
    if t == "multiselect":
        values = raw if isinstance(raw, list | tuple) else [raw]
        chosen = [_choice(spec.options, v, current) for v in values]
        return list(dict.fromkeys(chosen)) or None
    if t == "cascade":
        parts = raw.split("/") if isinstance(raw, str) else raw
        if not isinstance(parts, list | tuple) or not parts:
            raise FieldValueError("not_a_path")
        level: Iterable[Option] = spec.options
        path = []
        for part in parts:
            node = next((o for o in level if o.value == part), None)
            if node is None or not (node.active or "/".join([*path, part]) in current):
                raise FieldValueError("not_a_choice")
            path.append(part)
            level = node.children
        if tuple(level):  # stopped before a leaf
            raise FieldValueError("not_a_path")
        return "/".join(path)
    raise FieldValueError("not_text")  # pragma: no cover - types are closed


YES_NO = (Label("是", "Yes"), Label("否", "No"))


def option_label(spec: FieldSpec, stored: Any, lang: str = "zh") -> str:
    """How a stored value reads on screen (option labels, cascade path labels)."""
    if stored is None:
        return ""
    if spec.type in ("select", "multiselect"):
        values = stored if isinstance(stored, list) else [stored]
        labels = {o.value: o.label for o in spec.options}
        return "、".join(labels.get(v, v) for v in values)
    if spec.type == "cascade":
        level: Iterable[Option] = spec.options
        out = []
        for part in str(stored).split("/"):
            node = next((o for o in level if o.value == part), None)
            out.append(node.label if node else part)
            level = node.children if node else ()
        return " / ".join(out)
    if spec.type == "checkbox":
        return (YES_NO[0] if stored else YES_NO[1]).get(lang)
    if isinstance(stored, dt.datetime):
        return stored.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    if isinstance(stored, Decimal):
        return format(stored.normalize(), "f")
    return str(stored)
