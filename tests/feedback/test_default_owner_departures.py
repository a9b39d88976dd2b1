"""A team's feedback default owner is an active person of that team, and someone who takes
the team's feedback and leaves it hands it over (tester s20 F5).

张三 is in the demo's 开发者社区 and in 第二团队 (admin boss2 only). Before, REST stored a
deactivated person or one of another team as 第二团队's default owner (200), and boss2 taking
张三 out of 第二团队 left him its default owner and the owner of its open items.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.exceptions import Invalid
from teamassist.feedback import settings as feedback_settings
from teamassist.feedback.models import FeedbackItem, FeedbackKind
from teamassist.feedback.service import Origin
from teamassist.feedback.service import submit as record
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import at_local
from tests.support.chat import ChatDriver
from tests.team.support import demo, second_team, zhangsan_in_two_teams

TOKEN = "default-owner-token"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(at_local(date(2026, 12, 3), 9))


def _desk(rt: Runtime, team_id: int) -> dict[str, object]:
    with rt.factory() as session:
        team = session.get(Team, team_id)
        assert team is not None
        return dict((team.settings or {}).get("feedback", {}) or {})


@pytest.fixture
def http(runtime: Runtime) -> Iterator[tuple[TestClient, int]]:
    """第二团队 beside the demo team; the root token over REST."""
    load_demo(runtime)
    runtime.settings.web.api_token = SecretStr(TOKEN)
    with transaction(runtime.factory) as session:
        team_id = second_team(session).id
        d = demo(session)
        d["wangwu"].active = False  # left the workspace
    with TestClient(create_app(runtime, start_background=False)) as client:
        client.headers["authorization"] = f"Bearer {TOKEN}"
        yield client, team_id


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        ("wangwu", "王五 已经离开（或已安排离开），不能做默认跟进人，这次没有改动。"),
        (
            "lihua",
            "李华 不在「第二团队」里，处理不了这个团队的反馈，不能做它的默认跟进人，这次没有改动。",
        ),
    ],
)
def test_rest_refuses_an_owner_who_left_or_is_elsewhere(
    http: tuple[TestClient, int], runtime: Runtime, handle: str, message: str
) -> None:
    client, team_id = http
    url = f"/api/v1/feedback/settings?team_id={team_id}"
    assert client.patch(url, json={"default_owner": "m2"}).status_code == 200
    refused = client.patch(url, json={"default_owner": handle, "renotify_minutes": 5})
    assert refused.status_code == 422, refused.text
    assert refused.json()["message"].startswith(message)
    assert _desk(runtime, team_id) == {"default_owner": "m2"}  # nothing changed


def test_the_dashboard_form_is_refused_the_same_way(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        team = second_team(session)
        with pytest.raises(Invalid) as refused:
            feedback_settings.update_desk(session, team=team, changes={"default_owner": "lisi"})
        assert refused.value.key == "feedback.settings.owner_not_in_team"


@pytest.fixture
def both(chat: ChatDriver) -> ChatDriver:
    """张三 in both teams, 第二团队's default owner, owning an open item in each team."""
    now = chat.runtime.clock()
    with transaction(chat.runtime.factory) as session:
        team2, zhangsan = zhangsan_in_two_teams(session)
        d = demo(session)
        feedback_settings.update_desk(session, team=team2, changes={"default_owner": "zhangsan"})
        for team, text in ((d.team, "一队的反馈"), (team2, "二队的反馈")):
            record(
                session,
                team=team,
                reporter=d["lisi"],
                kind=FeedbackKind.BUG,
                text=text,
                origin=Origin(),
                owner=zhangsan,
                now=now,
            )
    return chat


def _owners(chat: ChatDriver) -> dict[str, str]:
    with chat.runtime.factory() as session:
        d = demo(session)
        by_id = {m.id: m.handle for m in d.people.values()}
        return {
            item.text: by_id.get(item.owner_id or 0, "-")
            for item in session.scalars(select(FeedbackItem).order_by(FeedbackItem.id))
            if item.text in ("一队的反馈", "二队的反馈")
        }


def test_a_partial_leaver_hands_over_that_teams_feedback_only(both: ChatDriver) -> None:
    chat = both
    assert _owners(chat) == {"一队的反馈": "zhangsan", "二队的反馈": "zhangsan"}
    reply = chat.text("/停用成员 @zhangsan", as_="boss2")
    assert "已把 张三 移出「第二团队」" in reply, reply
    assert "张三 不再是「第二团队」的反馈默认跟进人" in reply, reply
    assert "张三 未结的 1 条反馈已转给" in reply, reply
    owners = _owners(chat)
    assert owners["一队的反馈"] == "zhangsan"  # the team he stays in keeps him
    assert owners["二队的反馈"] == "boss2"  # nobody on duty there: the first admin
    with chat.runtime.factory() as session:
        team2 = session.scalars(select(Team).where(Team.name == "第二团队")).one()
        assert "default_owner" not in (team2.settings or {}).get("feedback", {})
    # the new owner was told
    assert any("二队的反馈" in text for text in chat.queued_texts())


def test_a_whole_leaver_hands_over_every_teams_feedback(both: ChatDriver) -> None:
    chat = both
    reply = chat.text("/停用成员 @zhangsan", as_="admin")
    assert "张三 未结的 2 条反馈已转给" in reply, reply
    owners = _owners(chat)
    assert "zhangsan" not in owners.values(), owners
