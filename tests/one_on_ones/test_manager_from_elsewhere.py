"""``POST /api/v1/one-on-ones`` took a ``manager_id`` from anywhere in the workspace (testers
s18-19): the director of team 1 made 第二团队's boss2 the manager of team 1's 赵六, who then
read 赵六's prep packs. Chat makes the speaker the manager; REST now asks the manager rule of
/设置上级 (``team.org.check_manager``: shares a team with the report, or the caller
administers them), in the same ``service.create``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.one_on_ones.models import OneOnOne
from teamassist.web.app import create_app
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, second_team


def _pairs(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(OneOnOne)) or 0


def test_a_manager_from_another_team_is_refused(chat: ChatDriver) -> None:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    assert "负责人" in chat.text("/任命负责人 @李华", as_="admin")
    with chat.runtime.factory() as session:
        d = demo(session)
        boss2, wangwu, zhaoliu = d["boss2"].id, d["wangwu"].id, d["zhaoliu"].id
    before = _pairs(chat)
    with signed_in(chat.runtime, "lihua") as http:
        lihua = http["lihua"]
        refused = lihua.post(
            "/api/v1/one-on-ones", json={"manager_id": boss2, "report_id": zhaoliu}
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "people.error.manager_not_yours"
        assert _pairs(chat) == before
        # a manager of the report's own team is still fine
        made = lihua.post("/api/v1/one-on-ones", json={"manager_id": wangwu, "report_id": zhaoliu})
        assert made.status_code == 201, made.text
    assert _pairs(chat) == before + 1


def test_the_root_token_makes_pairs_whose_people_are_in_the_team(chat: ChatDriver) -> None:
    """Tester F11 (session 20): the root token (the workspace owner, an admin of every team)
    was refused every pair with 「只有团队负责人…可以新建 1on1」; and a pair of a team could be
    given a manager from outside it, who then read the report's prep packs. The owner makes
    pairs of a team's people; a manager outside the team (and its sub-teams) is refused, 422,
    nothing made."""
    with transaction(chat.runtime.factory) as session:
        team2 = second_team(session).id
        d = demo(session)
        lihua, boss2, m2 = d["lihua"].id, d["boss2"].id, d["m2"].id
    chat.runtime.settings.web.api_token = SecretStr("root-1on1")
    root = {"Authorization": "Bearer root-1on1"}
    before = _pairs(chat)
    with TestClient(create_app(chat.runtime, start_background=False)) as client:
        outside = client.post(
            f"/api/v1/one-on-ones?team_id={team2}",
            headers=root,
            json={"manager_id": lihua, "report_id": m2},
        )
        assert outside.status_code == 422, outside.text
        assert outside.json()["error"] == "one_on_ones.error.outside"
        assert "李华 不在「第二团队」" in outside.json()["message"], outside.text
        assert _pairs(chat) == before
        # a report outside the team, no manager where the team has no director, an unknown
        # id: each its own reason (tester F12, session 21: all three were 403 "only the
        # director…" or "not a member")
        report_outside = client.post(
            f"/api/v1/one-on-ones?team_id={team2}",
            headers=root,
            json={"manager_id": boss2, "report_id": lihua},
        )
        assert report_outside.status_code == 422, report_outside.text
        assert "李华 不在「第二团队」" in report_outside.json()["message"]
        no_manager = client.post(
            f"/api/v1/one-on-ones?team_id={team2}", headers=root, json={"report_id": m2}
        )
        assert no_manager.status_code == 422, no_manager.text
        assert "「第二团队」还没有负责人" in no_manager.json()["message"]
        unknown = client.post(
            f"/api/v1/one-on-ones?team_id={team2}",
            headers=root,
            json={"manager_id": boss2, "report_id": 999},
        )
        assert unknown.status_code == 404, unknown.text
        # and in a team without a director too: the unknown id first (tester 2 F8, session
        # 21: it was "no director", and naming a manager then gave the 404)
        unknown = client.post(
            f"/api/v1/one-on-ones?team_id={team2}", headers=root, json={"report_id": 999}
        )
        assert unknown.status_code == 404, unknown.text
        assert unknown.json()["message"] == "没有编号为 #999 的成员。"
        assert _pairs(chat) == before
        made = client.post(
            f"/api/v1/one-on-ones?team_id={team2}",
            headers=root,
            json={"manager_id": boss2, "report_id": m2},
        )
        assert made.status_code == 201, made.text
    assert _pairs(chat) == before + 1
