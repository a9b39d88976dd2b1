"""The rotation editor's form: its fields as submitted, read once for preview and save, and
turned into a :class:`~teamassist.duty.planning.RosterChange` after checking the people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form
from sqlalchemy.orm import Session

from teamassist.duty import service
from teamassist.duty.pages.base import parse_date
from teamassist.duty.planning import RosterChange
from teamassist.exceptions import DomainError, NotFound
from teamassist.http.auth import Principal
from teamassist.http.fields import storable_id
from teamassist.team.models import Member, Team

ACTIONS = ("add", "remove", "swap", "replan", "params")


@dataclass
class EditorForm:
    """The editor's fields as submitted."""

    rotation_id: str
    action: str
    member_ids: list[int]
    effective_date: str
    turn_days: str
    people_per_turn: str
    handoff_time: str
    calendar: str


def _int_or_none(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise DomainError("duty_web.error.bad_number", value=value[:20]) from exc


def roster_change(
    session: Session, principal: Principal, team: Team, form: EditorForm
) -> RosterChange:
    if form.action not in ACTIONS:
        raise DomainError("duty.error.bad_action", action=form.action[:20])
    people = service.members_by_id(session, form.member_ids)
    members: list[Member] = []
    for member_id in form.member_ids:
        member = people.get(member_id)
        if member is None or member.workspace_id != principal.workspace.id:
            raise NotFound("core.error.unknown_member", who=str(member_id))
        members.append(member)
    service.check_team_members(session, team=team, members=members)
    return RosterChange(
        action=form.action,
        member_ids=tuple(form.member_ids),
        effective_date=parse_date(form.effective_date),
        turn_days=_int_or_none(form.turn_days),
        people_per_turn=_int_or_none(form.people_per_turn),
        handoff_time=form.handoff_time.strip() or None,
        calendar=form.calendar.strip() or None,
    )


def _editor_form(
    rotation_id: str,
    action: str,
    member_ids: list[str],
    effective_date: str,
    turn_days: str,
    people_per_turn: str,
    handoff_time: str,
    calendar: str,
) -> EditorForm:
    ids: list[int] = []
    for value in member_ids:
        if not value.strip().isascii() or not value.strip().isdigit():
            raise DomainError("duty_web.error.bad_number", value=value[:20])
        ids.append(storable_id(int(value)))
    return EditorForm(
        rotation_id,
        action,
        ids,
        effective_date,
        turn_days,
        people_per_turn,
        handoff_time,
        calendar,
    )


_FormStr = Annotated[str, Form()]


def _submitted(
    rotation_id: _FormStr = "",
    action: _FormStr = "",
    member_ids: Annotated[list[str] | None, Form()] = None,
    effective_date: _FormStr = "",
    turn_days: _FormStr = "",
    people_per_turn: _FormStr = "",
    handoff_time: _FormStr = "",
    calendar: _FormStr = "",
) -> EditorForm | str:
    """The editor's fields, read once for preview and save; a bad field comes back as its text."""
    try:
        return _editor_form(
            rotation_id,
            action,
            member_ids or [],
            effective_date,
            turn_days,
            people_per_turn,
            handoff_time,
            calendar,
        )
    except DomainError as exc:
        return exc.message()


Submitted = Annotated[EditorForm | str, Depends(_submitted)]
