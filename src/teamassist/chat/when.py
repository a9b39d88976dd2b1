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

* ``4号`` / ``4日`` (a day of the month alone): the next such day on or after ``today`` (on the
  5th, next month's 4th: a month is not a year, and the reply names the full date);
* ``元旦`` and ``春节`` (``元旦前``, ``春节前`` alike): the last day before that holiday's first
  statutory day off (12-31; the day before 除夕), from :mod:`teamassist.workdays.china`.

Spoken forms fold to the written ones first (:func:`fold`): Chinese numerals before
``月``/``日``/``号``/``点``/``时`` (``十二月四日``, ``四号``, ``下午三点``), ``週``/``禮拜``,
``今儿``/``今日`` (明 and 后 too), and ``今晚``/``今夜``/``明晚`` (= ``今天晚上``...).

Times of day: ``12:30`` ``12：30`` ``１２：３０`` ``9:05``, ``3点`` ``3点半`` ``15点30(分)``, and
those after ``上午``/``早上``/``凌晨``/``中午``/``下午``/``傍晚``/``晚上`` (``下午3点`` is 15:00,
``晚上8点半`` 20:30, ``中午12点`` 12:00, ``中午1点`` 13:00). Alone, ``中午`` is 12:00 and
``晚上``/``夜里`` 23:59 (``截止今晚`` is not late at 20:00: the latest moment it can mean), and
``下班`` is the end of the working day, which only the caller knows: it reads as no time, as a
date alone does (``周五下班`` = ``周五``; ``下班`` alone is today).

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
    r"|(?P<rel>今天|明天|后天|昨天|today|tomorrow|yesterday)"
    r"|(?P<dd>[0-9]{1,2})[日号]"
    r"|(?P<fest>元旦|春节)(?:之前|以前|前)?",
    re.IGNORECASE,
)
# The holidays a date word may name, by chinese_calendar's name for them.
_FESTIVALS = {"元旦": "New Year's Day", "春节": "Spring Festival"}
# Parts of the day that are a time alone; 下班 is the caller's end of the working day.
_PART_ALONE = {"中午": time(12, 0), "晚上": time(23, 59), "夜里": time(23, 59)}
END_OF_WORK = "下班"
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


_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGIT |= {"六": 6, "七": 7, "八": 8, "九": 9}
# Chinese numerals (up to 99) where a date or a time is counted: 十二月四日, 四号, 三点半.
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十]{1,3})(?=[月日号点时])")
_SPOKEN_WORDS = (
    ("週", "周"),
    ("禮拜", "礼拜"),
    ("今儿", "今天"),
    ("明儿", "明天"),
    ("今日", "今天"),
    ("明日", "明天"),
    ("今晚", "今天晚上"),
    ("今夜", "今天晚上"),
    ("明晚", "明天晚上"),
    ("明夜", "明天晚上"),
)


def _cn_number(match: re.Match[str]) -> str:
    text = match.group(1)
    tens, _, ones = text.rpartition("十")
    if "十" not in text:
        return str(_CN_DIGIT[text]) if len(text) == 1 else text  # 一二: not a number
    if len(tens) > 1 or len(ones) > 1 or any(c not in _CN_DIGIT for c in tens + ones):
        return text
    return str((_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0))


def fold(word: str) -> str:
    """``word`` as the readers see it: full-width digits, signs and colons as ASCII, spoken
    forms as written ones (``十二月四日`` → ``12月4日``, ``週五`` → ``周五``, ``今晚`` →
    ``今天晚上``)."""
    written = ascii_digits(word).replace("：", ":").strip()
    for spoken, plain in _SPOKEN_WORDS:
        written = written.replace(spoken, plain)
    return _CN_NUMBER.sub(_cn_number, written)


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


def _day_of_month(day: int, today: date) -> date:
    """The next ``day`` of a month on or after ``today`` (a 31st skips the short months)."""
    year, month = today.year, today.month
    for _ in range(12):
        try:
            found = date(year, month, day)
        except ValueError:  # 31号 in November, or 40号: the next month that has it
            found = None
        if found is not None and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise ValueError(f"no day {day} in a month")


def _before_holiday(name: str, today: date) -> date:
    """The last day before the first statutory day off of holiday ``name`` (chinese_calendar's
    name) that is on or after ``today``: 元旦 (and 元旦前) on 2026-12-02 is 2026-12-31."""
    from teamassist.workdays.china import statutory_holidays  # lunar tables on first use

    for year in (today.year, today.year + 1):
        days = [d for d, holiday in statutory_holidays(year) if holiday == name]
        if days and min(days) - timedelta(days=1) >= today:
            return min(days) - timedelta(days=1)
    raise ValueError(name)


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
    if g["dd"]:
        return _day_of_month(int(g["dd"]), today)
    if g["fest"]:
        return _before_holiday(_FESTIVALS[g["fest"]], today)
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
    if written in _PART_ALONE:
        return _PART_ALONE[written]
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
        if written == END_OF_WORK:
            return today, None  # 下班(前): today, at the caller's end of the working day
        match = _DATE.match(written)
        if match is None:
            return None
        rest = written[match.end() :]
        if rest == END_OF_WORK:  # 周五下班: that day's end of work, which is the caller's
            return _date(match, today), None
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
    if at is None and rest and fold(rest[0]) == END_OF_WORK:
        return day, None, rest[1:]  # 周五 下班
    if at is None and rest and (later := time_of(rest[0])) is not None:
        return day, later, rest[1:]
    return day, at, rest
