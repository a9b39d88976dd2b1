"""Render a neutral :class:`Reply` as plain text, markdown or HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it import MarkdownIt

from teamassist.chat.types import Person, Reply

MENTION_TOKEN = re.compile(r"<@m:(\d+)>")
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
    "table"
)


def replace_mentions(text: str, people: dict[int, Person], render: Callable[[Person], str]) -> str:
    """Replace every ``<@m:ID>`` token with ``render(person)`` (unknown ids become '@?')."""

    def _one(match: re.Match[str]) -> str:
        person = people.get(int(match.group(1)))
        return render(person) if person else "@?"

    return MENTION_TOKEN.sub(_one, text)


def _at_name(person: Person) -> str:
    return f"@{person.name}"


def to_markdown(reply: Reply, mention: Callable[[Person], str] = _at_name) -> str:
    """Render as markdown, with mentions in the destination's own syntax."""
    parts: list[str] = []
    if reply.quote:
        parts.append("\n".join(f"> {line}" for line in reply.quote.splitlines() or [""]))
    if reply.title:
        parts.append(f"**{reply.title}**")
    if reply.body:
        parts.append(replace_mentions(reply.body, reply.people, mention))
    if reply.fields:
        parts.append(
            "\n".join(
                f"- **{f.label}**：{replace_mentions(f.value, reply.people, mention)}"
                for f in reply.fields
            )
        )
    if reply.buttons:
        parts.append("\n".join(f"- `{b.command}` {b.label}" for b in reply.buttons))
    return "\n\n".join(parts)


_MD_MARKS = re.compile(r"(\*\*|__|`|^#+\s*|^>\s?)", re.MULTILINE)


def to_plain(reply: Reply) -> str:
    """Render as plain text (CLI, platforms without markdown)."""
    parts: list[str] = []
    if reply.quote:
        parts.append("「" + reply.quote + "」")
    if reply.title:
        parts.append(reply.title)
    if reply.body:
        parts.append(_MD_MARKS.sub("", replace_mentions(reply.body, reply.people, _at_name)))
    for f in reply.fields:
        parts.append(f"{f.label}：{replace_mentions(f.value, reply.people, _at_name)}")
    for b in reply.buttons:
        parts.append(f"[{b.label}] {b.command}")
    return "\n".join(parts)


def to_html(reply: Reply) -> str:
    """Render as safe HTML for the web chat and dashboard (user text is escaped)."""

    def _mention(person: Person) -> str:
        return f"@{person.name}"

    out: list[str] = []
    if reply.quote:
        out.append(f"<blockquote>{html.escape(reply.quote)}</blockquote>")
    if reply.title:
        out.append(f'<div class="reply-title">{html.escape(reply.title)}</div>')
    if reply.body:
        out.append(_markdown.render(replace_mentions(reply.body, reply.people, _mention)))
    if reply.fields:
        rows = "".join(
            f"<tr><th>{html.escape(f.label)}</th>"
            f"<td>{html.escape(replace_mentions(f.value, reply.people, _mention))}</td></tr>"
            for f in reply.fields
        )
        out.append(f'<table class="reply-fields">{rows}</table>')
    if reply.buttons:
        buttons = "".join(
            f'<button type="button" class="reply-button {b.style}" '
            f'data-command="{html.escape(b.command, quote=True)}">{html.escape(b.label)}</button>'
            for b in reply.buttons
        )
        out.append(f'<div class="reply-buttons">{buttons}</div>')
    return "\n".join(out)
