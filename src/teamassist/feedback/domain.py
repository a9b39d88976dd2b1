"""The feedback desk: bug reports and suggestions, routed to whoever is on duty."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import DutySignedIn, HandoffDigest, MemberDeactivated, Subscription, on
from teamassist.feedback.command_index import COMMANDS
from teamassist.ports import Roster, Workdays


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    roster = wiring.ports.get(Roster)
    on_signed_in = later("teamassist.feedback.flows:on_signed_in")
    section = later("teamassist.feedback.flows:handoff_section")
    leaves = later("teamassist.feedback.departures:on_member_deactivated")

    def signed_in(session: Session, event: DutySignedIn) -> None:
        on_signed_in(
            session=session, roster=roster, team=event.team, member=event.member, now=event.now
        )

    def handoff_section(session: Session, query: HandoffDigest) -> str | None:
        found: str | None = section(session=session, team=query.team, now=query.now)
        return found

    def left(session: Session, query: MemberDeactivated) -> str | None:
        said: str | None = leaves(session, query, roster=roster)
        return said

    return [
        on(DutySignedIn, signed_in),
        on(HandoffDigest, handoff_section),
        on(MemberDeactivated, left),  # their items and the default-owner setting
    ]


DOMAIN = Domain(
    key="feedback",
    models=("teamassist.feedback.models",),
    commands=COMMANDS,
    jobs=("teamassist.feedback.jobs:jobs",),
    api=("teamassist.feedback.api:router",),
    pages=("teamassist.feedback.pages:router",),
    nav=(NavEntry("/feedback", "feedback_web.nav"),),
    assets=assets_in("teamassist.feedback"),
    demo="teamassist.feedback.demo:load_demo",
    subscriptions=_subscriptions,
    requires=(Roster, Workdays),
)
