"""Settings that do not validate, said in plain words: one line per bad key, Chinese first.

pydantic's own message is English and names pydantic's error types and a documentation link
(``Input should be a valid integer, unable to parse string as an integer [type=int_parsing]``);
an operator needs the key, the environment variable that sets it, and what it should be.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

ENV_PREFIX = "TEAMASSIST_"  # Settings.model_config: env_prefix, env_nested_delimiter "__"

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) → what
# the value should be; ``{...}`` are taken from the error's ``ctx``.
_SHOULD_BE: dict[str, tuple[str, str]] = {
    "int_parsing": ("应为整数", "must be a whole number"),
    "int_type": ("应为整数", "must be a whole number"),
    "int_from_float": ("应为整数", "must be a whole number"),
    "float_parsing": ("应为数字", "must be a number"),
    "float_type": ("应为数字", "must be a number"),
    "bool_parsing": ("应为 true 或 false", "must be true or false"),
    "bool_type": ("应为 true 或 false", "must be true or false"),
    "missing": ("必须设置", "must be set"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "greater_than": ("应大于 {gt}", "must be greater than {gt}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "less_than": ("应小于 {lt}", "must be less than {lt}"),
    "literal_error": ("只能是 {expected}", "must be one of {expected}"),
    "enum": ("只能是 {expected}", "must be one of {expected}"),
    "string_too_short": ("至少 {min_length} 个字符", "must have at least {min_length} characters"),
    "string_too_long": ("最多 {max_length} 个字符", "must have at most {max_length} characters"),
    "url_parsing": ("不是有效的地址", "is not a valid URL"),
    "url_scheme": ("地址应以 {expected_schemes} 开头", "must start with {expected_schemes}"),
    "dict_type": ("应为一组设置（表）", "must be a table of settings"),
    "list_type": ("应为列表", "must be a list"),
    "string_type": ("应为文字", "must be text"),
}


def explain(exc: ValidationError) -> str:
    """One line per error of ``exc``: ``- web.port（TEAMASSIST_WEB__PORT）：应为整数 / must be a
    whole number``. Our own validators' messages (``value_error``) are shown as written; an error
    type not listed keeps pydantic's message."""
    return "\n".join(_line(error) for error in exc.errors(include_url=False))


def _line(error: ErrorDetails) -> str:
    loc = [str(part) for part in error["loc"]]
    key = ".".join(loc) or "(settings)"
    env = ENV_PREFIX + "__".join(part.upper() for part in loc) if loc else ""
    where = f"{key}（{env}）" if env else key
    return f"- {where}：{_should_be(error)}"


def _should_be(error: ErrorDetails) -> str:
    ctx: dict[str, Any] = {name: _plain(value) for name, value in (error.get("ctx") or {}).items()}
    if error["type"] == "value_error":
        reason = ctx.get("error")
        return str(reason) if reason is not None else error["msg"]
    known = _SHOULD_BE.get(error["type"])
    if known is None:
        return error["msg"]
    chinese, english = known
    try:
        return f"{chinese.format(**ctx)} / {english.format(**ctx)}"
    except (KeyError, IndexError):  # a ctx without the field the sentence names
        return f"{chinese.split('{')[0].strip()} / {error['msg']}"


def _plain(value: object) -> object:
    """``0.0`` → ``0``: a bound written as a float in the model reads as the number it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value
