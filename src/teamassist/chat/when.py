"""The one reader of dates and times of day as people type them in chat; every command that
takes a date or a time reads the shared forms here, and keeps only its own forms (a 1on1 slot
rule, an OKR cycle name) and its own meaning of a missing time in its domain.

Dates (one word; full-width digits and signs too):

* ``2026-12-31`` ``2026/12/31`` ``2026.12.31`` ``2026年12月31日`` and the seed's ``20261231``;
* ``今年``/``明年``/``后年``/``去年`` before ``M月D日`` (``明年1月8日``: that day of the year after
  ``today``'s);
* ``12-31`` ``12/31`` ``12月31日`` (``号`` too, or neither): the next such day on or after
  ``today`` (on 2026-12-31 itself that day; on 2026-12-20 ``1月5日`` is 2027-01-05), except one
  that passed within the last 31 days, which is that past day for its caller to refuse as past
  (``RECENTLY_PASSED``: on 2027-01-01 ``12/31`` is 2026-12-31);
* ``今天`` ``明天`` ``后天`` ``昨天`` (``today`` ``tomorrow`` ``yesterday``);
* ``下周一`` … ``下周日`` (the weekday of next week, Monday-based), ``本周五``/``这周五`` (of this
  week, even when it has passed), ``星期``/``礼拜`` for ``周``;
* a bare weekday ``周五`` (``星期五``, ``礼拜五``): the next such day on or after ``today``, so on a
  Friday ``周五`` is that very Friday (people say "周五前交" on the Friday meaning today; a
  deadline that has then passed is refused by its caller as past, never moved a week on).

Times of day: ``12:30`` ``12：30`` ``１２：３０`` ``9:05``, ``3点`` ``3点半`` ``15点30(分)``, and
those after ``上午``/``早上``/``凌晨``/``中午``/``下午``/``傍晚``/``晚上`` (``下午3点`` is 15:00,
``晚上8点半`` 20:30, ``中午12点`` 12:00, ``中午1点`` 13:00).

A date word may carry its time glued on (``明天下午3点``, ``12月31日12:30``) and the seed's
``202612311730``. Words that are no date or time give None; a word shaped like one that does
not exist (``2026-02-30``, ``25:00``, ``9:75``) raises :class:`Unreadable`, so a command can
say so instead of reading it as text. Which years make sense is the caller's business.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

_FULLWIDTH = {0xFF10 + i: ord("0") + i for i in range(10)} | {
    0xFF0B: ord("+"),
    0xFF0D: ord("-"),
    0x2212: ord("-"),  # minus sign
    0xFF0F: ord("/"),
    0xFF0E: ord("."),
}

_RELATIVE = {
    "今天": 0,
    "today": 0,
    "明天": 1,
    "tomorrow": 1,
    "后天": 2,
    "昨天": -1,
    "yesterday": -1,
}
_YEARS = {"今年": 0, "明年": 1, "后年": 2, "去年": -1}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# One date at the start of a word; the rest of the word may be a time of day.
_DATE = re.compile(
    r"(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})"
    r"|(?:(?P<cy>[0-9]{4})年|(?P<ry>今年|明年|后年|去年))?(?P<cm>[0-9]{1,2})月(?P<cd>[0-9]{1,2})[日号]?"
    r"|(?P<sm>[0-9]{1,2})[-/](?P<sd>[0-9]{1,2})(?![0-9])"
    r"|(?P<week>下|本|这)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])"
    r"|(?P<rel>今天|明天|后天|昨天|today|tomorrow|yesterday)",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2}))?")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{1,2})")
_PART = "上午|早上|早晨|凌晨|中午|下午|傍晚|晚上"
_SPOKEN = re.compile(
    rf"(?P<part>{_PART})?(?:(?P<h>[0-9]{{1,2}})(?:点|时)(?:(?P<half>半)|(?P<min>[0-9]{{1,2}})分?)?"
    rf"|(?P<ch>[0-9]{{1,2}}):(?P<cm>[0-9]{{1,2}}))"
)
_AFTERNOON = {"下午", "傍晚", "晚上"}


class Unreadable(ValueError):
    """A word shaped like a date or a time that does not exist; ``word`` is what was typed."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def ascii_digits(token: str) -> str:
    """Full-width digits and signs (as Chinese input methods type them) as ASCII; other
    scripts' digits stay as they are, so they are not read as numbers."""
    return token.translate(_FULLWIDTH)


def fold(word: str) -> str:
    """``word`` as the readers see it: full-width digits, signs and colons as ASCII."""
    return ascii_digits(word).replace("：", ":").strip()


# A day without a year that passed less than this long ago is read as that past day (for the
# caller to refuse), not as the same day a year on: a tester's "12月1日" typed on 12-02 was due
# in 2027 without a word. One that passed longer ago means the next one ("6月10日" in December).
RECENTLY_PASSED = timedelta(days=31)


def _nearest(month: int, day: int, today: date) -> date:
    found: list[date] = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            found.append(date(year, month, day))
        except ValueError:  # 2月29日 outside a leap year
            continue
    ahead = [d for d in found if d >= today]
    passed = [d for d in found if d < today]
    if passed and today - passed[-1] <= RECENTLY_PASSED:
        return passed[-1]
    if not ahead:
        return date(today.year, month, day)  # raises ValueError: no such day
    return ahead[0]


def _date(match: re.Match[str], today: date) -> date:
    g = match.groupdict()
    if g["y"]:
        return date(int(g["y"]), int(g["m"]), int(g["d"]))
    if g["cm"]:
        if g["cy"]:
            return date(int(g["cy"]), int(g["cm"]), int(g["cd"]))
        if g["ry"]:
            return date(today.year + _YEARS[g["ry"]], int(g["cm"]), int(g["cd"]))
        return _nearest(int(g["cm"]), int(g["cd"]), today)
    if g["sm"]:
        return _nearest(int(g["sm"]), int(g["sd"]), today)
    if g["wd"]:
        if g["week"] is None:  # a bare weekday: the next one, today included
            return today + timedelta(days=(_WEEKDAY[g["wd"]] - today.weekday()) % 7)
        monday = today - timedelta(days=today.weekday())
        if g["week"] == "下":
            monday += timedelta(days=7)
        return monday + timedelta(days=_WEEKDAY[g["wd"]])
    return today + timedelta(days=_RELATIVE[g["rel"].casefold()])


def time_of(word: str) -> time | None:
    """The time of day ``word`` is, or None when it is none; :class:`Unreadable` for one that
    does not exist (``25:00``, ``9:75``, ``下午13点``)."""
    written = fold(word)
    match = _SPOKEN.fullmatch(written)
    if match is None:
        return None
    g = match.groupdict()
    hours = int(g["h"] if g["h"] is not None else g["ch"])
    minutes = 30 if g["half"] else int(g["min"] or g["cm"] or 0)
    if g["part"] is not None and hours > 12:
        raise Unreadable(word)  # 下午15点 says two different things
    if g["part"] in _AFTERNOON and hours < 12:
        hours += 12
    elif g["part"] == "中午" and hours < 11:
        hours += 12  # 中午1点 is 13:00
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise Unreadable(word)
    return time(hours, minutes)


def moment_of(word: str, today: date) -> tuple[date, time | None] | None:
    """The date ``word`` names and the time glued to it (``明天下午3点``, ``12月31日12:30``,
    ``202612311730``), or None when the word does not start with a date (or what follows the
    date is no time). :class:`Unreadable` for a date or time that does not exist."""
    written = fold(word)
    try:
        if match := _COMPACT.fullmatch(written):
            year, month, day, hours, minutes = match.groups()
            at = time(int(hours), int(minutes)) if hours is not None else None
            return date(int(year), int(month), int(day)), at
        match = _DATE.match(written)
        if match is None:
            return None
        rest = written[match.end() :]
        at = time_of(rest) if rest else None
        if rest and at is None:
            return None  # 12月31日的会: not a date word
        return _date(match, today), at
    except ValueError as error:  # date(2026, 2, 30), time(25, 0), or Unreadable itself
        raise Unreadable(word) from error


def date_of(word: str, today: date) -> date | None:
    """The date ``word`` is (no time glued on), or None; :class:`Unreadable` as above."""
    found = moment_of(word, today)
    if found is None or found[1] is not None:
        return None
    return found[0]


def split_moment(
    words: list[str], today: date, *, at_end: bool = False
) -> tuple[date, time | None, list[str]] | None:
    """A date, and a time after it (glued on or the next word), at the start of ``words`` (at
    the end with ``at_end``): ``(date, time or None, the other words)``; None when no date is
    there. :class:`Unreadable` for a date or time that does not exist."""
    if not words:
        return None
    if at_end:
        if len(words) >= 2 and (at := time_of(words[-1])) is not None:
            found = moment_of(words[-2], today)
            if found is not None and found[1] is None:
                return found[0], at, words[:-2]
        found = moment_of(words[-1], today)
        return (found[0], found[1], words[:-1]) if found is not None else None
    found = moment_of(words[0], today)
    if found is None:
        return None
    day, at = found
    rest = words[1:]
    if at is None and rest and (later := time_of(rest[0])) is not None:
        return day, later, rest[1:]
    return day, at, rest
