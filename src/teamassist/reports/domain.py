"""Report packs (飞阅会): documents before each meeting rendered from one editable template to
Markdown, .docx and PDF with live OKR and action-item data, and the reading-meeting flow."""

from __future__ import annotations

from teamassist.domain import Domain, NavEntry, assets_in
from teamassist.ports import Workdays
from teamassist.reports import api, commands, pages

DOMAIN = Domain(
    key="reports",
    models=("teamassist.reports.models",),
    commands=(commands.commands,),
    api=(api.router,),
    pages=(pages.router,),
    nav=(NavEntry("/reports", "reports.nav"),),
    assets=assets_in("teamassist.reports"),
    requires=(Workdays,),
)
