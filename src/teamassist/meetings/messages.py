"""Texts of the meeting notices and the command replies (catalogue: ``locale/meetings.toml``).

A series' own texts (``core_text``/``team_text``) name their values (``{meeting}``, ``{start}``,
``{due}``, ``{place}``, ``{report}``, ``{next}``, ``{link}``); the place and the video link are
also shown as fields, so an edited text that leaves them out still tells people where to go.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from teamassist.chat import timetext
from teamassist.chat.types import Reply, ReplyField, user_text
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.meetings.models import MeetingOccurrence, Status
from teamassist.team.models import Team
from teamassist.weblinks import chat_link

__all__ = ["Reply", "when"]


def when(value: datetime, team: Team, *, now: datetime | None = None) -> str:
    """``10月9日（周五）08:30`` in the team's zone; with ``now``, the year in front when it is
    another team-local year (:func:`teamassist.chat.timetext.when`)."""
    return timetext.when(value, team.timezone, now=now)


def place(occ: MeetingOccurrence) -> str:
    """The place as written (for calendars), or the catalogue's "to be announced"."""
    return occ.place or t("meetings.word.no_place")


def _place(occ: MeetingOccurrence) -> str:
    """The place for a chat message: typed by an admin into the team's settings, so user text
    (a ``[x](javascript:…)`` there stays literal)."""
    return user_text(occ.place) if occ.place else t("meetings.word.no_place")


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:  # a text checked on write never gets here
        return ""


def _fields(occ: MeetingOccurrence, team: Team) -> list[ReplyField]:
    fields = [
        ReplyField(label=t("meetings.field.start"), value=when(occ.start_at, team)),
        ReplyField(label=t("meetings.field.due"), value=when(occ.due_at, team)),
        ReplyField(label=t("meetings.field.place"), value=_place(occ)),
    ]
    if occ.video_url:
        fields.append(ReplyField(label=t("meetings.field.video"), value=chat_link(occ.video_url)))
    return fields


def _provisional(occ: MeetingOccurrence, team: Team) -> str:
    if not occ.provisional:
        return ""
    return "\n\n" + t("meetings.word.provisional", year=local(occ.start_at, team.timezone).year)


def notice(
    team: Team, occ: MeetingOccurrence, text: str, *, link: str, agenda: Sequence[str]
) -> Reply:
    """The notice of ``occ`` in the series' ``text``, with the agenda sections appended."""
    body = text.format_map(
        _Values(
            meeting=occ.title,
            report=occ.report_title,
            start=when(occ.start_at, team),
            due=when(occ.due_at, team),
            place=_place(occ),
            next=occ.next_label,
            link=link,
        )
    ).strip()
    if agenda:
        body += "\n\n" + t("meetings.notice.agenda") + "\n" + "\n\n".join(agenda)
    body += _provisional(occ, team)
    return Reply(title=occ.title, body=body, fields=_fields(occ, team))


def due(team: Team, occ: MeetingOccurrence, *, link: str) -> Reply:
    """At the report deadline: the report is due now, the meeting comes next."""
    body = t(
        "meetings.notice.due",
        report=occ.report_title,
        meeting=occ.title,
        start=when(occ.start_at, team),
    )
    if link:
        body += f"\n{link}"
    return Reply(title=occ.title, body=body, fields=_fields(occ, team))


def start(team: Team, occ: MeetingOccurrence, *, agenda: Sequence[str]) -> Reply:
    """At the meeting's start: where, the video link, and the agenda."""
    body = t("meetings.notice.start", meeting=occ.title, place=_place(occ))
    if occ.video_url:
        body += "\n" + t("meetings.notice.video", url=chat_link(occ.video_url))
    if agenda:
        body += "\n\n" + t("meetings.notice.agenda") + "\n" + "\n\n".join(agenda)
    return Reply(title=occ.title, body=body)


def evaluation(
    team: Team, occ: MeetingOccurrence, *, close: datetime, candidates: Sequence[str]
) -> Reply:
    """After a period meeting: everyone ranks the leaders before ``close`` (the built-in form
    replacing the seed's 快问卷 questionnaire)."""
    body = t("meetings.notice.evaluation", meeting=occ.title, close=when(close, team))
    if candidates:
        body += "\n" + t(
            "meetings.notice.evaluation_how", id=occ.id, candidates="、".join(candidates)
        )
    return Reply(title=t("meetings.notice.evaluation_title"), body=body)


def moved(team: Team, occ: MeetingOccurrence, *, before: datetime, now: datetime) -> Reply:
    """To the channels that had the notice: the meeting moved (a date in another year than
    ``now``'s reads with its year)."""
    body = t(
        "meetings.notice.moved",
        meeting=occ.title,
        before=when(before, team, now=now),
        start=when(occ.start_at, team, now=now),
    )
    if occ.note:
        body += "\n" + t("meetings.word.reason", reason=user_text(occ.note))
    return Reply(title=occ.title, body=body, fields=_fields(occ, team))


def cancelled(team: Team, occ: MeetingOccurrence, *, now: datetime) -> Reply:
    """To the channels that had the notice: the meeting is off."""
    body = t(
        "meetings.notice.cancelled", meeting=occ.title, start=when(occ.start_at, team, now=now)
    )
    if occ.note:
        body += "\n" + t("meetings.word.reason", reason=user_text(occ.note))
    return Reply(title=occ.title, body=body)


def ranked(team: Team, occ: MeetingOccurrence, count: int, close: datetime) -> Reply:
    """The reply to a judge: their ranking is kept, secret until the form closes."""
    return Reply(
        body=t("meetings.receipt.ranked", meeting=occ.title, count=count, close=when(close, team))
    )


def standings(occ: MeetingOccurrence, found: Sequence[tuple[str, int, int]], judges: int) -> Reply:
    """``/评价结果``: (name, points, ballots) best first."""
    if not found:
        return Reply(body=t("meetings.results.empty", meeting=occ.title))
    lines = [
        t("meetings.results.line", place=i, name=name, points=points, ballots=ballots)
        for i, (name, points, ballots) in enumerate(found, start=1)
    ]
    return Reply(
        title=t("meetings.results.title", meeting=occ.title),
        body=t("meetings.results.head", judges=judges) + "\n" + "\n".join(lines),
    )


def provisional_notice(team: Team, year: int) -> Reply:
    """To the admins, once per year: that year's meeting days are a Monday–Friday guess."""
    return Reply(
        title=t("meetings.provisional.title"),
        body=t("meetings.provisional.body", year=year, team=team.name),
    )


def line(team: Team, occ: MeetingOccurrence, *, now: datetime) -> str:
    """One occurrence in a list (its year shown when it is not ``now``'s)."""
    state = t(
        "meetings.state.cancelled"
        if occ.status == Status.CANCELLED.value
        else ("meetings.state.moved" if occ.moved else "meetings.state.scheduled")
    )
    return t(
        "meetings.list.line",
        id=occ.id,
        title=occ.title,
        start=when(occ.start_at, team, now=now),
        place=_place(occ),
        state=state,
    )


def listing(team: Team, found: Sequence[MeetingOccurrence], *, now: datetime) -> Reply:
    """``/会议``: the upcoming occurrences with their numbers; one in another year than
    ``now``'s says its year (a tester read 2027's 1月6日 as this January)."""
    if not found:
        return Reply(body=t("meetings.list.empty"))
    body = "\n".join(line(team, occ, now=now) for occ in found)
    return Reply(title=t("meetings.list.title"), body=body + "\n\n" + t("meetings.list.tail"))


def _told(occ: MeetingOccurrence, before_notice: str) -> str:
    # the groups hear of a change only once its notice went out (meetings.changes._tell)
    return t("meetings.receipt.told") if occ.notice_sent_at is not None else t(before_notice)


def receipt_moved(
    team: Team, occ: MeetingOccurrence, warnings: Sequence[str] = (), *, now: datetime
) -> Reply:
    """The reply to whoever moved it, with the report deadline while it is still to come (it
    moves with the meeting), each warning on a line of its own after it."""
    body = t(
        "meetings.receipt.moved",
        id=occ.id,
        meeting=occ.title,
        start=when(occ.start_at, team, now=now),
        told=_told(occ, "meetings.receipt.moved_before_notice"),
    )
    if occ.due_sent_at is None:
        body += "\n" + t(
            "meetings.receipt.moved_due",
            report=occ.report_title,
            due=when(occ.due_at, team, now=now),
        )
    return Reply(body="\n".join((body, *warnings)))


def receipt_cancelled(team: Team, occ: MeetingOccurrence, *, now: datetime) -> Reply:
    """The reply to whoever cancelled it."""
    return Reply(
        body=t(
            "meetings.receipt.cancelled",
            id=occ.id,
            meeting=occ.title,
            start=when(occ.start_at, team, now=now),
            told=_told(occ, "meetings.receipt.cancelled_before_notice"),
        )
    )
