"""Render a neutral :class:`Reply` as WeCom robot markdown, split to fit one message each."""

from __future__ import annotations

from teamassist.chat.render import escape_markup, neutralize_tags, to_markdown
from teamassist.chat.types import Person, Reply
from teamassist.enums import Platform


def mention(person: Person) -> str:
    """``<@userid>`` when the person's WeCom user id is known, else their name."""
    user_id = person.identities.get(Platform.WECOM.value)
    return f"<@{user_id}>" if user_id else "@" + escape_markup(person.name)


def markdown(reply: Reply) -> str:
    """The reply as WeCom markdown (robots have no buttons: commands are listed as text)."""
    text = to_markdown(reply, mention, escape=escape_markup, product=neutralize_tags)
    if reply.is_error:
        text = f'<font color="warning">{text}</font>' if "\n" not in text else text
    return text


def split(text: str, max_bytes: int) -> list[str]:
    """Cut ``text`` into parts of at most ``max_bytes`` UTF-8 bytes, at line ends when possible."""
    if len(text.encode("utf-8")) <= max_bytes:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= max_bytes:
            current = candidate
            continue
        if current:
            parts.append(current)
        # A single line longer than a message: cut it between characters.
        while len(line.encode("utf-8")) > max_bytes:
            head = _prefix(line, max_bytes)
            parts.append(head)
            line = line[len(head) :]
        current = line
    if current:
        parts.append(current)
    return parts


def _prefix(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` within ``max_bytes`` (never splits a character)."""
    size = 0
    for index, char in enumerate(text):
        size += len(char.encode("utf-8"))
        if size > max_bytes:
            return text[:index]
    return text
