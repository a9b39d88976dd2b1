"""/通知, /群发, /通知回执 and /取消通知 by another team's admin (tester s18 F20): the speaker
must administer (or direct) the *group's* team, as REST asks; an admin of their own team only
is refused and nothing is sent, read or cancelled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.announcements.models import Announcement
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in
from tests.team.support import second_team


@pytest.fixture
def two_teams(runtime: Runtime) -> Iterator[Runtime]:
    load_demo(runtime)
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)
    with transaction(runtime.factory) as session:
        second_team(session)
    yield runtime


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Announcement)) or 0,
            session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
        )


def _scheduled_by_admin(runtime: Runtime) -> int:
    """Team 1's admin schedules a 群发 to 张三 for 2026-12-04 09:00, as tester F20 found one."""
    client = TestClient(create_app(runtime, start_background=False))
    with client:
        sign_in(client, "admin", "admin")
        made = client.post(
            "/api/v1/announcements",
            json={
                "group": "开发者社区",
                "text": "定时的",
                "kind": "bulk",
                "targets": [ids(runtime)["zhangsan"]],
                "send_at": "2026-12-04T09:00:00+08:00",
            },
        )
        assert made.status_code == 201, made.text
        return int(made.json()["id"])


def test_another_teams_admin_cannot_announce_to_this_teams_group(two_teams: Runtime) -> None:
    chat = ChatDriver(two_teams)
    before = _counts(two_teams)
    for text in ("/通知 开发者大群 @王五 跨团队通知", "/群发 开发者大群 外队群发"):
        refused = chat.text(text, as_="boss2")
        assert "只有「开发者大群」所在团队的负责人或管理员可以发通知和群发" in refused, refused
    # the seed's ###群### form asks the same
    assert "只有团队负责人或管理员" in chat.text("###开发者大群###外队通知", as_="boss2")
    assert _counts(two_teams) == before
    # team 1's own admin still may
    assert "#" in chat.text("/群发 开发者大群 @王五 本队群发", as_="admin")
    assert _counts(two_teams)[0] == before[0] + 1


def test_another_teams_admin_cannot_cancel_or_read_this_teams_notice(two_teams: Runtime) -> None:
    made = _scheduled_by_admin(two_teams)
    chat = ChatDriver(two_teams)
    refused = chat.text(f"/取消通知 {made}", as_="boss2")
    assert f"只有群发 #{made} 的发送人或管理员可以取消它" in refused, refused
    with two_teams.factory() as session:
        row = session.get(Announcement, made)
        assert row is not None and row.cancelled_at is None
    receipts = chat.text(f"/通知回执 {made}", as_="boss2")
    assert "「开发者社区」所在团队的负责人或管理员可以查看这条通知的回执" in receipts
    assert "张三" not in receipts
    # the group team's director reads them; its admin cancels
    assert "张三" in chat.text(f"/通知回执 {made}", as_="lihua")
    assert f"已取消群发 #{made}" in chat.text(f"/取消通知 {made}", as_="admin")


def test_a_reader_outside_the_team_hears_the_team_gate_over_rest(two_teams: Runtime) -> None:
    """Tester s25 F-B8 (announcements half): a member of another team got 200 [] for
    ``?team_id=`` of this team and, for one announcement, the receipts' refusal naming this
    team's group. Both now answer the team gate's 403 (你不在「开发者社区」里), as the action
    items (``bd7a539``), feedback and meetings do; cancelling is refused the same way."""
    made = _scheduled_by_admin(two_teams)
    team1 = _team_id(two_teams, "开发者社区")
    team2 = _team_id(two_teams, "第二团队")
    gate = {
        "error": "core.error.not_in_team",
        "message": "你不在「开发者社区」里：这里只对这个团队的成员开放，没有做任何改动。",
    }
    with TestClient(create_app(two_teams, start_background=False)) as client:
        sign_in(client, "m2", give_account(two_teams, "m2"))
        listed = client.get("/api/v1/announcements", params={"team_id": team1})
        assert (listed.status_code, listed.json()) == (403, gate), listed.text
        one = client.get(f"/api/v1/announcements/{made}")
        assert (one.status_code, one.json()) == (403, gate), one.text
        cancel = client.post(f"/api/v1/announcements/{made}/cancel")
        assert (cancel.status_code, cancel.json()) == (403, gate), cancel.text
        # their own team's list answers, with nothing of the other team's
        own = client.get("/api/v1/announcements", params={"team_id": team2})
        assert (own.status_code, own.json()) == (200, []), own.text
    with two_teams.factory() as session:
        row = session.get(Announcement, made)
        assert row is not None and row.cancelled_at is None
    with TestClient(create_app(two_teams, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        listed = client.get("/api/v1/announcements", params={"team_id": team1})
        assert [a["id"] for a in listed.json()] == [made], listed.text
        # and is no reader of 第二团队's (he is not in it)
        other = client.get("/api/v1/announcements", params={"team_id": team2})
        assert other.status_code == 403 and "「第二团队」" in other.json()["message"]


def _team_id(runtime: Runtime, name: str) -> int:
    with runtime.factory() as session:
        return int(session.scalars(select(Team.id).where(Team.name == name)).one())
