"""A 360 free-text answer that shows nothing (only spaces, format or control characters) is no
answer: left out, and a submission of nothing else is refused (``reviews.error.empty``)."""

from __future__ import annotations

import pytest

from teamassist.exceptions import Invalid
from teamassist.reviews.service import clean_answers

QUESTIONS = [{"key": "q1", "kind": "rating"}, {"key": "q2", "kind": "text"}]


@pytest.mark.parametrize("blank", ["\u202e\u200b", "\u3000 \u00a0", "\x07\ufeff"])
def test_an_invisible_text_answer_is_no_answer(blank: str) -> None:
    # Given a text answer of only invisible characters next to a rating, it is left out
    assert clean_answers(QUESTIONS, {"q1": "4", "q2": blank}) == {"q1": 4}
    # and alone it is refused as an empty submission
    with pytest.raises(Invalid) as refused:
        clean_answers(QUESTIONS, {"q2": blank})
    assert refused.value.key == "reviews.error.empty"
