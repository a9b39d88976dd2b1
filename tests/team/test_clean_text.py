"""The one cleaning of free text the people domains take (:func:`names.clean_text`): text that
shows nothing (only spaces, Cc controls, Cf format characters and letters that draw nothing,
such as the Hangul filler) is ``""``, so the caller
refuses it; visible text is kept as typed, trimmed."""

from __future__ import annotations

import pytest

from teamassist.team.names import clean_text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u202e\u200b",  # right-to-left override, zero-width space (Cf)
        "\u3000\u00a0\u2003",  # ideographic, no-break and em spaces (Zs)
        "\x07\t\n\x1b",  # controls (Cc)
        " \ufeff\u2066\u200d ",  # byte-order mark, isolate, zero-width joiner (Cf)
        # letters that draw nothing (a tester's `/销项 @zhangsan \u3164 2026-12-10` made an item)
        "\u3164",  # HANGUL FILLER
        "\u115f\u1160\uffa0",  # Hangul choseong / jungseong / halfwidth fillers
        "\u2800",  # BRAILLE PATTERN BLANK
        "\ufe0f\ufe00",  # variation selectors 16 and 1
        "\U000e0100",  # variation selector 17
        "\u034f",  # COMBINING GRAPHEME JOINER
        "\u17b4\u17b5",  # Khmer inherent vowels
        " \u3164 \u2800\u200b ",  # mixed with spaces and format characters
    ],
)
def test_text_that_shows_nothing_is_empty(text: str) -> None:
    assert clean_text(text) == ""


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Q1规划", "Q1规划"),
        ("  Q1 规划\u3000", "Q1 规划"),
        ("\u200bQ1", "\u200bQ1"),  # visible text is kept as typed
        ("·", "·"),
        ("\u3164完成", "\u3164完成"),  # a filler beside visible words stays as typed
        ("❤\ufe0f", "❤\ufe0f"),  # an emoji with its variation selector
    ],
)
def test_visible_text_is_kept_trimmed(text: str, kept: str) -> None:
    assert clean_text(text) == kept
