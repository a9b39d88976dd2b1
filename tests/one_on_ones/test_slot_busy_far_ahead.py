"""A slot is checked against the person's other 1on1s by their rules, not only by what is saved:
occurrences are saved :data:`~teamassist.one_on_ones.service.AHEAD_DAYS` (70) days ahead, so a
slot whose first clash with another pair of the person fell later was set (outside testers'
list, session 23). The clock is Monday 2026-06-01 09:00 Beijing; the demo pair 李华 ↔ 李四 meets
every other Wednesday 15:00 (06-03, 06-17 … 07-29, 08-12): a monthly 2nd Wednesday 15:00
(06-10, 07-08, 08-12) first meets it on 08-12, 72 days ahead."""

from __future__ import annotations

from datetime import UTC, datetime

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
    """第二团队 (admin boss2) with 李四 of 开发者社区 a member of it too."""
    with transaction(chat.runtime.factory) as session:
        team2 = second_team(session)
        team_service.set_role(session, team=team2, member=demo(session)["lisi"], role=Role.MEMBER)
    return chat


def _pairs(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(OneOnOne)) or 0


def test_a_slot_whose_first_clash_is_past_the_saved_days_is_refused(
    lisi_in_two_teams: ChatDriver,
) -> None:
    chat = lisi_in_two_teams
    before = _pairs(chat)
    refused = chat.text("/一对一 @李四 每月第2个周三 15:00", as_="boss2")
    assert refused == (
        "按这个时段，8月12日（周三）15:00 那一次会和 李四 的另一场 1on1 撞在一起，"
        "没有设定；请换个时段。"
    ), refused
    assert _pairs(chat) == before  # nothing made
    # the same in the person's own team, where 李华's other pair is not theirs
    made = chat.text("/一对一 @李四 每月第2个周三 16:00", as_="boss2")
    assert "已设定1on1：二号老板 ↔ 李四：每月第2个周三 16:00" in made, made


def test_a_move_onto_a_far_occurrence_nobody_saved_is_refused(
    lisi_in_two_teams: ChatDriver,
) -> None:
    chat = lisi_in_two_teams
    runtime = chat.runtime
    made = chat.text("/一对一 @李四 每月第2个周三 16:00", as_="boss2")
    assert "已设定" in made, made
    with runtime.factory() as session:
        d = demo(session)
        pair = session.scalars(select(OneOnOne).where(OneOnOne.manager_id == d["boss2"].id)).one()
        first = session.scalars(
            select(OneOnOneMeeting)
            .where(OneOnOneMeeting.pair_id == pair.id)
            .order_by(OneOnOneMeeting.start_at)
        ).first()
        assert first is not None
        path = f"/api/v1/one-on-ones/{pair.id}/meetings/{first.id}/move?team_id={pair.team_id}"
    with signed_in(runtime, "boss2") as clients:
        # 2026-08-26 15:00 Beijing: the demo pair's, 86 days ahead, saved by nobody
        answer = clients["boss2"].post(
            path, json={"start": datetime(2026, 8, 26, 7, 0, tzinfo=UTC).isoformat()}
        )
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "one_on_ones.error.person_busy", answer.json()
