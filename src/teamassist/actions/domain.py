"""The action-item desk (销项): items with an owner and a requester that really close."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from teamassist.actions import (
    commands,
    demo,
    departures,
    follow_ups,
    jobs,
    overdue,
    report_facts,
    task_mirror,
)
from teamassist.domain import Domain, NavEntry, Wiring, assets_in
from teamassist.events import (
    ActionFacts,
    ActionItemChanged,
    DirectorDigest,
    FollowUpNeeded,
    FollowUpSourceChanged,
    MeetingAgenda,
    MemberDeactivated,
    PlatformTaskCompleted,
    PlatformTaskReopened,
    Subscription,
    WorkspaceDeleting,
    on,
    on_quietly,
)
from teamassist.ports import Tasks, Workdays


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    workdays = wiring.ports.get(Workdays)

    def digest(session: Session, query: DirectorDigest) -> str | None:
        return overdue.digest_section(session, team=query.team, now=query.now, workdays=workdays)

    tasks = wiring.ports.get(Tasks)
    public_url = wiring.settings.web.public_url

    def mirrored(session: Session, event: ActionItemChanged) -> None:
        task_mirror.on_changed(session, event, tasks=tasks, public_url=public_url)

    def agenda(session: Session, query: MeetingAgenda) -> str | None:
        return overdue.digest_section(session, team=query.team, now=query.now, workdays=workdays)

    return [
        on(DirectorDigest, digest),
        on(MeetingAgenda, agenda),
        on(FollowUpNeeded, follow_ups.open_follow_up),
        on(FollowUpSourceChanged, follow_ups.on_source_changed),  # a moved/cancelled meeting
        on_quietly(MemberDeactivated, departures.on_member_deactivated),
        on(WorkspaceDeleting, departures.on_workspace_deleting),
        on(ActionFacts, report_facts.answer),  # report packs list the team's items
        on(ActionItemChanged, mirrored),  # a Feishu team's tasks follow the items
        on(PlatformTaskCompleted, task_mirror.on_platform_completed),
        on(PlatformTaskReopened, task_mirror.on_platform_reopened),
    ]


DOMAIN = Domain(
    key="actions",
    models=("teamassist.actions.models",),
    commands=(commands.commands,),
    jobs=(jobs.jobs,),
    api=("teamassist.actions.api:router",),
    pages=("teamassist.actions.pages:router",),
    nav=(NavEntry("/actions", "actions.web.nav"),),
    assets=assets_in("teamassist.actions"),
    demo=demo.load,
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
