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
_DUE_MARK = re.compile(r"(?:截止(?:日期|时间)?|\bdue\b)\s*[:：]?\s*", re.IGNORECASE)
# ``截至`` is also "as of" (报名人数截至今天 32 人): it marks a deadline only when a moment alone
# (a ``前`` after it allowed) ends the message; anywhere else it is text.
_AS_OF_MARK = re.compile(r"截至\s*[:：]?\s*")
_BEFORE = re.compile(r"(?:之前|以前|前)?[\s。.!！]*$")
_NOTHING = re.compile(r"[\s。.!！,，;；:：、~～]*")
# What a deadline starts with: a digit or a date word. Such a tail that is not read as one is
# refused, so a deadline is never sent as text with no action items; other words stay text.
_DATE_SHAPED = re.compile(
    r"[0-9]|今天|明天|后天|昨天|今年|明年|后年|下周|本周|这周|下星期|本星期|这星期"
    r"|(?:周|星期|礼拜)[一二三四五六日天]|today|tomorrow|yesterday"
    # and the ones a tester saw sent as text (``截止 今晚``, ``截止 月底``, ``截止 十二月四日``):
    # refused with the example unless the reader knows them
    r"|今[晚早日]|明[晚早日]|大后天|下下|周末|[本这下上]个?月|月[底初中末]|年[底初中末]"
    r"|[一二三四五六七八九十]{1,3}月",
    re.IGNORECASE,
)
DUE_EXAMPLE = "截止 周五 18:00"


def _moment(tail: str, today: date) -> tuple[date, time | None, list[str]] | None:
    """``tail`` (what follows a marker) as a moment and the words after it; a trailing
    ``前``/``之前`` and a full stop aside. :class:`~teamassist.chat.when.Unreadable` passes."""
    before = _BEFORE.search(tail)
    words = tail[: before.start() if before else len(tail)].split()
    return when.split_moment(words, today)


def _as_of_deadline(text: str, today: date) -> tuple[int, date, time | None] | None:
    """Where a closing ``截至 <时间>`` starts and the moment it names, or None (then ``截至``
    is "as of" and stays text, even a date that does not exist)."""
    marks = list(_AS_OF_MARK.finditer(text))
    if not marks:
        return None
    mark = marks[-1]
    tail = text[mark.end() :]
    if not _DATE_SHAPED.match(when.fold(tail)):
        return None
    try:
        found = _moment(tail, today)
    except when.Unreadable:
        return None
    if found is None or found[2]:
        return None
    return mark.start(), found[0], found[1]


def trailing_due(text: str, timezone: str, today: date) -> tuple[str, datetime | None]:
    """Split a ``/通知``/``/群发`` text into its content and a trailing ``截止 <时间>``
    (``截止日期``/``截止时间`` too, a ``前`` after it allowed): any of
    :mod:`teamassist.chat.when`'s forms (``2026-12-04 18:00``, ``2026年12月4日``,
    ``12月4日下午6点``, ``周五``, ``下周五``, full-width digits, the seed's ``202612041800``) read
    against the team-local ``today``, a date alone at 18:00. The deadline is the team's wall
    clock (aware, ``timezone``), left for :func:`~teamassist.announcements.service.check_due` to
    refuse when past or too far. A marker followed by plain words (``截止 日期另行通知``) is part
    of the text. (Testers' ``截止 2027年12月3日`` and ``截止 周五`` were sent as text.) The
    homophone ``截至`` marks a deadline only as a closing ``截至 周五`` (or ``截至 周五前``).

    Raises Invalid ``announcements.error.bad_due`` for a date or time that does not exist,
    ``announcements.error.due_unread`` for a marker followed by something date-shaped that is
    not a deadline alone (``截止 周五下班``, ``截止 12月4日 交齐``), ``due_missing`` for a
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
    if not _DATE_SHAPED.match(written):
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
        if earlier.start() < end and _DATE_SHAPED.match(when.fold(text[earlier.end() : end])):
            raise Invalid("announcements.error.due_twice", example=user_text(DUE_EXAMPLE))
