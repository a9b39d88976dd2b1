"""The comparison key of retyped free text (:func:`names.gist`) the repeat guards of 群发 and
/进展 use: blanks, width, case and closing punctuation make no difference; words do."""

from __future__ import annotations

import pytest

from teamassist.team.names import gist


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("明天下午 开会", "明天下午开会"),  # a space between Chinese words (tester F-B12)
        ("明天  下午\u3000开会。", "明天下午开会"),
        ("明天 meeting", "明天meeting"),
        ("meeting TOMORROW", "meeting tomorrow"),
        ("ｍｅｅｔｉｎｇ  tomorrow！", "meeting tomorrow"),  # full-width letters and mark
        ("推进中。", "推进中"),  # a closing mark (tester F-B13)
        ("３ 信心 ７", "3信心7"),
        ("Straße", "strasse"),
        (" 。 ", ""),
    ],
)
def test_the_same_words_however_typed_have_one_key(typed: str, key: str) -> None:
    assert gist(typed) == key


def test_other_words_keep_other_keys() -> None:
    assert gist("meeting tomorrow") != gist("meetingtomorrow")
    assert gist("明天开会") != gist("后天开会")
    assert gist("1.5") != gist("15")
