"""The workspace ports (``Tasks``, ``Calendar``, ``Documents``) chosen per team.

A team whose chats are on a platform with its own workspace tools (Feishu) and whose install
enabled them gets that platform's implementation; every other team (QQ, WeCom, web only) gets
the built-in one: action items are the tasks, the ``.ics`` invitations and feeds are the
calendar, the dashboard serves the documents. The composition root builds one chooser per port
with the enabled platforms' implementations; domains only see the port.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.events import DocumentReady, publish
from teamassist.ports import Calendar as CalendarPort
from teamassist.ports import CalendarEntry, DocumentDraft, TaskMirror
from teamassist.ports import Documents as DocumentsPort
from teamassist.ports import Tasks as TasksPort
from teamassist.team.models import Channel, PlatformTenant, Team

P = TypeVar("P")


def platforms_of(session: Session, team: Team) -> set[str]:
    """The platforms ``team`` lives on: its enabled channels', else its workspace's bindings."""
    found = set(
        session.scalars(
            select(Channel.platform).where(Channel.team_id == team.id, Channel.enabled.is_(True))
        )
    )
    if not found - {"web"}:
        found |= set(
            session.scalars(
                select(PlatformTenant.platform).where(
                    PlatformTenant.workspace_id == team.workspace_id
                )
            )
        )
    return found


class _Chooser(Generic[P]):
    def __init__(self, builtin: P, platforms: Mapping[str, P]) -> None:
        self.builtin = builtin
        self.platforms = dict(platforms)

    def choose(self, session: Session, team: Team) -> P:
        """The platform's implementation when ``team`` is on one that has it, else built-in."""
        if self.platforms:
            on = platforms_of(session, team)
            for key, impl in self.platforms.items():
                if key in on:
                    return impl
        return self.builtin


class BuiltinTasks:
    """Action items are the tasks: nothing to mirror."""

    def mirror(self, session: Session, *, team: Team, task: TaskMirror, now: datetime) -> None:
        """Nothing: the action item itself is what people see and close."""


class BuiltinCalendar:
    """The ``.ics`` invitations and personal feeds the domains serve are the calendar."""

    def schedule(
        self, session: Session, *, team: Team, entry: CalendarEntry, now: datetime
    ) -> None:
        """Nothing: a calendar app reading the feed or invitation sees the change itself."""


class BuiltinDocuments:
    """The dashboard serves the document (.md, .docx, PDF) with its own access rules."""

    def publish(self, session: Session, *, team: Team, draft: DocumentDraft, now: datetime) -> str:
        """``draft.local_url``, ready at once (:class:`DocumentReady` published here)."""
        ready = DocumentReady(
            workspace_id=team.workspace_id, key=draft.key, url=draft.local_url, now=now
        )
        publish(session, ready)
        return draft.local_url


class TeamTasks(_Chooser[TasksPort]):
    """The ``Tasks`` port: each team's platform implementation, else the built-in one."""

    def mirror(self, session: Session, *, team: Team, task: TaskMirror, now: datetime) -> None:
        """See :class:`teamassist.ports.Tasks`."""
        self.choose(session, team).mirror(session, team=team, task=task, now=now)


class TeamCalendar(_Chooser[CalendarPort]):
    """The ``Calendar`` port: each team's platform implementation, else the built-in one."""

    def schedule(
        self, session: Session, *, team: Team, entry: CalendarEntry, now: datetime
    ) -> None:
        """See :class:`teamassist.ports.Calendar`."""
        self.choose(session, team).schedule(session, team=team, entry=entry, now=now)


class TeamDocuments(_Chooser[DocumentsPort]):
    """The ``Documents`` port: each team's platform implementation, else the built-in one."""

    def publish(self, session: Session, *, team: Team, draft: DocumentDraft, now: datetime) -> str:
        """See :class:`teamassist.ports.Documents`."""
        return self.choose(session, team).publish(session, team=team, draft=draft, now=now)
