"""Markdown to HTML for pages and chat replies, with the parser built on first use.

``markdown_it`` (about 60 modules) is imported by the first render, not when a page module is
imported: a server that renders no Markdown before its first request starts without it
(issue 9: cold start and idle memory; ``tests/core/test_lazy_imports.py``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def _parser(breaks: bool) -> MarkdownIt:
    from markdown_it import MarkdownIt

    # CommonMark with tables; raw HTML in the text is escaped, never passed through.
    options = {"html": False, "linkify": False, "breaks": breaks}
    return MarkdownIt("commonmark", options).enable("table")


def to_html(text: str, *, breaks: bool = False) -> str:
    """``text`` (CommonMark with tables) as HTML; raw HTML escaped. ``breaks``: a single newline
    becomes ``<br>`` (chat replies), else it joins lines as CommonMark does (documents)."""
    if _plain_lines(text):
        # Lines of plain words: the parser's own output, made without it (below).
        joined = ("<br />\n" if breaks else "\n").join(text.split("\n"))
        return "<p>" + joined.replace('"', "&quot;") + "</p>\n"
    return str(_parser(breaks).render(text))


# What can make a line more than words to the parser: a character of inline or block markup,
# an entity, an escape, a control character (a tab, a carriage return, a NUL) anywhere; a list
# or a heading's underline at the start of a line; spaces around a line (which it strips).
_MARKUP = re.compile(r"[\\`*_\[\]<>&!#|~\x00-\x09\x0b-\x1f\x7f]|^[-+=]|^\d+[.)]|^ | $", re.M)


def _plain_lines(text: str) -> bool:
    """Whether ``text`` is one paragraph of lines of plain words, which the parser renders as
    the lines joined by a break, in ``<p>``, with only ``"`` escaped: a chat reply's usual
    body (issue 9: the parser was 6 % of a /问题反馈's CPU for two such lines). Checked
    against the parser on random text (``tests/core/test_markdown_plain.py``)."""
    return (
        bool(text) and text == text.strip() and "\n\n" not in text and _MARKUP.search(text) is None
    )
