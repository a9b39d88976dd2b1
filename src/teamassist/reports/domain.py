"""Report packs (飞阅会): documents before each meeting rendered from one editable template to
Markdown, .docx and PDF with live OKR and action-item data, and the reading-meeting flow."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from teamassist.domain import Domain, NavEntry, Wiring, assets_in, later
from teamassist.events import ReportPackNeeded, Subscription, on
from teamassist.ports import Documents, Workdays
from teamassist.reports.command_index import COMMANDS


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    public_url = wiring.settings.web.public_url
    documents = wiring.ports.get(Documents)
    answer = later("teamassist.reports.meeting_packs:answer")

    def pack_needed(session: Session, query: ReportPackNeeded) -> str | None:
        found: str | None = answer(session, query, public_url=public_url, documents=documents)
        return found

    return [on(ReportPackNeeded, pack_needed)]


DOMAIN = Domain(
    key="reports",
    models=("teamassist.reports.models",),
    commands=COMMANDS,
    api=("teamassist.reports.api:router",),
    # the entry's and the templates' paths before /reports/{pack_id}
    pages=(
        "teamassist.reports.pages.entry:router",
        "teamassist.reports.pages.templates:router",
        "teamassist.reports.pages:router",
    ),
    nav=(NavEntry("/reports", "reports.nav"),),
    assets=assets_in("teamassist.reports"),
    subscriptions=_subscriptions,
    requires=(Workdays,),
)
