"""The 销项 chat commands on the demo workspace, through the dispatcher, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from teamassist.actions.models import ActionEvent, ActionItem
from teamassist.okr.models import KeyResult
from teamassist.runtime import Runtime
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


@pytest.fixture
def action_chat(chat: ChatDriver) -> ChatDriver:
    # 2026-11-30 09:00 Beijing, a Monday; the demo's own items exist (ids 1-4).
    set_clock(chat.runtime, "2026-11-30 09:00")
    return chat


def _state(runtime: Runtime) -> list[tuple[int, str, str, datetime, int]]:
    """Every item's id, title, state, due time and the number of history rows."""
    with runtime.factory() as session:
        items = session.scalars(select(ActionItem).order_by(ActionItem.id)).all()
        events = dict(
            session.execute(
                select(ActionEvent.item_id, func.count()).group_by(ActionEvent.item_id)
            ).all()
        )
        return [(i.id, i.title, i.state, i.due_at, events.get(i.id, 0)) for i in items]


def _new(chat: ChatDriver, text: str = "/销项 @lisi 完成接口文档 2026-12-04") -> int:
    reply = chat.text(text, as_="zhangsan")
    assert "已创建销项 #" in reply, reply
    return int(reply.split("#")[1].split("：")[0])


def test_create_done_confirm_with_notices(action_chat: ChatDriver) -> None:
    item_id = _new(action_chat)
    reply = action_chat.last
    assert reply is not None and "李四" in action_chat.text("/我的销项", as_="lisi")
    with action_chat.runtime.factory() as session:
        item = session.get(ActionItem, item_id)
        assert item is not None
        # A date alone is the end of that working day: 18:00 Beijing = 10:00 UTC.
        assert item.due_at == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
        assert (item.state, item.title) == ("open", "完成接口文档")
    # The owner is told, with a button that runs /完成销项.
    [notice] = [m for m in action_chat.queued() if m.idempotency_key.startswith("actions.assigned")]
    assert "张三 给你布置了销项" in action_chat.queued_texts(notice.address)[0]
    assert notice.payload["buttons"][0]["command"] == f"/完成销项 {item_id}"
    mine = action_chat.text("/我的销项", as_="lisi")
    assert f"[进行中] #{item_id} 完成接口文档" in mine and "2026年12月4日 18:00" in mine
    # Only the owner marks it done; only the requester confirms.
    assert "只有负责人" in action_chat.text(f"/完成销项 {item_id}", as_="zhangsan")
    assert "还没有标记为完成" in action_chat.text(f"/确认销项 {item_id}", as_="zhangsan")
    assert "等待提出人确认" in action_chat.text(f"/action-done #{item_id}", as_="lisi")
    assert "已经标记为完成" in action_chat.text(f"/完成销项 {item_id}", as_="lisi")
    asks = [m for m in action_chat.queued() if m.idempotency_key.startswith("actions.done")]
    assert [b["command"] for b in asks[0].payload["buttons"]] == [
        f"/确认销项 {item_id}",
        f"/退回销项 {item_id}",
    ]
    assert "只有提出人" in action_chat.text(f"/确认销项 {item_id}", as_="wangwu")
    assert "等我确认的销项（1）" in action_chat.text("/我的销项", as_="zhangsan")
    assert "已确认关闭" in action_chat.text(f"/确认销项 {item_id}", as_="zhangsan")
    assert "已经关闭了" in action_chat.text(f"/确认销项 {item_id}", as_="zhangsan")
    [(_, _, state, _, events)] = [r for r in _state(action_chat.runtime) if r[0] == item_id]
    assert (state, events) == ("closed", 3)


def test_reopen_and_admin_confirms(action_chat: ChatDriver) -> None:
    item_id = _new(action_chat)
    action_chat.text(f"/完成销项 {item_id}", as_="lisi")
    reply = action_chat.text(f"/退回销项 {item_id} 缺少错误码说明", as_="zhangsan")
    assert "已退回" in reply
    back = [m for m in action_chat.queued() if m.idempotency_key.startswith("actions.reopened")]
    assert "缺少错误码说明" in action_chat.queued_texts(back[0].address)[-1]
    assert "[进行中]" in action_chat.text("/我的销项", as_="lisi")
    action_chat.text(f"/完成销项 {item_id}", as_="lisi")
    # An admin may close what someone else asked for.
    assert "已确认关闭" in action_chat.text(f"/确认销项 {item_id}", as_="admin")


def test_extend_keeps_history_and_refuses_bad_input(action_chat: ChatDriver) -> None:
    item_id = _new(action_chat)
    before = _state(action_chat.runtime)
    for text, expected in [
        (f"/延期销项 {item_id} 2026-12-11", "请写上延期的原因"),
        (f"/延期销项 {item_id} 下周 等评审", "请写上期限"),
        (f"/延期销项 {item_id} 2026-02-30 等评审", "不是有效的日期"),
        (f"/延期销项 {item_id} 2026-11-01 等评审", "已经过去了"),
        (f"/延期销项 {item_id} 明年12月4日 等评审", "太远了：最晚 2027-12-01（一年以内）"),
        (f"/延期销项 {item_id} 2026-12-04 等评审", "不晚于现在的期限 2026-12-04 18:00"),
        # Earlier than the current due time is no extension: refused, nothing changed.
        (f"/延期销项 #{item_id} 2026-12-02 等评审", "延期只能往后延"),
        ("/延期销项 999 2026-12-11 等评审", "找不到销项 #999"),
    ]:
        assert expected in action_chat.text(text, as_="lisi"), text
    assert "只有负责人、提出人" in action_chat.text(
        f"/延期销项 {item_id} 2026-12-11 等评审", as_="wangwu"
    )
    assert _state(action_chat.runtime) == before
    # The id may be written as the replies print it: #12 (full-width too).
    reply = action_chat.text(
        f"/延期销项 ＃{item_id} 2026-12-11 17:00 等评审 12-10 的结论", as_="lisi"
    )
    assert "从 2026年12月4日 18:00 延到 2026年12月11日 17:00" in reply
    assert "等评审 12-10 的结论" in reply
    with action_chat.runtime.factory() as session:
        [event] = session.scalars(
            select(ActionEvent).where(
                ActionEvent.item_id == item_id, ActionEvent.kind == "extended"
            )
        ).all()
        assert event.detail == {
            "from": "2026-12-04T10:00:00+00:00",
            "to": "2026-12-11T09:00:00+00:00",
            "reason": "等评审 12-10 的结论",
        }
    # The requester is told of the owner's extension.
    assert any(
        "延到 2026年12月11日 17:00" in text
        for m in action_chat.queued()
        if m.idempotency_key.startswith("actions.extended")
        for text in action_chat.queued_texts(m.address)
    )


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("/销项 @lisi 完成接口文档 2026-12-04 17:30", datetime(2026, 12, 4, 9, 30, tzinfo=UTC)),
        ("/销项 @lisi 2026-12-04 完成接口文档", datetime(2026, 12, 4, 10, 0, tzinfo=UTC)),
        ("/销项 @lisi 完成接口文档 12月4日", datetime(2026, 12, 4, 10, 0, tzinfo=UTC)),
        ("/销项 @lisi 完成接口文档 202612041730", datetime(2026, 12, 4, 9, 30, tzinfo=UTC)),
        ("/销项 @lisi 完成接口文档 明天", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
        (
            "/action @lisi 完成接口文档 ２０２６－１２－０４",
            datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
        ),
    ],
)
def test_due_forms(action_chat: ChatDriver, text: str, due: datetime) -> None:
    item_id = _new(action_chat, text)
    [(_, title, _, stored, _)] = [r for r in _state(action_chat.runtime) if r[0] == item_id]
    assert (title, stored) == ("完成接口文档", due)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/销项 @lisi 完成接口文档", "请写上期限"),
        ("/销项 @lisi 2026-12-04", "请写上销项的内容"),
        ("/销项 完成接口文档 2026-12-04", "@"),
        ("/销项 @lisi 完成接口文档 2026-11-01", "已经过去了"),
        ("/销项 @lisi 完成接口文档 2026-13-01", "不是有效的日期"),
        # the words every reader uses for a year no due time will have (session 14)
        (
            "/销项 @lisi 完成接口文档 9999-12-31",
            "期限 9999-12-31 太远了：最晚 2027-12-01（一年以内）",
        ),
        ("/销项 @lisi 完成接口文档 0001-01-01", "期限 0001-01-01 已经过去了"),
        # beyond the plan horizon that 截止 and /停用成员 keep to (a tester's, session 13)
        (
            "/销项 @lisi 完成接口文档 明年12月4日",
            "期限 2027-12-04 18:00 太远了：最晚 2027-12-01（一年以内）。这次没有改动。",
        ),
        ("/销项 @lisi " + "长" * 501 + " 2026-12-04", "内容太长了"),
        # one item, one owner: a second @ was put into the title and never told (tester F8,
        # session 21)
        (
            "/销项 @lisi @wangwu 完成接口文档 2026-12-04",
            "一个销项只有一位负责人，@wangwu 没有算进来",
        ),
        ("/销项 @lisi 和 @wangwu 完成接口文档 2026-12-04", "一个销项只有一位负责人"),
    ],
)
def test_bad_create_changes_nothing(action_chat: ChatDriver, text: str, expected: str) -> None:
    before = _state(action_chat.runtime)
    assert expected in action_chat.text(text, as_="zhangsan")
    assert _state(action_chat.runtime) == before


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize("glue", ["：", "；", "，", " 、 "])
def test_the_mark_after_the_owner_is_no_part_of_the_title(
    action_chat: ChatDriver, glue: str
) -> None:
    """Tester F7 (session 21): 「/销项 @李四：写周报 …」 made the item 「：写周报」."""
    reply = action_chat.text(f"/销项 @lisi{glue}写周报 2026-12-04", as_="zhangsan")
    assert "负责「写周报」" in reply, reply


def test_redelivered_event_creates_one_item(action_chat: ChatDriver) -> None:
    before = len(_state(action_chat.runtime))
    for _ in range(2):
        action_chat.say("/销项 @lisi 完成接口文档 2026-12-04", as_="zhangsan", event_id="ev-1")
    assert len(_state(action_chat.runtime)) == before + 1
    assigned = [m for m in action_chat.queued() if m.idempotency_key.startswith("actions.assigned")]
    assert len(assigned) == 1


def test_reassign_by_requester_with_notice(action_chat: ChatDriver) -> None:
    item_id = _new(action_chat)
    before = _state(action_chat.runtime)
    assert "只有提出人" in action_chat.text(f"/转交销项 #{item_id} @wangwu", as_="lisi")
    assert "已经是销项" in action_chat.text(f"/转交销项 #{item_id} @lisi", as_="zhangsan")
    assert "找不到销项 #999" in action_chat.text("/转交销项 #999 @wangwu", as_="zhangsan")
    assert _state(action_chat.runtime) == before
    reply = action_chat.text(f"/action-reassign #{item_id} @wangwu 李四休假", as_="zhangsan")
    assert f"已把销项 #{item_id}「完成接口文档」转交给" in reply and "王五" in reply
    [notice] = [
        m for m in action_chat.queued() if m.idempotency_key.startswith("actions.reassigned")
    ]
    assert "张三 把销项" in action_chat.queued_texts(notice.address)[0]
    assert notice.payload["buttons"][0]["command"] == f"/完成销项 {item_id}"
    with action_chat.runtime.factory() as session:
        item = session.get(ActionItem, item_id)
        assert item is not None
        wangwu = item.owner_id
        [event] = session.scalars(
            select(ActionEvent).where(
                ActionEvent.item_id == item_id, ActionEvent.kind == "reassigned"
            )
        ).all()
        assert event.detail is not None and event.detail["to"] == wangwu
        assert event.detail["reason"] == "李四休假"
    assert "只有负责人" in action_chat.text(f"/完成销项 {item_id}", as_="lisi")
    assert "等待提出人确认" in action_chat.text(f"/完成销项 {item_id}", as_="wangwu")


@pytest.mark.parametrize(
    "written",
    [
        "/销项 @lisi 补齐 KR 数据 2026-12-04 关联 KR-1",
        "/销项 @lisi 补齐 KR 数据 关联KR-1 2026-12-04",
        "/销项 @lisi 补齐 KR 数据 ＫＲ－１ 2026-12-04",
        "/销项 @lisi 补齐 KR 数据 2026-12-04 KR1",
    ],
)
def test_link_to_a_kr_asked_of_the_okr_desk(action_chat: ChatDriver, written: str) -> None:
    with action_chat.runtime.factory() as session:
        kr = session.scalar(select(KeyResult).where(KeyResult.number == 1))
        assert kr is not None
        kr_id, kr_title = kr.id, kr.title
    reply = action_chat.text(written, as_="zhangsan")
    assert f"已关联 KR-1「{kr_title}」" in reply, reply
    item_id = int(reply.split("#")[1].split("：")[0])
    with action_chat.runtime.factory() as session:
        item = session.get(ActionItem, item_id)
        assert item is not None
        assert (item.title, item.source_kind, item.source_id) == ("补齐 KR 数据", "okr_kr", kr_id)


def test_an_unknown_kr_creates_nothing(action_chat: ChatDriver) -> None:
    before = _state(action_chat.runtime)
    reply = action_chat.text("/销项 @lisi 补数据 2026-12-04 关联 KR-99", as_="zhangsan")
    assert "找不到 KR-99" in reply and "销项没有创建" in reply
    assert _state(action_chat.runtime) == before


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize(
    "text",
    [
        "/销项 @lisi 交表 截止 周五",
        "/销项 @lisi 交表 周五前",
        "/销项 @lisi 交表 截止周五前",
        "/销项 @lisi 交表 截止：週五",
        "/销项 @lisi 交表 四号",
    ],
)
def test_a_deadline_marker_is_read_not_kept_in_the_title(
    action_chat: ChatDriver, text: str
) -> None:
    """Session 14: /销项 @x 交表 截止 周五 kept 截止 in the title and 周五前 was refused."""
    item_id = _new(action_chat, text)
    [(_, title, _, stored, _)] = [r for r in _state(action_chat.runtime) if r[0] == item_id]
    assert (title, stored) == ("交表", datetime(2026, 12, 4, 10, 0, tzinfo=UTC))


def test_an_owner_leaving_before_the_due_day_is_said(action_chat: ChatDriver) -> None:
    """Tester s23 F10: with 王五 set to leave on 12-02, 「/销项 @王五 … 12-10」 and
    「/转交销项 5 @王五」 said nothing; the duty desk warns of such a shift."""
    assert "将于 2026-12-02 停用" in action_chat.text("/停用成员 @wangwu 2026-12-02", as_="admin")
    warned = action_chat.text("/销项 @wangwu 离职后到期 2026-12-10", as_="zhangsan")
    assert "已创建销项 #" in warned, warned
    assert warned.endswith(
        "注意：王五 将于 2026-12-02 停用，期限在那之后；"
        "到时这个销项会转交给提出人（或团队负责人）。要换人请用 /转交销项。"
    ), warned
    before = action_chat.text("/销项 @wangwu 离职前完成 2026-12-01", as_="zhangsan")
    assert "已创建销项 #" in before and "停用" not in before, before
    item_id = _new(action_chat)
    handed = action_chat.text(f"/转交销项 #{item_id} @wangwu", as_="zhangsan")
    assert "转交给" in handed and "王五 将于 2026-12-02 停用，期限在那之后" in handed, handed


@pytest.mark.parametrize(
    ("at", "text", "note"),
    [
        # tester s29 F-9: 「下周一」 on the eve of 国庆 is 10-05, a statutory holiday
        ("2026-09-30 09:00", "/销项 @lisi 国庆前交付 下周一", "2026年10月5日 18:00 是法定节假日"),
        ("2026-11-30 09:00", "/销项 @lisi 周六交付 2026-12-12", "2026年12月12日 18:00 是周末"),
    ],
)
def test_an_item_due_on_a_day_off_is_said(
    action_chat: ChatDriver, at: str, text: str, note: str
) -> None:
    set_clock(action_chat.runtime, at)
    reply = action_chat.text(text, as_="zhangsan")
    assert "已创建销项 #" in reply, reply
    assert reply.endswith(f"注意：期限 {note}，不是工作日。"), reply


def test_a_day_off_in_a_year_without_official_data_is_said_to_be_a_guess(
    action_chat: ChatDriver,
) -> None:
    from teamassist.ports import Workdays

    official = action_chat.runtime.ports.get(Workdays).is_official(2027)
    reply = action_chat.text("/销项 @lisi 元旦交付 2027-01-01", as_="zhangsan")
    assert "期限 2027年1月1日 18:00 是法定节假日，不是工作日。" in reply, reply
    assert ("2027年的节假日安排尚未公布" in reply) is not official


def test_a_working_day_and_an_extension_onto_a_weekend(action_chat: ChatDriver) -> None:
    plain = action_chat.text("/销项 @lisi 周五交付 2026-12-04", as_="zhangsan")
    assert "已创建销项 #" in plain and "不是工作日" not in plain, plain
    item_id = int(plain.split("#")[1].split("：")[0])
    moved = action_chat.text(f"/延期销项 {item_id} 2026-12-13 等测试环境", as_="zhangsan")
    assert "2026年12月13日" in moved and moved.endswith("是周末，不是工作日。"), moved
