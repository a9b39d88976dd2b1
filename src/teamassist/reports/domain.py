"""Report packs (飞阅会): documents before each meeting rendered from one editable template to
Markdown, .docx and PDF with live OKR and action-item data, and the reading-meeting flow."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from teamassist.domain import Domain, NavEntry, Wiring, assets_in
from teamassist.events import ReportPackNeeded, Subscription, on
from teamassist.ports import Documents, Workdays
from teamassist.reports import commands, meeting_packs


def _subscriptions(wiring: Wiring) -> list[Subscription[Any]]:
    public_url = wiring.settings.web.public_url
    documents = wiring.ports.get(Documents)

    def pack_needed(session: Session, query: ReportPackNeeded) -> str | None:
        return meeting_packs.answer(session, query, public_url=public_url, documents=documents)

    return [on(ReportPackNeeded, pack_needed)]


DOMAIN = Domain(
    key="reports",
    models=("teamassist.reports.models",),
    commands=(commands.commands,),
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
