"""Career plans (个人职业发展规划): started by the director for a group or people with a
deadline (``/职业规划``, REST, or the seed's ``***制定个人职业发展规划***`` through
:class:`teamassist.events.CareerPlanWanted`), written by the person, read by the director,
reviewed in 1on1s (:class:`teamassist.events.CareerGoals`), carried into next year."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from teamassist.careers.command_index import COMMANDS
from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import (
    CareerGoals,
    CareerPlanWanted,
    DocumentReady,
    ExportWithheld,
    FollowUpPersonal,
    SourceKnown,
    Subscription,
    on,
)
from teamassist.ports import Documents


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    public_url = wiring.settings.web.public_url
    documents = wiring.ports.get(Documents)
    answer_wanted = later("teamassist.careers.flows:answer_wanted")
    on_document_ready = later("teamassist.careers.flows:on_document_ready")

    def wanted(session: Session, query: CareerPlanWanted) -> str:
        return str(answer_wanted(session, query, public_url=public_url, documents=documents))

    def ready(session: Session, event: DocumentReady) -> None:
        on_document_ready(session, event, public_url=public_url)

    return [
        on(CareerPlanWanted, wanted),
        on(DocumentReady, ready),  # a plan's document exists: its person's DM
        on(CareerGoals, later("teamassist.careers.flows:answer_goals")),
        on(SourceKnown, later("teamassist.careers.flows:answer_known")),
        on(FollowUpPersonal, later("teamassist.careers.flows:answer_personal")),
        on(ExportWithheld, later("teamassist.careers.export:withheld")),  # admins read no plans
    ]


DOMAIN = Domain(
    key="careers",
    models=("teamassist.careers.models",),
    commands=COMMANDS,
    api=("teamassist.careers.api:router",),
    pages=("teamassist.careers.pages:router",),
    nav=(NavEntry("/career-plans", "careers.nav"),),
    assets=assets_in("teamassist.careers"),
    demo="teamassist.careers.demo:load",
    subscriptions=_subscriptions,
)
