"""The desk report and the desk settings are a team's own (testers s18-19): ``GET
/api/v1/feedback/report?team_id=`` and ``GET /api/v1/feedback/settings?team_id=`` answered any
member about any team of the workspace (load per person, response times, the fallback owner).
Now only the team's people read them, REST and the ``/feedback/report`` page alike."""

from __future__ import annotations

from teamassist.database import transaction
from teamassist.team import service as team_service
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, second_team


def test_another_teams_member_reads_neither_report_nor_settings(chat: ChatDriver) -> None:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    with chat.runtime.factory() as session:
        team1, team2 = (
            t.id for t in team_service.get_teams(session, workspace_id=demo(session).workspace.id)
        )
    with signed_in(chat.runtime, "m2", "lisi") as http:
        m2, lisi = http["m2"], http["lisi"]
        for path in ("/api/v1/feedback/report", "/api/v1/feedback/settings"):
            refused = m2.get(path, params={"team_id": team1})
            assert refused.status_code == 403, (path, refused.text)
            # the team gate's refusal, before the route (dcb26de)
            assert refused.json()["error"] == "core.error.not_in_team"
            # their own team, and team 1's own people, still read
            assert m2.get(path, params={"team_id": team2}).status_code == 200, path
            assert lisi.get(path, params={"team_id": team1}).status_code == 200, path
        page = m2.get("/feedback/report", params={"team_id": team1})
        assert page.status_code == 403, page.text[:300]
        own = m2.get("/feedback/report")  # none named: the first of their own teams
        assert own.status_code == 200 and "第二团队" in own.text
        assert lisi.get("/feedback/report", params={"team_id": team1}).status_code == 200
