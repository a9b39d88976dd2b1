"""The OKR desk through the cross-domain seams, with the action-item desk installed as in
production: a committed O below 1.0 in its 复盘 opens exactly one follow-up 销项
(``FollowUpNeeded``), and the weekly director's digest carries the escalated overdue 销项
(``DirectorDigest``). Every backend.

2026 facts (chinesecalendar): 国庆 10-01..10-07 off; Sat 10-10 is a 调休 working day.
"""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.actions.models import ActionItem
from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.clock import local
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import people
from teamassist.web.app import create_app
from tests.okr.support import demo, set_clock
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def _quarter(chat: ChatDriver) -> None:
    """张三's committed O-1 of 2026Q3 ends at 0.8 (KR-1 done, KR-2 at 60%); admin directs."""
    set_clock(chat.runtime, "2026-07-06 10:00")
    chat.text("/新建目标 提升交付质量", as_="zhangsan")
    chat.text("/新建KR O-1 线上缺陷数 起始 50 目标 10 单位 个 权重 50%", as_="zhangsan")
    chat.text("/新建KR O-1 营收 起始 100 目标 200 单位 万元 权重 50%", as_="zhangsan")
    assert "已发布" in chat.text("/发布OKR", as_="zhangsan")
    set_clock(chat.runtime, "2026-09-10 10:00")
    chat.text("/进展 KR-1 10 信心 9", as_="zhangsan")
    chat.text("/进展 KR-2 160 信心 5", as_="zhangsan")
    with demo(chat.runtime) as given:
        given.team.director_id = given.member("admin").id


def _follow_ups(runtime: Runtime) -> list[ActionItem]:
    with runtime.factory() as session:
        return list(
            session.scalars(select(ActionItem).where(ActionItem.source_kind == "okr_objective"))
        )


def test_a_committed_o_below_1_opens_exactly_one_follow_up_item(chat: ChatDriver) -> None:
    runtime = chat.runtime
    _quarter(chat)
    set_clock(runtime, "2026-10-05 10:00")  # 国庆, in 2026Q3's grading window
    reply = chat.text("/复盘 O-1", as_="zhangsan")
    [item] = _follow_ups(runtime)
    assert f"跟进：已开销项 #{item.id}「复盘跟进：O-1「提升交付质量」评分 0.8，低于 1.0」" in reply
    with demo(runtime) as given:
        assert item.owner_id == given.member("zhangsan").id
        assert item.requester_id == given.member("admin").id  # the director
        objective_id = item.source_id
    # Five working days after 10-05: 10-08, 10-09, 10-10 (调休), 10-12, 10-13.
    assert local(item.due_at, "Asia/Shanghai").date() == date(2026, 10, 13)
    # Drafting again (chat, the director's team view, REST) opens no second item.
    assert f"#{item.id}" in chat.text("/复盘 O-1", as_="zhangsan")
    chat.text("/复盘 2026Q3", as_="admin")
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client)
        answer = client.get(f"/api/v1/okr/retros/{objective_id}")
        assert answer.status_code == 200 and f"#{item.id}" in answer.json()["follow_up"]
    assert [i.id for i in _follow_ups(runtime)] == [item.id]
    assert f"#{item.id}" in chat.text("/我的销项", as_="zhangsan")


def test_nobody_to_follow_up_keeps_the_retro_note(chat: ChatDriver) -> None:
    runtime = chat.runtime
    _quarter(chat)
    with demo(runtime) as given:  # the owner left: the action desk cannot open an item
        people.deactivate(
            given.session,
            member=given.member("zhangsan"),
            now=set_clock(runtime, "2026-10-02 10:00"),
        )
    set_clock(runtime, "2026-10-05 10:00")
    reply = chat.text("/复盘 2026年3季度", as_="admin")
    assert "跟进：承诺型目标最终评分 0.8，低于 1.0" in reply and "已先记在本复盘上" in reply
    assert _follow_ups(runtime) == []


def _digests(runtime: Runtime) -> list[str]:
    with runtime.factory() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.startswith("okr.digest:"))
            .order_by(OutboxMessage.id)
        )
        return [to_plain(Reply.model_validate(r.payload)) for r in rows]


def test_the_director_digest_shows_an_escalated_overdue_item(chat: ChatDriver) -> None:
    runtime = chat.runtime
    with demo(runtime) as given:
        given.team.director_id = given.member("admin").id
    set_clock(runtime, "2026-10-08 10:00")
    assert "#" in chat.text("/销项 @lisi 完成接口文档 2026-10-12", as_="admin")
    with runtime.factory() as session:
        [item] = session.scalars(select(ActionItem).where(ActionItem.title == "完成接口文档"))
    set_clock(runtime, "2026-10-16 16:00")  # Friday: the OKR reminder day; 4 working days late
    runtime.scheduler.tick()
    [digest] = _digests(runtime)
    assert "逾期 2 个工作日以上的销项：" in digest
    assert f"#{item.id} 完成接口文档 · 负责人 李四 · 提出人 王管理" in digest
    assert "已逾期 4 个工作日" in digest
    runtime.scheduler.tick()  # a re-run tick sends no second digest
    assert len(_digests(runtime)) == 1
