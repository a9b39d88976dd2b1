"""Lines of plain words become HTML without the Markdown parser, exactly as the parser makes
them (issue 9: the parser was 6 % of a /问题反馈's CPU for its receipt's two lines)."""

from __future__ import annotations

import random

import pytest

from teamassist import markdown

# Characters and pieces that come close to markup: list and heading marks, quotes, spaces of
# every kind, a link the parser does not make, blank lines.
PIECES = [
    *"ab 中文，。：「」@/=-+.)(\"'1234567890\n\u3000\u00a0\u2028\x0c\x0b%$^?{};,:",
    *("\n\n", "  ", "1.", "1)", "- ", "==", "--", "http://x.y", "www.x.com", "a@b.co"),
    *("\u200b", "\ufeff", "\x85", "*", "_", "#", "&amp;", "<b>", "\\", "`", "|", "\t", "\r"),
]


def test_random_text_renders_as_the_parser_renders_it() -> None:
    rng = random.Random(9)
    fast = 0
    for _ in range(1500):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14)))
        for breaks in (True, False):
            parsed = str(markdown._parser(breaks).render(text))
            assert markdown.to_html(text, breaks=breaks) == parsed, repr(text)
            fast += markdown._plain_lines(text)
    assert fast > 500  # the shortcut was taken often enough to be tested


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        (
            "小助理收到你的反馈 我已经通知技术值班人员「@张三」, 请耐心等待\n"
            "反馈编号 id=「12」，发送 /我的反馈 可以查看处理进度。",
            True,
        ),
        ('他说 "好的"', True),
        ("第一行\n1. 第二行是列表", False),
        ("标题\n===", False),
        ("- 一项", False),
        ("两段\n\n第二段", False),
        ("行尾两个空格  \n下一行", False),
        ("**粗体**", False),
        ("a &amp; b", False),
        ("", False),
    ],
)
def test_what_takes_the_shortcut(text: str, plain: bool) -> None:
    assert markdown._plain_lines(text) is plain
    assert markdown.to_html(text, breaks=True) == str(markdown._parser(True).render(text))
