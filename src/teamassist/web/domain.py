"""The core domain: chat (inbox, commands, web chat), the outbox, the web shell, and the
working calendar (provides the ``Workdays`` port).

Its catalogue (``core``, ``web``, ``feishu``, ``importer``) and the shared migrations (the core
schema, the QQ usage table, import sources: branches ``core``, ``qq`` and ``import``) stay in the
package root; its templates and static files are the shell's, in ``web/``.
"""

from __future__ import annotations

from importlib import resources

from teamassist.domain import Domain, assets_in, later
from teamassist.events import ExportWithheld, on
from teamassist.ports import Workdays
from teamassist.web.command_index import COMMANDS
from teamassist.workdays import ChinaWorkdays

DOMAIN = Domain(
    key="core",
    models=(
        "teamassist.chat.models",
        "teamassist.outbox.models",
        "teamassist.scheduler.models",
        "teamassist.adapters.web.models",
        "teamassist.importers.models",
        "teamassist.http.idempotency",
    ),
    commands=COMMANDS,
    api=(
        "teamassist.chat.api:router",
        "teamassist.outbox.api:router",
        "teamassist.web.signin_api:router",
    ),
    pages=("teamassist.web.pages:router", "teamassist.web.account:router"),
    public=("teamassist.web.signin_pages:router",),
    # The chat transport's texts stay out of the workspace export (teamassist.web.transcripts).
    subscriptions=lambda _wiring: [
        on(ExportWithheld, later("teamassist.web.transcripts:withheld"))
    ],
    # The one working calendar (teamassist.workdays), for every domain that counts working days.
    provides={Workdays: lambda _wiring: ChinaWorkdays()},
    assets={
        **assets_in("teamassist.web"),
        "locale": resources.files("teamassist") / "locale",
        "migrations": resources.files("teamassist") / "migrations" / "versions",
    },
)
