"""One person, one 1on1 at a time, whichever team booked them: setting a slot or moving a
meeting counts the person's pairs in every team, also those whose occurrences nobody has
planned yet (tester 2 F10, session 21: 李四, in two teams, got two 1on1s at 12月9日 15:00
through `/一对一 @李四 每周 周三 15:00` in the other team; the demo's pair 李华 ↔ 李四, every
other Wednesday 15:00, had its slot but no stored occurrence, so it did not count). The clock
is Monday 2026-06-01 09:00 Beijing; the demo pair's next is Wednesday 06-03 15:00."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.one_on_ones.models import OneOnOne, OneOnOneMeeting
from teamassist.team import service as team_service
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.team.support import demo, second_team


@pytest.fixture
def lisi_in_two_teams(chat: ChatDriver) -> ChatDriver:
    """第二团队 (admin boss2) with 李四 of 开发者社区 a member of it too; nothing planned."""
    with transaction(chat.runtime.factory) as session:
        team2 = second_team(session)
        team_service.set_role(session, team=team2, member=demo(session)["lisi"], role=Role.MEMBER)
    assert _stored(chat) == (2, 0)  # the demo's two pairs, with slots, no occurrence stored
    return chat


def _stored(chat: ChatDriver) -> tuple[int, int]:
    """(pairs, scheduled occurrences) in the database."""
    with chat.runtime.factory() as session:
        pairs = session.scalar(select(func.count()).select_from(OneOnOne)) or 0
        meetings = session.scalar(
            select(func.count())
            .select_from(OneOnOneMeeting)
            .where(OneOnOneMeeting.status == "scheduled")
        )
        return pairs, meetings or 0


def test_a_slot_onto_the_persons_unplanned_1on1_in_another_team_is_refused(
    lisi_in_two_teams: ChatDriver,
) -> None:
    chat = lisi_in_two_teams
    refused = chat.text("/一对一 @李四 每周 周三 15:00", as_="boss2")
    assert refused == (
        "按这个时段，6月3日（周三）15:00 那一次会和 李四 的另一场 1on1 撞在一起，"
        "没有设定；请换个时段。"
    )
    assert _stored(chat)[0] == 2  # no pair made
    # A free hour is set, and 李四's list has one 1on1 at each time
    made = chat.text("/一对一 @李四 每周 周三 16:00", as_="boss2")
    assert "已设定1on1：二号老板 ↔ 李四：每周 周三 16:00" in made, made
    listed = chat.text("/一对一", as_="lisi")
    assert "每两周 周三 15:00 · 下次：6月3日（周三）15:00" in listed, listed
    assert "每周 周三 16:00 · 下次：6月3日（周三）16:00" in listed, listed


def test_a_rest_slot_onto_the_persons_1on1_in_another_team_is_409(
    lisi_in_two_teams: ChatDriver,
) -> None:
    chat = lisi_in_two_teams
    runtime = chat.runtime
    with transaction(runtime.factory) as session:
        d = demo(session)
        team2_id = team_service.get_teams(session, workspace_id=d.workspace.id)[1].id
        lisi_id, boss2_id = d["lisi"].id, d["boss2"].id
    with signed_in(runtime, "boss2") as clients:
        answer = clients["boss2"].post(
            f"/api/v1/one-on-ones?team_id={team2_id}",
            json={
                "report_id": lisi_id,
                "manager_id": boss2_id,
                "slot": {"cadence": "weekly", "weekday": 3, "at": "15:00"},
            },
        )
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "one_on_ones.error.slot_busy"
    assert _stored(chat)[0] == 2
