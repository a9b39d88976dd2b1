"""The base of every REST request body, kept outside the HTTP kit so the core's own routers
(team, bindings) share it: unknown keys refused, no JSON ``true``/``false`` read as a number,
and nothing but ``true``/``false`` read as a boolean.

Pydantic's lax mode reads ``true`` as 1 wherever an ``int`` or ``float`` is expected
(https://docs.pydantic.dev/latest/concepts/conversion_table/): a tester's ``"confidence": true``
was stored as confidence 1, ``"value": true`` moved a key result to 1, and a 360 rating ``true``
became an irreversible 1 of 5 (session 26, B-2, B-12). A boolean where a number is expected is a
422 here, at any depth of lists and maps; digits in a string are still read as the number.

The other way round, lax mode reads ``"yes"``, ``"on"``, ``"1"``, ``1`` and ``0`` as booleans:
``"auto": "yes"`` switched the award sweep on (tester s26; b4a3c5c made those two fields
``StrictBool``) and every other body's switches still took a word. A field that takes only a
boolean (``bool``, ``bool | None``) takes JSON ``true``/``false`` only, at any depth: anything
else is a 422 ``bool_type`` naming it.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

_NUMBERS = (int, float, Decimal)
_UNIONS = (Union, types.UnionType)


class RequestBody(BaseModel):
    """The base of every REST request body: an unknown key (``due`` for ``due_at``, a typo) is a
    422 naming it, not silently dropped (session 14: most bodies ignored them); a boolean where
    the field wants a number is a 422 (``number_not_bool``), not 1 or 0; anything but a boolean
    where the field wants only a boolean is a 422 (``bool_type``), not read as one."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _json_kinds_as_sent(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None:
            return value
        annotation = cls.model_fields[info.field_name].annotation
        if _boolean_where_number(annotation, value):
            raise PydanticCustomError("number_not_bool", "must be a number, not true or false")
        if _other_where_boolean(annotation, value):
            raise PydanticCustomError("bool_type", "Input should be a valid boolean")
        return value


def _boolean_where_number(annotation: Any, value: Any) -> bool:
    """True when ``value`` holds a bool at a place where ``annotation`` wants a number and no
    bool (inside lists, tuples and maps too; nested models check themselves)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _boolean_where_number(get_args(annotation)[0], value)
    if origin in _UNIONS:
        members = get_args(annotation)
        if isinstance(value, bool):
            return bool not in members and any(
                _wants_number(m) or (get_origin(m) is Literal and _boolean_where_number(m, value))
                for m in members
            )
        return any(_boolean_where_number(m, value) for m in members)
    if origin is Literal:
        # a bool is never one of a Literal's numbers (True == 1 to Python)
        choices = get_args(annotation)
        return isinstance(value, bool) and any(
            isinstance(c, _NUMBERS) and not isinstance(c, bool) for c in choices
        )
    if isinstance(value, bool):
        return _wants_number(annotation)
    return _held(_boolean_where_number, annotation, value)


def _other_where_boolean(annotation: Any, value: Any) -> bool:
    """True when ``value`` holds something other than a bool (or null) at a place where
    ``annotation`` takes only a bool (inside lists, tuples and maps too; nested models check
    themselves); a union with another type (``bool | int``) is left to pydantic."""
    if value is None:
        return False
    if only_boolean(annotation):
        return not isinstance(value, bool)
    origin = get_origin(annotation)
    if origin is Annotated:
        return _other_where_boolean(get_args(annotation)[0], value)
    if origin in _UNIONS:
        members = [m for m in get_args(annotation) if m is not type(None)]
        return len(members) == 1 and _other_where_boolean(members[0], value)
    return _held(_other_where_boolean, annotation, value)


def _held(check: Callable[[Any, Any], bool], annotation: Any, value: Any) -> bool:
    """``check(place, item)`` true of anything a list, tuple or map ``value`` holds, each item
    against the annotation of its place in ``annotation`` (``list[int]``, ``dict[str, bool]``,
    ``tuple[int, str]``, ``tuple[int, ...]``); False for anything else."""
    origin = get_origin(annotation)
    # origin is a class here for the generics that hold values (list, dict, ...); a special
    # form such as Literal is not, and issubclass() of it raised TypeError: a 500 for a list
    # or an object sent where a Literal is wanted (tester s27 B-4)
    if not isinstance(origin, type):
        return False
    args = get_args(annotation)
    if isinstance(value, Mapping) and issubclass(origin, Mapping):
        return len(args) == 2 and any(check(args[1], v) for v in value.values())
    if isinstance(value, list | tuple) and issubclass(origin, Sequence):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return any(check(a, v) for a, v in zip(args, value, strict=False))
        return bool(args) and any(check(args[0], v) for v in value)
    return False


def only_boolean(annotation: Any) -> bool:
    """``bool``, ``StrictBool``, ``Annotated[bool, ...]`` or any of them or None."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return only_boolean(get_args(annotation)[0])
    if origin in _UNIONS:
        members = [m for m in get_args(annotation) if m is not type(None)]
        return bool(members) and all(only_boolean(m) for m in members)
    return annotation is bool


def _wants_number(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        return _wants_number(get_args(annotation)[0])
    if get_origin(annotation) in _UNIONS:
        return any(_wants_number(m) for m in get_args(annotation))
    # bool is an int to Python: a bool field is not a number field
    return (
        isinstance(annotation, type) and annotation is not bool and issubclass(annotation, _NUMBERS)
    )
