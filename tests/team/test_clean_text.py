"""The one cleaning of free text the people domains take (:func:`names.clean_text`): text that
shows nothing (only Zs spaces, Cc controls, Cf format characters) is ``""``, so the caller
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
    ],
)
def test_visible_text_is_kept_trimmed(text: str, kept: str) -> None:
    assert clean_text(text) == kept
