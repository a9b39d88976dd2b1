"""The seed's director grammar, read as a compatibility form (no database, no side effects).

``###群名###@@@姓名@@@$$$yyyymmddhhmm$$$***命令***内容`` (seed §2.2): the markers may come in
any order; ``@@@姓名@@@`` may repeat, the others may appear once (the seed silently used the
first and dropped the rest, so a second one is refused here). It is parsed from the message's
text as the platform delivered it, never from a raw JSON string. Where ``@@@…@@@`` and
``$$$…$$$`` stood, the content keeps a mention and the deadline as ``M月D日H:MM``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from teamassist.chat import when
from teamassist.chat.types import user_text
from teamassist.clock import END_OF_DAY
from teamassist.exceptions import Invalid

_STRAY = re.compile(r"###|@@@|\$\$\$|\*\*\*")
_MARKER = re.compile(r"###(.*?)###|@@@(.*?)@@@|\$\$\$(.*?)\$\$\$|\*\*\*(.*?)\*\*\*", re.DOTALL)
_FORM = re.compile(r"###.+?###|\*\*\*.+?\*\*\*", re.DOTALL)
_STAMP = re.compile(r"\d{12}")

# The seed's special commands (seed §2.3), as typed between *** and ***.
BULK = "群发助手"
CAREER_PLAN = "制定个人职业发展规划"
TESTING = "我在做测试"
CONTACT = "我有事儿找组织"
COMMANDS = (BULK, CAREER_PLAN, TESTING, CONTACT)
# Shown in replies as user text (the markers are not markdown there).
EXAMPLE_STAMP = user_text("$$$202612041800$$$")
GROUP_MARKER = user_text("###群名###")


@dataclass(frozen=True)
class Part:
    """A piece of the content: ``text``, a ``name`` to mention, or the ``due`` deadline."""

    kind: str
    value: str = ""


@dataclass(frozen=True)
class Parsed:
    """One message in the grammar."""

    group: str | None
    command: str | None
    stamp: str | None  # the 12 digits of $$$yyyymmddhhmm$$$
    names: tuple[str, ...]
    parts: tuple[Part, ...] = field(default=())

    @property
    def content(self) -> str:
        """The plain content with the markers taken out (mentions and deadline dropped)."""
        return "".join(p.value for p in self.parts if p.kind == "text").strip()


def is_form(text: str) -> bool:
    """Whether ``text`` is written in the grammar (it has a ``###…###`` or ``***…***``)."""
    return _FORM.search(text) is not None


def parse(text: str) -> Parsed:
    """Read ``text``; Invalid for a marker given twice or an empty one."""
    group = command = stamp = None
    names: list[str] = []
    parts: list[Part] = []
    at = 0
    for match in _MARKER.finditer(text):
        if match.start() > at:
            parts.append(Part("text", text[at : match.start()]))
        at = match.end()
        g, name, due, cmd = match.groups()
        value = next(v for v in (g, name, due, cmd) if v is not None).strip()
        if not value:
            raise Invalid(
                "announcements.grammar.empty_marker", marker=user_text(match.group(0)[:12])
            )
        if g is not None:
            if group is not None:
                raise Invalid("announcements.grammar.twice", marker=GROUP_MARKER)
            group = value
        elif name is not None:
            names.append(value)
            parts.append(Part("name", value))
        elif due is not None:
            if stamp is not None:
                raise Invalid("announcements.grammar.twice", marker=user_text("$$$时间$$$"))
            stamp = value
            parts.append(Part("due"))
        else:
            if command is not None:
                raise Invalid("announcements.grammar.twice", marker=user_text("***命令***"))
            command = value
    if at < len(text):
        parts.append(Part("text", text[at:]))
    for part in parts:
        # a marker left open (``@@@张三`` with no closing ``@@@``) would otherwise be sent as
        # the content: refuse the whole message instead
        stray = _STRAY.search(part.value) if part.kind == "text" else None
        if stray is not None:
            raise Invalid("announcements.grammar.unpaired", marker=user_text(stray.group(0)))
    return Parsed(group, command, stamp, tuple(names), tuple(parts))


def deadline(stamp: str, timezone: str) -> datetime:
    """``yyyymmddhhmm`` on the team's wall clock (the seed assumed +08:00), as a UTC instant;
    Invalid for anything that is not a real minute."""
    digits = stamp.strip()
    if not _STAMP.fullmatch(digits):
        raise Invalid("announcements.grammar.bad_stamp", value=digits[:20], example=EXAMPLE_STAMP)
    d = digits
    try:
        wall = datetime(
            int(d[:4]),
            int(d[4:6]),
            int(d[6:8]),
            int(d[8:10]),
            int(d[10:]),
            tzinfo=ZoneInfo(timezone),
        )
    except ValueError as exc:
        raise Invalid(
            "announcements.grammar.bad_stamp", value=digits, example=EXAMPLE_STAMP
        ) from exc
    return wall.astimezone(ZoneInfo("UTC"))


def shown(value: datetime, timezone: str) -> str:
    """The deadline as the seed wrote it in the text: ``12月4日18:00``."""
    at = value.astimezone(ZoneInfo(timezone))
    return f"{at.month}月{at.day}日{at:%H:%M}"


# The last ``截止``/``截止日期``/``截止时间``/``due`` marker; what follows it, to the end, is the
# deadline, a trailing ``前``/``之前``/``以前`` (and a full stop) aside.
# A word of its own: after a blank, a mark or the start, never glued to the word before it
# (「报名截止 周五」 is "registration closes Friday", text; it was read as a deadline and the
# group got only 「报名」: outside tester F13, session 23).
_DUE_MARK = re.compile(r"(?<!\w)(?:截止(?:日期|时间)?|due\b)\s*[:：]?\s*", re.IGNORECASE)
# ``截至`` is also "as of" (报名人数截至今天 32 人): it marks a deadline only when a moment alone
# (a ``前`` after it allowed) ends the message; anywhere else it is text.
_AS_OF_MARK = re.compile(r"截至\s*[:：]?\s*")
_BEFORE = re.compile(r"(?:之前|以前|前)?[\s。.!！]*$")
_NOTHING = re.compile(r"[\s。.!！,，;；:：、~～]*")
# What makes the words after a final ``截止`` a time, searched anywhere in them (folded, see
# chat.when.fold): a digit, a counted day or hour, a weekday, a relative day, a part of the day,
# the end of work, a month's or a year's end, a named holiday. Such words are read as the
# deadline, or refused with the example when the reader does not understand them: a deadline
# is never sent as plain text with no action items (session 14: 截止 今夜, 中午, 下班前, 四号, 週五
# went out as text). Words with none of these are prose and stay text (截止 日期另行通知).
_TIME_LIKE = re.compile(
    r"[0-9]|[零〇一二两三四五六七八九十]+个?[月日号点时天周]"
    r"|(?:周|星期|礼拜)[一二三四五六七日天末]|[上下本这]个?(?:周|星期|礼拜|月)"
    r"|[今明后昨前][天日儿晚夜早年]|大后天|[上中下]午|早上|早晨|晚上|傍晚|凌晨|夜里|半夜|午夜|深夜"
    r"|下班|上班|收工|[月年][底初中末]|周末"
    r"|元旦|春节|除夕|国庆|中秋|端午|清明|劳动节|五一|十一|节[前后]"
    r"|today|tomorrow|tonight|noon|midnight|\beod\b|monday|tuesday|wednesday|thursday|friday",
    re.IGNORECASE,
)
DUE_EXAMPLE = "截止 周五 18:00"


def _moment(tail: str, today: date) -> tuple[date, time | None, list[str]] | None:
    """``tail`` (what follows a marker) as a moment and the words after it; a trailing
    ``前``/``之前`` and a full stop aside. :class:`~teamassist.chat.when.Unreadable` passes."""
    before = _BEFORE.search(tail)
    words = tail[: before.start() if before else len(tail)].split()
    if len(words) == 1 and (at := when.time_of(words[0])) is not None:
        return today, at, []  # 截止 中午, 截止 下午3点: today
    return when.split_moment(words, today)


_ENDS_BEFORE = re.compile(r"(?:之前|以前|前)[\s。.!！]*$")


def _as_of_deadline(text: str, today: date) -> tuple[int, date, time | None] | None:
    """Where a closing ``截至 <时间>`` starts and the moment it names, or None: then ``截至``
    is "as of" and stays text (报名人数截至今天, 截至昨天 32 人, a date that does not exist). It
    is a deadline only when the moment alone ends the message and a ``前`` follows it, or it
    names a time of day, or a day after ``today``: "as of" names today or a past day."""
    marks = list(_AS_OF_MARK.finditer(text))
    if not marks:
        return None
    mark = marks[-1]
    tail = text[mark.end() :]
    if not _TIME_LIKE.search(when.fold(tail)):
        return None
    try:
        found = _moment(tail, today)
    except when.Unreadable:
        return None
    if found is None or found[2]:
        return None
    day, at, _rest = found
    if _ENDS_BEFORE.search(tail) is None and at is None and day <= today:
        return None
    return mark.start(), day, at


def trailing_due(text: str, timezone: str, today: date) -> tuple[str, datetime | None]:
    """Split a ``/通知``/``/群发`` text into its content and a trailing ``截止 <时间>``
    (``截止日期``/``截止时间`` too, a ``前`` after it allowed): any of
    :mod:`teamassist.chat.when`'s forms (``2026-12-04 18:00``, ``2026年12月4日``,
    ``12月4日下午6点``, ``周五``, ``下周五``, full-width digits, the seed's ``202612041800``) read
    against the team-local ``today``, a date alone (and ``下班``) at 18:00, a time alone today.
    The deadline is the team's wall clock (aware, ``timezone``), left for
    :func:`~teamassist.announcements.service.check_due` to refuse when past or too far.

    The rule: what follows the final ``截止`` is the deadline when it holds any time-like word
    (``_TIME_LIKE``: a digit, ``四号``, ``周五``/``週五``, ``今夜``, ``中午``, ``下班``, ``月底``,
    ``春节``...); the reader reads it, or it is refused with the example of what works. Only words
    with none of them are prose and part of the text (``截止 日期另行通知``). The
    homophone ``截至`` marks a deadline only as a closing ``截至 周五`` (or ``截至 今天前``),
    never for today or a past day without a time or ``前`` (``报名人数截至今天``: "as of").

    Raises Invalid ``announcements.error.bad_due`` for a date or time that does not exist,
    ``announcements.error.due_unread`` for a marker followed by something date-shaped that is
    not a deadline alone (``截止 下周``, ``截止 12月4日 交齐``), ``due_missing`` for a
    marker that ends the message, ``due_twice`` for two deadlines: nothing is sent."""
    marks = list(_DUE_MARK.finditer(text))
    as_of = _as_of_deadline(text, today)
    if as_of is not None and (not marks or marks[-1].start() < as_of[0]):
        _refuse_an_earlier_deadline(text, marks, as_of[0])
        start, day, at = as_of
        return text[:start], datetime.combine(day, at or END_OF_DAY, tzinfo=ZoneInfo(timezone))
    if not marks:
        return text, None
    mark = marks[-1]
    tail = text[mark.end() :]
    written = when.fold(tail)
    if _NOTHING.fullmatch(tail):  # "… 截止" with nothing after: a deadline left out, not text
        raise Invalid("announcements.error.due_missing", example=user_text(DUE_EXAMPLE))
    if not _TIME_LIKE.search(written):
        return text, None
    _refuse_an_earlier_deadline(text, marks[:-1], mark.start())
    try:
        found = _moment(tail, today)
    except when.Unreadable as error:
        raise Invalid("announcements.error.bad_due", value=error.word[:40]) from None
    if found is None or found[2]:
        raise Invalid(
            "announcements.error.due_unread",
            value=user_text(tail.strip()[:40]),
            example=user_text(DUE_EXAMPLE),
        )
    day, at, _rest = found
    return text[: mark.start()], datetime.combine(day, at or END_OF_DAY, tzinfo=ZoneInfo(timezone))


def _refuse_an_earlier_deadline(text: str, marks: list[re.Match[str]], end: int) -> None:
    """Invalid ``due_twice`` when a ``截止`` before ``end`` is followed by a date (the first one
    was kept in the text while the last one was read, session 13)."""
    for earlier in marks:
        if earlier.start() < end and _TIME_LIKE.match(when.fold(text[earlier.end() : end])):
            raise Invalid("announcements.error.due_twice", example=user_text(DUE_EXAMPLE))
