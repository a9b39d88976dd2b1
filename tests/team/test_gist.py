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
        # invisible format characters (tester s26 B-1): direction marks, isolates, BOM, ZWSP
        ("\u200f推进中", "推进中"),
        ("推进\u200e中\u200b", "推进中"),
        ("\u2066请周五前交周报\u2069。", "请周五前交周报"),
        ("\ufeffLOGIN 页面", "login页面"),
        ("a\u200bb c", "ab c"),
    ],
)
def test_the_same_words_however_typed_have_one_key(typed: str, key: str) -> None:
    assert gist(typed) == key


def test_an_emoji_joined_by_zwj_stays_one_emoji() -> None:
    # 👨‍👩‍👧 (one family) is not 👨👩👧 (three people), as strip_invisible keeps it
    assert gist("家庭👨\u200d👩\u200d👧") != gist("家庭👨👩👧")
    assert gist("ad\u200dmin") == "admin"


def test_other_words_keep_other_keys() -> None:
    assert gist("meeting tomorrow") != gist("meetingtomorrow")
    assert gist("明天开会") != gist("后天开会")
    assert gist("1.5") != gist("15")
