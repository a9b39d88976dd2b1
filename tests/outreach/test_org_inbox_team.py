"""GET /api/v1/org-inbox?team_id= for a team the caller is not in: 403 like every other team
route (tester s26 A-10: 200 with the caller's own team's letters, the parameter ignored)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.runtime import Runtime
from teamassist.team import org, people
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.support.web import give_account, sign_in
from tests.team.support import demo


def test_the_inbox_of_a_team_the_caller_is_not_in_is_refused(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-12-01 10:00")
    with transaction(sqlite_runtime.factory) as session:
        d = demo(session)
        team = org.create_sub_team(
            session, workspace=d.workspace, parent=None, key="t2", name="二组"
        )
        people.add_member(
            session, workspace=d.workspace, team=team, handle="erin", display_name="艾琳",
            role=Role.ADMIN,
        )  # fmt: skip
        team_id = team.id
    password = give_account(sqlite_runtime, "erin")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as erin:
        sign_in(erin, "erin", password)
        refused = erin.get("/api/v1/org-inbox?team_id=1")
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "core.error.not_in_team"
        assert erin.get(f"/api/v1/org-inbox?team_id={team_id}").status_code == 200
        assert erin.get("/api/v1/org-inbox").status_code == 200
