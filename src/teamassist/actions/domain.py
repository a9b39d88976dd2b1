"""The action-item desk (销项): items with an owner and a requester that really close."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from teamassist.actions.command_index import COMMANDS
from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import (
    ActionFacts,
    ActionItemChanged,
    DirectorDigest,
    FollowUpItems,
    FollowUpNeeded,
    FollowUpSourceChanged,
    MeetingAgenda,
    MemberDeactivated,
    MemberReactivated,
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
    digest_section = later("teamassist.actions.overdue:digest_section")
    on_changed = later("teamassist.actions.task_mirror:on_changed")

    def digest(session: Session, query: DirectorDigest) -> str | None:
        found: str | None = digest_section(
            session, team=query.team, now=query.now, workdays=workdays
        )
        return found

    tasks = wiring.ports.get(Tasks)
    public_url = wiring.settings.web.public_url

    def mirrored(session: Session, event: ActionItemChanged) -> None:
        on_changed(session, event, tasks=tasks, public_url=public_url)

    def agenda(session: Session, query: MeetingAgenda) -> str | None:
        found: str | None = digest_section(
            session, team=query.team, now=query.now, workdays=workdays
        )
        return found

    return [
        on(DirectorDigest, digest),
        on(MeetingAgenda, agenda),
        on(FollowUpNeeded, later("teamassist.actions.follow_ups:open_follow_up")),
        # an announcement's repeat refusal names the items of the first
        on(FollowUpItems, later("teamassist.actions.follow_ups:items_of")),
        # a moved or cancelled meeting
        on(FollowUpSourceChanged, later("teamassist.actions.follow_ups:on_source_changed")),
        on_quietly(MemberDeactivated, later("teamassist.actions.departures:on_member_deactivated")),
        on(MemberReactivated, later("teamassist.actions.departures:on_member_reactivated")),
        on(WorkspaceDeleting, later("teamassist.actions.departures:on_workspace_deleting")),
        # report packs list the team's items
        on(ActionFacts, later("teamassist.actions.report_facts:answer")),
        on(ActionItemChanged, mirrored),  # a Feishu team's tasks follow the items
        on(PlatformTaskCompleted, later("teamassist.actions.task_mirror:on_platform_completed")),
        on(PlatformTaskReopened, later("teamassist.actions.task_mirror:on_platform_reopened")),
    ]


DOMAIN = Domain(
    key="actions",
    models=("teamassist.actions.models",),
    commands=COMMANDS,
    jobs=("teamassist.actions.jobs:jobs",),
    api=("teamassist.actions.api:router",),
    pages=("teamassist.actions.pages:router",),
    nav=(NavEntry("/actions", "actions.web.nav"),),
    assets=assets_in("teamassist.actions"),
    demo="teamassist.actions.demo:load",
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
