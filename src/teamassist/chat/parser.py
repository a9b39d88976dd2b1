"""Read a command and its arguments from the start of a message.

Unlike the seed, which matched a command anywhere inside a sentence, a command is only
recognised at the start of the text, after any @bot mentions; ``/`` and the full-width ``／``
both work, and Chinese command words may be followed directly by their argument.

One splitter serves every command: any Unicode whitespace separates arguments (the full-width
space U+3000 that Chinese input methods type, a line break). One mention grammar serves every
platform: QQ's ``<@!id>``/``<@id>`` and ``<qqbot-at-user id="…" />``, Feishu's ``<at
user_id="…">name</at>`` (its ``@_user_1`` keys are replaced by the adapter), and a typed
``@name`` or full-width ``＠name``; a typed name the event's mention list knows gets its id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from teamassist.chat import mention_names, when
from teamassist.chat.mention_names import LIST_WORDS as LIST_WORDS  # re-exported: its old home
from teamassist.chat.registry import Arg, ArgKind, CommandSpec, Registry
from teamassist.chat.types import Mention, MentionToken
from teamassist.chat.when import ascii_digits as ascii_digits  # re-exported: its old home
from teamassist.database import MAX_STORED_ID

# Every mention syntax in use; exactly one of the groups "qq", "qqat", "at", "name" is set.
MENTION = re.compile(
    r"<@!?(?P<qq>[^>\s]+)>"
    r"|<qqbot-at-user\s+id\s*=\s*[\"'](?P<qqat>[^\"'>]+)[\"']\s*/?>(?:\s*</qqbot-at-user>)?"
    r"|<at\s+(?:user_)?id\s*=\s*[\"']?(?P<at>[^\"'>\s]+)[\"']?\s*>(?:[^<]*</at>)?"
    # not after a letter, digit or the marks an address holds: a@b.com is text (session 14: it
    # was read as a mention of "b.com"); a full-width colon or semicolon ends a name as the
    # commas do: 「@李四：请…」 was a search for 「李四：请…」 (tester F7, session 20)
    r"|(?<![A-Za-z0-9._%+\-])[@＠](?P<name>[^\s@＠<>，,、：；]+)"
)
# Between two mentions of a list: its commas, semicolons and joining words (LIST_WORDS).
_LIST_GLUE = re.compile(
    r"(?:[\s,，、;；]|" + "|".join(re.escape(word) for word in LIST_WORDS) + r")+", re.IGNORECASE
)
# What may stand between a member's mention and the words after it, or a second mention: 「@李四：
# 写周报」's colon closes the mention and is no part of the title (/销项, /会议销项: tester F7,
# session 21; s23 report 2 F6).
AFTER_MENTION = re.compile(
    r"^(?:[\s:：;；,，、]|(?:" + "|".join(map(re.escape, LIST_WORDS)) + r")(?=\s*[@＠<]))+",
    re.IGNORECASE,
)
_LEADING_MENTIONS = re.compile(rf"^(?:\s*(?:{MENTION.pattern}))+\s*")
_TOKEN = re.compile(r"(\S+)\s*(.*)", re.DOTALL)  # the first whitespace-separated token, the rest
_SLASHES = ("/", "／")


def mention_at(
    text: str,
    mentions: list[Mention] | None = None,
    known: Callable[[str], bool] | None = None,
) -> tuple[MentionToken, int] | None:
    """The mention at the start of ``text`` and where it ends, or None.

    A typed ``@name`` that the event's mention list names (QQ and Feishu send one) carries the
    platform id from that list, so it resolves like a native mention. ``known`` (is this a
    member's name?) lets a half-width ``:``/``;`` glued to the text after a name end it
    (:func:`teamassist.chat.mention_names.glued_cut`); without it the name runs on.
    """
    match = MENTION.match(text)
    if match is None:
        return None
    user_key = match.group("qq") or match.group("qqat") or match.group("at")
    name = match.group("name")
    end = match.end()
    if name is not None and known is not None:
        cut = mention_names.glued_cut(
            name, lambda typed: _listed(typed, mentions) is not None or known(typed)
        )
        if cut is not None:
            name, end = name[:cut], match.start("name") + cut
    if user_key is None and name is not None:
        user_key = _listed(name, mentions)
    return MentionToken(text[match.start() : end], user_key, name), end


def _listed(name: str, mentions: list[Mention] | None) -> str | None:
    """The platform id the event's mention list gives a typed name (not the bot's), if any."""
    for listed in mentions or []:
        if listed.display and listed.display.lstrip("@＠") == name and not listed.is_bot:
            return listed.user_key
    return None


def split_token(text: str) -> tuple[str, str]:
    """``(first token, rest)`` of ``text``, split at any Unicode whitespace."""
    match = _TOKEN.match(text.lstrip())
    return (match.group(1), match.group(2)) if match else ("", "")


@dataclass(frozen=True)
class CommandCall:
    """A recognised command word with the raw argument text."""

    spec: CommandSpec | None
    word: str
    rest: str


class ArgError(ValueError):
    """The arguments do not fit the command; ``key``/``params`` name the catalogue message."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


# Characters a message may carry that nobody typed on purpose and that nobody sees: zero-width
# spaces and word joiners pasted from web pages (U+200B, U+2060, U+FEFF), and C0/C1 control
# characters other than tab and line breaks (BEL, ESC: an ESC sequence stored in feedback came
# back raw in `teamassist chat`). The zero-width joiner (U+200D, inside emoji) and non-joiner
# (U+200C) carry meaning and stay; bidirectional marks are isolated where text is shown
# (teamassist.bidi), not dropped.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_invisibles(text: str) -> str:
    """``text`` without the invisible characters above (command words, arguments and the text
    a command keeps, such as a feedback, all come from this)."""
    return _INVISIBLE.sub("", text)


def strip_bot_mentions(text: str, mentions: list[Mention]) -> str:
    """Drop @bot mentions (and, for safety, any mentions) that precede the command."""
    stripped = text.lstrip()
    if not stripped or stripped.startswith(_SLASHES):
        return stripped
    bot_keys = {m.user_key for m in mentions if m.is_bot}
    match = _LEADING_MENTIONS.match(stripped)
    if match and (bot_keys or stripped[match.end() :].startswith(_SLASHES)):
        return stripped[match.end() :]
    return stripped


def find_command(text: str, registry: Registry) -> CommandCall | None:
    """Return the command at the start of ``text``, or None when the text is not a command."""
    if not text.startswith(_SLASHES):
        return None
    body = text[1:]
    folded = body.casefold()
    # Longest word first, so prefixes never shadow longer names; of one length at most one
    # word can be the text's prefix, so a lookup per length finds what a scan of every word
    # (longest first) would.
    for length in registry.word_lengths():
        if length > len(folded):
            continue
        word = folded[:length]
        spec = registry.get(word)
        if spec is None:
            continue
        rest = body[length:]
        # An ASCII alias must end at a word boundary (/helpme is not /help); a Chinese name may
        # run straight into its argument, as users type "/问题反馈登录不了".
        if rest and word.isascii() and not rest[0].isspace():
            continue
        return CommandCall(spec=spec, word=body[:length], rest=rest)
    unknown = split_token(body)[0]
    return CommandCall(spec=None, word=unknown, rest="")


# Dates a command may name: far enough for any plan, near enough that date arithmetic
# (a week after, the year's calendar) never leaves Python's range.
DATE_YEARS = range(1970, 2201)


def parse_date(token: str, today: date) -> date:
    """Read a date in any form :mod:`teamassist.chat.when` reads (``2026-05-01``, ``5月1日``,
    ``5/1``, ``明天``, ``下周一``, full-width digits) that carries no time of day.

    Raises ``ArgError`` (``core.error.bad_date``) for what is no date. Which dates make sense
    is the command's business (the duty desk plans 2016–2036, say; :data:`DATE_YEARS` is the
    widest window commands use).
    """
    # A bare run of digits (20261130) is no date argument: it reads as an id or a number.
    if when.ascii_digits(token).isdigit():
        raise ArgError("core.error.bad_date", value=token)
    try:
        value = when.date_of(token, today)
    except when.Unreadable:
        value = None
    if value is None:
        raise ArgError("core.error.bad_date", value=token)
    # A real date outside a command's window (9999-12-31) is the command's to refuse, in its
    # own words ("超出了可以安排的范围"), not "not a date".
    return value


def parse_args(
    spec: CommandSpec,
    rest: str,
    today: date,
    mentions: list[Mention] | None = None,
    known: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """Split ``rest`` into the command's declared arguments, or raise :class:`ArgError`;
    ``known`` as :func:`mention_at` takes it."""
    values: dict[str, Any] = {}
    remaining = rest.strip()
    for arg in spec.args:
        remaining, value = _take(arg, remaining, today, mentions, known)
        if value is None and arg.required:
            raise ArgError("core.error.missing_arg", arg=_label(arg))
        values[arg.name] = value
    # A command without arguments takes trailing words as the seed did ("/值班签到 早上好"):
    # people greet or explain; refusing that would make the bot feel brittle. A command that
    # declares arguments still refuses what none of them consumed, since that text was meant
    # to say something the command cannot hold.
    if remaining.strip() and spec.args:
        raise ArgError("core.error.extra_text", text=remaining.strip()[:40])
    return values


def _label(arg: Arg) -> str:
    """How a missing argument is named: a word by its own name when the catalogue has one
    (``core.arg.word_<name>``: 「群名」 for ``group``), else by its kind. A tester's ``/通知``
    alone was told 缺少参数「参数」 (session 18)."""
    from teamassist.i18n import lookup

    named = lookup(f"core.arg.word_{arg.name}") if arg.kind is ArgKind.WORD else None
    return str(named or lookup(f"core.arg.{arg.kind.value}") or arg.name)


def _take(
    arg: Arg,
    text: str,
    today: date,
    mentions: list[Mention] | None = None,
    known: Callable[[str], bool] | None = None,
) -> tuple[str, Any]:
    text = text.lstrip()
    if arg.kind is ArgKind.TEXT:
        value = text.strip()
        if arg.max_length is not None and len(value) > arg.max_length + arg.overhead:
            raise ArgError("core.error.too_long", limit=arg.max_length, length=len(value))
        return "", (value or None)
    if arg.kind in (ArgKind.MEMBER, ArgKind.MEMBERS):
        found: list[MentionToken] = []
        while (taken := mention_at(text, mentions, known)) is not None:
            mention, end = taken
            found.append(mention)
            text = text[end:].lstrip()
            if arg.kind is ArgKind.MEMBER:
                break
            # 「@张三；@李四」, 「@张三, @李四」, 「@张三 和 @李四」: what joins two mentions of a
            # list goes with it, as 群发 reads one (a duty roster read 「；@李四」 as its name)
            glue = _LIST_GLUE.match(text)
            if glue is not None and MENTION.match(text, glue.end()):
                text = text[glue.end() :]
        if not found:
            if text and arg.required:
                raise ArgError("core.error.not_a_mention", text=split_token(text)[0][:40])
            return text, None
        return text, found[0] if arg.kind is ArgKind.MEMBER else found
    token, remaining = split_token(text)
    if not token or (MENTION.match(token) and arg.kind is ArgKind.WORD and not arg.required):
        return text, None
    if arg.kind is ArgKind.INT:
        # Every INT argument is an id: a positive whole number the database can hold.
        # ``#12`` as the replies print it ("已创建销项 #12") is the same id as ``12``.
        written = ascii_digits(token).removeprefix("#").removeprefix("＃")
        if not re.fullmatch(r"[+-]?[0-9]+", written):
            raise ArgError("core.error.not_a_number", value=token[:40])
        # A number no id column can hold is not an id; 0 or -3 are looked up and simply not
        # found. The bound is the stored one (32-bit INTEGER columns), not 64 bits: PostgreSQL
        # casts a bound id to the column's type and a larger one failed the whole command with
        # "integer out of range" in fourteen commands (tester s25 F-B9).
        number = int(written[:40])
        if len(written) > 40 or abs(number) > MAX_STORED_ID:
            raise ArgError("core.error.not_an_id", value=token[:40])
        return remaining, number
    if arg.kind is ArgKind.DATE:
        return remaining, parse_date(token, today)
    return remaining, token
