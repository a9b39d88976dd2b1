"""A value's allowed choices said in plain words (pydantic's Literal and Enum errors): the
Chinese half joins them the Chinese way, not with pydantic's English "or" (tester s27 C-9:
「只能是 'notice' or 'bulk'」)."""

from __future__ import annotations

import enum
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ValidationError

from teamassist.validation_words import should_be


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Body(BaseModel):
    kind: Literal["notice", "bulk"] = "notice"
    mixed: Literal["a or b", "c, d", 1] = 1
    colour: Colour = Colour.RED
    only: Literal["one"] = "one"


def _said(**values: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        Body(**values)
    [error] = refused.value.errors()
    return should_be(error["type"], error.get("ctx"), error["msg"])


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"kind": "x"}, "只能是 'notice' 或 'bulk' / must be one of 'notice' or 'bulk'"),
        # choices holding ", " or " or " themselves stay whole
        (
            {"mixed": "x"},
            "只能是 'a or b'、'c, d' 或 1 / must be one of 'a or b', 'c, d' or 1",
        ),
        (
            {"colour": "pink"},
            "只能是 'red'、'green' 或 'blue' / must be one of 'red', 'green' or 'blue'",
        ),
        ({"only": "two"}, "只能是 'one' / must be one of 'one'"),
    ],
)
def test_choices_are_joined_in_each_half_s_own_words(values: dict[str, Any], said: str) -> None:
    assert _said(**values) == said
