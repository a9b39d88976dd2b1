"""What a value should be, in plain words, for pydantic's validation errors: Chinese first,
then English. Settings (``settings_errors``) and REST request bodies (``http.errors``) both
say it; pydantic's own text is English only and names its error types.

The error types and their ``ctx`` fields are pydantic's
(https://docs.pydantic.dev/latest/errors/validation_errors/).
"""

from __future__ import annotations

import re
from typing import Any

# pydantic's error type → (Chinese, English); ``{...}`` are taken from the error's ``ctx``.
SHOULD_BE: dict[str, tuple[str, str]] = {
    "int_parsing": ("应为整数", "must be a whole number"),
    "int_type": ("应为整数", "must be a whole number"),
    "int_from_float": ("应为整数", "must be a whole number"),
    "float_parsing": ("应为数字", "must be a number"),
    "float_type": ("应为数字", "must be a number"),
    "finite_number": ("应为有限的数字", "must be a finite number"),
    "number_not_bool": ("应为数字，不能是 true 或 false", "must be a number, not true or false"),
    "bool_parsing": ("应为 true 或 false", "must be true or false"),
    "bool_type": ("应为 true 或 false", "must be true or false"),
    "missing": ("必须提供", "is required"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "greater_than": ("应大于 {gt}", "must be greater than {gt}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "less_than": ("应小于 {lt}", "must be less than {lt}"),
    "literal_error": ("只能是 {expected}", "must be one of {expected}"),
    "enum": ("只能是 {expected}", "must be one of {expected}"),
    "string_too_short": ("至少 {min_length} 个字符", "must have at least {min_length} characters"),
    "string_too_long": ("最多 {max_length} 个字符", "must have at most {max_length} characters"),
    "too_short": ("至少 {min_length} 项", "must have at least {min_length} items"),
    "too_long": ("最多 {max_length} 项", "must have at most {max_length} items"),
    "string_pattern_mismatch": ("格式不对", "does not have the expected form"),
    "url_parsing": ("不是有效的地址", "is not a valid URL"),
    "url_scheme": ("地址应以 {expected_schemes} 开头", "must start with {expected_schemes}"),
    "dict_type": ("应为一组设置（表）", "must be a table of settings"),
    "model_type": ("应为一个对象", "must be an object"),
    "model_attributes_type": ("应为一个对象", "must be an object"),
    "list_type": ("应为列表", "must be a list"),
    "string_type": ("应为文字", "must be text"),
    "json_invalid": ("不是有效的 JSON", "is not valid JSON"),
    "date_parsing": ("应为日期，如 2026-12-09", "must be a date such as 2026-12-09"),
    "date_type": ("应为日期，如 2026-12-09", "must be a date such as 2026-12-09"),
    "datetime_parsing": (
        "应为日期时间，如 2026-12-09T18:00:00+08:00",
        "must be a date and time such as 2026-12-09T18:00:00+08:00",
    ),
    # a date with more after it (``2026-12-31T25:00``): pydantic tried it as a date too
    "datetime_from_date_parsing": (
        "应为日期时间，如 2026-12-09T18:00:00+08:00",
        "must be a date and time such as 2026-12-09T18:00:00+08:00",
    ),
    "datetime_type": (
        "应为日期时间，如 2026-12-09T18:00:00+08:00",
        "must be a date and time such as 2026-12-09T18:00:00+08:00",
    ),
}


def should_be(kind: str, ctx: dict[str, Any] | None, fallback: str) -> str:
    """``中文 / English`` for a pydantic error of type ``kind`` with its ``ctx``; ``fallback``
    (pydantic's message) for a type not listed. A ``value_error`` (our own validators) is
    shown as its validator wrote it."""
    context = {name: _plain(value) for name, value in (ctx or {}).items()}
    if kind == "value_error":
        reason = context.get("error")
        return str(reason) if reason is not None else fallback
    known = SHOULD_BE.get(kind)
    if known is None:
        return fallback
    chinese, english = known
    try:
        return f"{chinese.format(**_in_chinese(context))} / {english.format(**context)}"
    except (KeyError, IndexError):  # a ctx without the field the sentence names
        return f"{chinese.split('{')[0].strip()} / {fallback}"


# pydantic's list of choices (``ctx["expected"]`` of a Literal or an Enum): reprs joined by
# ", " and, before the last, " or " (``'a', 'b' or 'c'``); a repr may hold either of them.
_CHOICE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s,'\"]+")


def _in_chinese(context: dict[str, Any]) -> dict[str, Any]:
    """``context`` with a list of choices joined the Chinese way (``'a'、'b' 或 'c'``): the
    English "or" in the Chinese half read 「只能是 'notice' or 'bulk'」 (tester s27 C-9)."""
    expected = context.get("expected")
    if not isinstance(expected, str):
        return context
    choices = [found for found in _CHOICE.findall(expected) if found != "or"]
    if len(choices) < 2:
        return context
    joined = f"{'、'.join(choices[:-1])} 或 {choices[-1]}"
    return {**context, "expected": joined}


def _plain(value: object) -> object:
    """``0.0`` → ``0``: a bound written as a float in the model reads as the number it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value
