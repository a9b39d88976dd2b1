"""Render a neutral :class:`Reply` as plain text, markdown or HTML.

One mechanism keeps user text inert everywhere: text marked with
:func:`~teamassist.chat.types.user_text` (and every reply's ``quote`` and every person's name)
goes through the renderer's ``escape``; only the product's own text keeps its markup, and only
``<@m:ID>`` tokens outside user text become mentions. Platform renderers pass
:func:`escape_markup`, which also makes stray tags inert in unmarked text (defence in depth: the
catalogue never holds a platform tag, so one there came from a user).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from teamassist import markdown
from teamassist.bidi import isolate
from teamassist.chat.types import USER_CLOSE, USER_OPEN, Person, Reply

Escape = Callable[[str], str]

MENTION_TOKEN = re.compile(r"<@m:(\d+)>")
_USER_SPAN = re.compile(f"{USER_OPEN}(.*?){USER_CLOSE}", re.DOTALL)


def segments(text: str) -> Iterator[tuple[bool, str]]:
    """``(is_user_text, part)`` pieces of ``text`` in order (the marks themselves dropped)."""
    start = 0
    for match in _USER_SPAN.finditer(text):
        if match.start() > start:
            yield False, _unmark(text[start : match.start()])
        yield True, match.group(1)
        start = match.end()
    if start < len(text):
        yield False, _unmark(text[start:])


def _unmark(text: str) -> str:
    return text.replace(USER_OPEN, "").replace(USER_CLOSE, "")


def plain(text: str) -> str:
    """``text`` with the user-text marks removed and nothing else changed."""
    return _unmark(text)


def plain_isolated(text: str) -> str:
    """``text`` with the user-text marks removed and each user span's direction controls kept
    inside it (:func:`teamassist.bidi.isolate`): a title or note made of the product's words
    and user text, shown as plain text (a reply's title, a REST note)."""
    return "".join(isolate(part) if is_user else part for is_user, part in segments(text))


def _quote_lines(quote: str) -> list[str]:
    """A quote's lines, each isolated: a quote is the user's own text, and a renderer may put
    each line in a prefix of its own (markdown's ``> ``)."""
    return [isolate(line) for line in (plain(quote).splitlines() or [""])]


# -- escapes ---------------------------------------------------------------------------------

_COMMONMARK_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def escape_commonmark(text: str) -> str:
    """Backslash-escape every ASCII punctuation character (CommonMark §2.4): shown literally."""
    return _COMMONMARK_PUNCTUATION.sub(r"\\\1", text)


# Chat platforms' markdown dialects (QQ, WeCom robots, Feishu cards) document no reliable escape,
# and their tags (<at id=all>, <@all>, <qqbot-at-everyone />, <font>) are read anywhere in the
# text; the characters that open markup are swapped for their full-width twins, which read the
# same to a person and mean nothing to any of these parsers.
_MARKUP_TWINS = str.maketrans(
    {"<": "＜", ">": "＞", "[": "［", "]": "］", "*": "＊", "`": "｀", "~": "～", "|": "｜"}
)
_LINE_START = re.compile(r"^([ \t]*)#", re.MULTILINE)  # a heading (">" is already a twin)
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_STRAY_TAG = re.compile(r"<(?=[A-Za-z!/@])(?!@m:\d+>)")


def escape_markup(text: str) -> str:
    """Make user text inert in a chat platform's markdown (see ``_MARKUP_TWINS``)."""
    text = text.translate(_MARKUP_TWINS)
    text = _EMPHASIS_UNDERSCORE.sub("＿", text)
    return _LINE_START.sub(r"\1＃", text)


def neutralize_tags(text: str) -> str:
    """Product text for a platform: any tag but our own ``<@m:ID>`` made inert."""
    return _STRAY_TAG.sub("＜", text)


# -- text with mentions ----------------------------------------------------------------------


def replace_mentions(text: str, people: dict[int, Person], render: Callable[[Person], str]) -> str:
    """Replace every ``<@m:ID>`` token with ``render(person)`` (unknown ids become '@?')."""

    def _one(match: re.Match[str]) -> str:
        person = people.get(int(match.group(1)))
        return render(person) if person else "@?"

    return MENTION_TOKEN.sub(_one, text)


def render_text(
    text: str,
    people: dict[int, Person],
    mention: Callable[[Person], str],
    escape: Escape,
    product: Callable[[str], str] = lambda part: part,
) -> str:
    """``text`` with user spans escaped (and their direction controls kept inside them,
    :func:`teamassist.bidi.isolate`) and mentions rendered in the product's parts only."""
    return "".join(
        escape(isolate(part)) if is_user else replace_mentions(product(part), people, mention)
        for is_user, part in segments(text)
    )


def _at_name(person: Person) -> str:
    return f"@{person.name}"


def to_markdown(
    reply: Reply,
    mention: Callable[[Person], str] | None = None,
    *,
    escape: Escape = escape_commonmark,
    product: Callable[[str], str] = lambda part: part,
) -> str:
    """Render as markdown, with mentions in the destination's own syntax.

    ``escape`` makes user text literal in the destination's dialect (CommonMark by default);
    ``product`` may rewrite the product's own text (platforms make stray tags inert).
    """
    at = mention or (lambda person: "@" + escape(person.name))

    def _text(value: str) -> str:
        return render_text(value, reply.people, at, escape, product)

    parts: list[str] = []
    if reply.quote:
        parts.append("\n".join(f"> {escape(line)}" for line in _quote_lines(reply.quote)))
    if reply.title:
        parts.append(f"**{_text(reply.title)}**")
    if reply.body:
        parts.append(_text(reply.body))
    if reply.fields:
        parts.append("\n".join(f"- **{_text(f.label)}**：{_text(f.value)}" for f in reply.fields))
    commands = []
    if reply.form is not None:  # no forms in markdown: the command to type, pre-filled
        commands.append(f"- `{reply.form.template()}` {escape(reply.form.submit_label)}")
    commands.extend(f"- `{b.command}` {escape(b.label)}" for b in reply.buttons)
    if commands:
        parts.append("\n".join(commands))
    return "\n\n".join(parts)


_MD_MARKS = re.compile(r"(\*\*|__|`|^#+\s*|^>\s?)", re.MULTILINE)
# A URL is copied as a whole: a feed or sign-in token may hold "__", which is no emphasis.
_URL = re.compile(r"(https?://[^\s<>`]+)")


def _unmarked(part: str) -> str:
    """``part`` without markdown marks, URLs left exactly as written."""
    pieces = _URL.split(part)  # the URLs are at the odd indexes
    return "".join(p if i % 2 else _MD_MARKS.sub("", p) for i, p in enumerate(pieces))


def to_plain(reply: Reply) -> str:
    """Render as plain text (CLI, platforms without markdown); user text is kept as written."""

    def _text(value: str) -> str:
        return render_text(value, reply.people, _at_name, str, _unmarked)

    parts: list[str] = []
    if reply.quote:
        parts.append("「" + "\n".join(_quote_lines(reply.quote)) + "」")
    if reply.title:
        parts.append(plain_isolated(reply.title))
    if reply.body:
        parts.append(_text(reply.body))
    for f in reply.fields:
        parts.append(f"{plain(f.label)}：{render_text(f.value, reply.people, _at_name, str)}")
    if reply.form is not None:
        parts.append(f"[{reply.form.submit_label}] {reply.form.template()}")
    for b in reply.buttons:
        parts.append(f"[{b.label}] {b.command}")
    return "\n".join(parts)


def to_html(reply: Reply) -> str:
    """Render as safe HTML for the web chat and dashboard (user text is escaped)."""

    def _mention(person: Person) -> str:
        return "@" + escape_commonmark(person.name)

    def _field(value: str) -> str:
        return html.escape(render_text(value, reply.people, lambda p: f"@{p.name}", str))

    out: list[str] = []
    if reply.quote:
        quote = "\n".join(_quote_lines(reply.quote))
        out.append(f"<blockquote>{html.escape(quote)}</blockquote>")
    if reply.title:
        out.append(f'<div class="reply-title">{html.escape(plain_isolated(reply.title))}</div>')
    if reply.body:
        body = render_text(reply.body, reply.people, _mention, escape_commonmark)
        out.append(markdown.to_html(body, breaks=True))
    if reply.fields:
        rows = "".join(
            f"<tr><th>{html.escape(plain(f.label))}</th><td>{_field(f.value)}</td></tr>"
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
    if reply.form is not None:
        out.append(
            f'<p class="reply-form">{html.escape(reply.form.submit_label)}：'
            f"<code>{html.escape(reply.form.template())}</code></p>"
        )
    return "\n".join(out)


def for_clients(reply: Reply) -> Reply:
    """``reply`` as REST hands it out (``POST /api/v1/chat``'s ``reply``): the user-text marks
    (private-use characters, drawn as boxes by a client) are gone, user text in ``body`` is
    CommonMark-escaped (so the body stays safe markdown) and isolated, and ``title``, ``quote``
    and the fields are plain text. Mention tokens, people, buttons and forms are kept."""
    body = "".join(
        escape_commonmark(isolate(part)) if is_user else part
        for is_user, part in segments(reply.body)
    )
    fields = [
        field.model_copy(update={"label": _unmark(field.label), "value": _unmark(field.value)})
        for field in reply.fields
    ]
    return reply.model_copy(
        update={
            "body": body,
            "title": plain_isolated(reply.title) if reply.title is not None else None,
            "quote": "\n".join(_quote_lines(reply.quote)) if reply.quote is not None else None,
            "fields": fields,
        }
    )
