"""Markdown to HTML for pages and chat replies, with the parser built on first use.

``markdown_it`` (about 60 modules) is imported by the first render, not when a page module is
imported: a server that renders no Markdown before its first request starts without it
(issue 9: cold start and idle memory; ``tests/core/test_lazy_imports.py``).
"""

from __future__ import annotations

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
    return str(_parser(breaks).render(text))
