"""Telling the other party of a 1on1 moved or cancelled by hand: whoever did not make the
change gets a direct message (both people when an admin made it). The outbox key names the
occurrence and its SEQUENCE, so a redelivered or retried change tells nobody twice, and each
later move tells again."""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply, user_text
from teamassist.clock import ensure_utc
from teamassist.events import OneOnOneMeetingChanged
from teamassist.i18n import t
from teamassist.one_on_ones import flows, messages, service
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.team import service as team_service
from teamassist.team.models import Team


def on_changed(session: Session, event: OneOnOneMeetingChanged) -> int:
    """Queue the notices for ``event`` when it is a change by hand; the number queued."""
    if not event.by_hand:
        return 0  # planned or re-planned by the slot's rule: the slot change said so
    meeting = session.get(OneOnOneMeeting, event.meeting_id)
    if meeting is None:
        return 0
    pair = session.get(OneOnOne, meeting.pair_id)
    team = session.get(Team, meeting.team_id)
    if pair is None or team is None:
        return 0
    others = [i for i in (pair.manager_id, pair.report_id) if i != event.by_member_id]
    names = flows.names(session, [pair], extra=(event.by_member_id,) if event.by_member_id else ())
    who = (
        names.get(event.by_member_id, "?")
        if event.by_member_id in (pair.manager_id, pair.report_id)
        else t("one_on_ones.notice.by_admin")
    )
    following = service.next_meeting(session, pair=pair, now=event.now)
    reply = _reply(team, pair, meeting, names, who, event, following)
    key = f"one_on_ones.changed:{meeting.id}:{meeting.sequence}"
    people = team_service.members_by_id(session, others)
    queued = 0
    for person in people.values():
        if team_service.has_left(person):
            continue  # a 1on1 is private: never re-routed to a duty room for someone gone
        if notify.to_member(session, member=person, reply=reply, key=key, now=event.now):
            queued += 1
    return queued


def _reply(
    team: Team,
    pair: OneOnOne,
    meeting: OneOnOneMeeting,
    names: dict[int, str],
    who: str,
    event: OneOnOneMeetingChanged,
    following: OneOnOneMeeting | None,
) -> Reply:
    title = messages.title(pair, names)
    start = messages.when(meeting.start_at, team, now=event.now)
    if meeting.status == service.CANCELLED:
        head = t("one_on_ones.notice.cancelled_title")
        carry = messages.carried_to(team, following, now=event.now)
        body = t("one_on_ones.notice.cancelled", who=who, title=title, start=start, carry=carry)
    elif event.was_start is not None and event.was_start == ensure_utc(meeting.start_at):
        head = t("one_on_ones.notice.note_changed_title")  # the same time, a new reason
        body = t("one_on_ones.notice.note_changed", who=who, title=title, start=start)
    else:
        was = messages.when(event.was_start, team, now=event.now) if event.was_start else "?"
        head = t("one_on_ones.notice.moved_title")
        body = t("one_on_ones.notice.moved", who=who, title=title, start=start, was=was)
    if meeting.note:
        body += "\n" + t("one_on_ones.notice.note", note=user_text(meeting.note))
    return Reply(title=head, body=body)
