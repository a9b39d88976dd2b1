"""A team's meeting series, in ``team.settings["meetings"]``; every value has a default.

``team.settings["meetings"]["weekly"]`` (and ``monthly``, ``quarterly``, ``half_year``,
``annual``) may set any of: ``enabled`` (bool), ``notice_weekday``/``due_weekday``/
``start_weekday`` (ISO 1 = Monday … 7 = Sunday), ``notice_time``/``due_time``/``start_time``
(``HH:MM`` team-local), ``notice_lead_days`` (period meetings: the notice goes out this many days
before the anchor day), ``duration_minutes``, ``place``, ``video_url``, ``holiday`` (``later`` /
``earlier`` / ``keep``), ``core_text`` and ``team_text`` (named placeholders, see
:data:`PLACEHOLDERS`). Defaults are the seed's (OKR助理 §1.3, §1.4): Friday 08:30 notice, Monday
17:30 report due, Tuesday 08:30 meeting; its texts without its hard-coded room (the place is a
field). An unreadable value takes its default, so a bad edit never stops a team's meetings;
:func:`check_text` refuses a text with an unknown placeholder when it is written.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from enum import StrEnum

from teamassist.clock import is_hhmm
from teamassist.enums import ChannelPurpose
from teamassist.exceptions import Invalid
from teamassist.team.models import Team
from teamassist.weblinks import is_web_link


class Kind(StrEnum):
    """A meeting series, smallest first (a larger period meeting wins a month it shares)."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEAR = "half_year"
    ANNUAL = "annual"


class HolidayPolicy(StrEnum):
    """Where a step that falls on a day off goes: the next working day (the default), the
    previous one, or nowhere (it stays on the day off)."""

    LATER = "later"
    EARLIER = "earlier"
    KEEP = "keep"


# What a text may name; anything else is refused on edit (the seed's positional {} crashed).
PLACEHOLDERS = frozenset({"meeting", "report", "start", "due", "place", "next", "link"})

_WEEKLY_CORE = "各位领导，本周周会将于{start}在{place}正常召开，请在{due}前完成周报。{link}"
_MONTHLY_CORE = "各位领导，{meeting}将于{start}在{place}召开，请在{due}前完成{report}。{link}"
_MONTHLY_TEAM = (
    "各位领导和同事，{meeting}将于{start}在{place}召开，请各团队负责人准时到会参会，"
    "请其他同事通过会议邀请中的视频会议链接参会。"
)
_PERIOD_CORE = (
    "各位领导，{meeting}将于{start}在{place}召开，请在{due}前完成：1、个人和团队的{next}季度OKR"
    "的制定；2、根据{next}季度OKR更新OKR周报模板和OKR月报模板中对应的部分；3、完成{report}。{link}"
)
_PERIOD_TEAM = (
    "各位领导和同事，{meeting}将于{start}在{place}召开，请在{due}前完成个人{next}季度OKR的制定。"
)


@dataclass(frozen=True)
class Series:
    """One series' rule. Weekdays are ISO (1 = Monday); the due and start days are the first
    such weekday on or after the notice's (the seed's ``(day − notice + 7) mod 7``)."""

    kind: Kind
    enabled: bool = True
    notice_weekday: int = 5
    notice_time: str = "08:30"
    due_weekday: int = 1
    due_time: str = "17:30"
    start_weekday: int = 2
    start_time: str = "08:30"
    notice_lead_days: int = 0
    duration_minutes: int = 90
    place: str = ""
    video_url: str = ""
    holiday: HolidayPolicy = HolidayPolicy.LATER
    core_text: str = _MONTHLY_CORE
    team_text: str = ""  # empty: no whole-team message (the weekly meeting is core-only)
    evaluation: bool = False  # ask everyone for the OKR evaluation after the meeting

    def audience(self) -> tuple[ChannelPurpose, ...]:
        """Who the meeting is for: the core group, and the whole team when the series has a
        team text (the period meetings); its start and its changes go there."""
        if self.team_text:
            return (ChannelPurpose.CORE, ChannelPurpose.TEAM)
        return (ChannelPurpose.CORE,)


DEFAULTS: dict[Kind, Series] = {
    Kind.WEEKLY: Series(Kind.WEEKLY, core_text=_WEEKLY_CORE),
    Kind.MONTHLY: Series(Kind.MONTHLY, team_text=_MONTHLY_TEAM, evaluation=True),
    # Quarter, half-year and year ends give a week more: next period's OKRs are set first.
    Kind.QUARTERLY: Series(
        Kind.QUARTERLY,
        notice_lead_days=7,
        core_text=_PERIOD_CORE,
        team_text=_PERIOD_TEAM,
        evaluation=True,
    ),
    Kind.HALF_YEAR: Series(
        Kind.HALF_YEAR,
        notice_lead_days=7,
        core_text=_PERIOD_CORE,
        team_text=_PERIOD_TEAM,
        evaluation=True,
    ),
    Kind.ANNUAL: Series(
        Kind.ANNUAL,
        notice_lead_days=7,
        core_text=_PERIOD_CORE,
        team_text=_PERIOD_TEAM,
        evaluation=True,
    ),
}

MAX_TEXT = 2000
MAX_PLACE = 200
MAX_URL = 500


def check_text(text: str) -> str:
    """``text`` if every ``{name}`` in it is one of :data:`PLACEHOLDERS`; raises ``Invalid``
    (``meetings.error.bad_text``) otherwise, or when it is too long or malformed."""
    if len(text) > MAX_TEXT:
        raise Invalid("meetings.error.text_too_long", limit=MAX_TEXT)
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        raise Invalid("meetings.error.bad_text", names="、".join(sorted(PLACEHOLDERS))) from None
    if not names <= PLACEHOLDERS or any(not n for n in names):
        raise Invalid("meetings.error.bad_text", names="、".join(sorted(PLACEHOLDERS)))
    return text


def _weekday(value: object, default: int) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7
    return value if ok else default  # type: ignore[return-value]


def _number(value: object, default: int, low: int, high: int) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return value if ok else default  # type: ignore[return-value]


def _time(value: object, default: str) -> str:
    return value if isinstance(value, str) and is_hhmm(value) else default


def _text(value: object, default: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        return default
    try:
        return check_text(value) if limit == MAX_TEXT else value
    except Invalid:
        return default


def _link(value: object, default: str) -> str:
    # only an http(s) link becomes a meeting's video link (a javascript: one ran from the
    # dashboard's link: tester s23 F9)
    text = _text(value, default, MAX_URL)
    return text if not text or is_web_link(text) else default


def _series(kind: Kind, raw: object) -> Series:
    base = DEFAULTS[kind]
    if not isinstance(raw, dict):
        return base
    try:
        holiday = HolidayPolicy(raw.get("holiday", base.holiday.value))
    except ValueError:
        holiday = base.holiday
    enabled = raw.get("enabled", base.enabled)
    return replace(
        base,
        enabled=enabled if isinstance(enabled, bool) else base.enabled,
        notice_weekday=_weekday(raw.get("notice_weekday"), base.notice_weekday),
        notice_time=_time(raw.get("notice_time"), base.notice_time),
        due_weekday=_weekday(raw.get("due_weekday"), base.due_weekday),
        due_time=_time(raw.get("due_time"), base.due_time),
        start_weekday=_weekday(raw.get("start_weekday"), base.start_weekday),
        start_time=_time(raw.get("start_time"), base.start_time),
        notice_lead_days=_number(raw.get("notice_lead_days"), base.notice_lead_days, 0, 28),
        duration_minutes=_number(raw.get("duration_minutes"), base.duration_minutes, 5, 720),
        place=_text(raw.get("place"), base.place, MAX_PLACE),
        video_url=_link(raw.get("video_url"), base.video_url),
        holiday=holiday,
        core_text=_text(raw.get("core_text"), base.core_text, MAX_TEXT),
        team_text=_text(raw.get("team_text"), base.team_text, MAX_TEXT),
        evaluation=bool(raw.get("evaluation", base.evaluation)),
    )


@dataclass(frozen=True)
class MeetingSettings:
    """Every series of a team, by kind."""

    series: dict[Kind, Series]

    def __getitem__(self, kind: Kind) -> Series:
        return self.series[kind]


def of(team: Team) -> MeetingSettings:
    """The team's series; a missing or unreadable value takes its default."""
    raw = (team.settings or {}).get("meetings") or {}
    if not isinstance(raw, dict):
        raw = {}
    return MeetingSettings({kind: _series(kind, raw.get(kind.value)) for kind in Kind})
