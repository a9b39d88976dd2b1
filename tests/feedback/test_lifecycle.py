"""The desk's commands: /当日反馈, /标注解决 (the seed's), and acknowledge, won't fix, duplicate,
reopen, assign, search, mine, details — each with its bad inputs answered and nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teamassist.database import transaction
from teamassist.feedback import queries as feedback_queries
from teamassist.feedback.models import FeedbackItem, FeedbackStatus
from teamassist.team import service as team_service
from tests.feedback.support import (
    events,
    given_nobody_on_duty,
    given_rotation,
    items,
    member_id,
    outbox,
)
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver


def _report(chat: ChatDriver, text: str = "登录页面打不开", as_: str = "zhangsan") -> int:
    chat.text(f"/问题反馈 {text}", as_=as_)
    return items(chat.runtime)[-1].id


def _item(chat: ChatDriver, item_id: int) -> FeedbackItem:
    return next(i for i in items(chat.runtime) if i.id == item_id)


def test_today_lists_type_id_text_reporter_status(chat: ChatDriver) -> None:
    item_id = _report(chat, "今天的问题 🐛")
    chat.text("/产品建议 今天的建议", as_="lisi")
    text = chat.text("/当日反馈", as_="admin")
    assert "2026-06-01 的反馈" in text
    assert f"⬜ 【缺陷】id=「{item_id}」今天的问题 🐛（反馈人：张三，状态：未解决）" in text
    assert "【需求】" in text and "今天的建议" in text and "反馈人：李四" in text


def test_today_for_another_date_and_empty_day(sqlite_chat: ChatDriver) -> None:
    assert "2026-05-20 还没有收到反馈" in sqlite_chat.text("/当日反馈 2026-05-20", as_="admin")


def test_today_is_for_people_on_duty_and_admins(sqlite_chat: ChatDriver) -> None:
    given_nobody_on_duty(sqlite_chat.runtime)
    assert "需要有权限的人" in sqlite_chat.text("/当日反馈", as_="zhangsan")
    given_rotation(sqlite_chat.runtime, "tech", ["zhangsan"])
    assert "的反馈" in sqlite_chat.text("/当日反馈", as_="zhangsan")


def test_resolve_replies_with_the_seed_text_and_the_updated_list(chat: ChatDriver) -> None:
    item_id = _report(chat)
    text = chat.text(f"/标注解决 {item_id}", as_="admin")
    assert f"小助理已经更新id=「{item_id}」反馈的处理状态" in text
    assert f"✅ 【缺陷】id=「{item_id}」登录页面打不开（反馈人：张三，状态：已解决）" in text
    item = _item(chat, item_id)
    assert item.status == FeedbackStatus.RESOLVED and item.resolved_at == chat.runtime.clock()
    assert events(chat.runtime, item_id) == ["resolved"]


def test_resolve_unknown_id_gets_the_seed_reply(chat: ChatDriver) -> None:
    assert chat.text("/标注解决 999", as_="admin") == "小助理没有发现id=「999」的反馈哦，请重新输入"


def test_resolve_non_numeric_id_is_refused(chat: ChatDriver) -> None:
    item_id = _report(chat)
    text = chat.text("/标注解决 abc", as_="admin")
    assert "「abc」不是一个有效的编号" in text and "用法：/标注解决" in text
    assert _item(chat, item_id).status == FeedbackStatus.OPEN


def test_id_of_another_workspace_is_not_found(chat: ChatDriver) -> None:
    # given another workspace with its own item
    with transaction(chat.runtime.factory) as session:
        other = team_service.create_workspace(session, key="other", name="Other")
        team = team_service.create_team(
            session, workspace=other, key="t", name="T", timezone="Asia/Shanghai"
        )
        team_service.create_member(
            session, workspace=other, handle="x", display_name="X", team=team
        )
    other_chat = ChatDriver(chat.runtime, workspace_key="other")
    other_chat.text("/问题反馈 别的团队的问题", as_="x")
    foreign = items(chat.runtime)[-1]
    # when the demo admin tries to resolve it
    text = chat.text(f"/标注解决 {foreign.id}", as_="admin")
    # then it does not exist for them, and nothing changed
    assert text == f"小助理没有发现id=「{foreign.id}」的反馈哦，请重新输入"
    assert _item(chat, foreign.id).status == FeedbackStatus.OPEN


def test_resolve_without_the_right_role_changes_nothing(chat: ChatDriver) -> None:
    item_id = _report(chat)
    before = len(outbox(chat.runtime))
    assert "需要有权限的人才能使用" in chat.text(f"/标注解决 {item_id}", as_="lisi")
    assert _item(chat, item_id).status == FeedbackStatus.OPEN
    assert events(chat.runtime, item_id) == [] and len(outbox(chat.runtime)) == before


def test_resolving_twice_is_refused_and_changes_nothing(chat: ChatDriver) -> None:
    item_id = _report(chat)
    chat.text(f"/标注解决 {item_id} 已修复", as_="admin")
    resolved_at = _item(chat, item_id).resolved_at
    queued = len(outbox(chat.runtime))
    chat.runtime.clock.set(chat.runtime.clock() + timedelta(minutes=5))  # type: ignore[attr-defined]
    text = chat.text(f"/标注解决 {item_id}", as_="admin")
    assert f"id=「{item_id}」的反馈已经是「已解决」状态了，没有做任何修改" in text
    item = _item(chat, item_id)
    assert item.resolved_at == resolved_at and item.resolution_note == "已修复"
    assert events(chat.runtime, item_id) == ["resolved"] and len(outbox(chat.runtime)) == queued


def test_note_over_the_limit_is_refused(sqlite_chat: ChatDriver) -> None:
    item_id = _report(sqlite_chat)
    text = sqlite_chat.text(f"/标注解决 {item_id} " + "注" * 501, as_="admin")
    assert "最多 500 字" in text and _item(sqlite_chat, item_id).status == FeedbackStatus.OPEN


def test_acknowledge_then_resolve_with_note_tells_the_reporter(chat: ChatDriver) -> None:
    given_rotation(chat.runtime, "tech", ["lihua"])
    item_id = _report(chat)
    text = chat.text(f"/确认反馈 {item_id} 在看了", as_="lihua")
    assert f"小助理已经确认id=「{item_id}」的反馈，由「@李华」跟进" in text
    assert "需要有权限" not in text
    again = chat.text(f"/ack {item_id}", as_="lihua")
    assert "已经确认过了" in again
    chat.text(f"/resolve {item_id} 已修复，请刷新页面", as_="lihua")
    # the reporter heard both steps, in their web inbox (a web chat has no thread to reply in)
    to_reporter = chat.queued_texts(f"member:{member_id(chat.runtime, 'zhangsan')}")
    assert any(f"你的反馈 id=「{item_id}」已由「@李华」确认" in t for t in to_reporter)
    assert any("已经解决啦" in t and "处理说明：已修复，请刷新页面" in t for t in to_reporter)
    assert events(chat.runtime, item_id) == ["acknowledged", "resolved"]


def test_reporter_on_a_platform_is_answered_in_the_chat_they_wrote_in(
    sqlite_chat: ChatDriver,
) -> None:
    from teamassist.enums import Platform

    sqlite_chat.say(
        "/问题反馈 群里的问题",
        as_="u-1001",
        platform=Platform.QQ,
        chat_key="chan-9",
        tenant_key="guild-1",
    )
    item = items(sqlite_chat.runtime)[-1]
    sqlite_chat.text(f"/标注解决 {item.id} 好了", as_="admin")
    answer = [m for m in outbox(sqlite_chat.runtime) if m.address == "chan-9"]
    # the resolution is a reply in that QQ channel (the driver answers commands directly)
    assert len(answer) == 1 and answer[-1].platform == "qq"
    assert "已经解决啦" in sqlite_chat.queued_texts("chan-9")[-1]


def test_wont_fix_with_reason(sqlite_chat: ChatDriver) -> None:
    item_id = _report(sqlite_chat)
    text = sqlite_chat.text(f"/不予处理 {item_id} 这是预期行为", as_="admin")
    assert "标注为不予处理" in text
    item = _item(sqlite_chat, item_id)
    assert item.status == FeedbackStatus.WONT_FIX and item.resolution_note == "这是预期行为"
    assert any("暂不处理" in t and "这是预期行为" in t for t in sqlite_chat.queued_texts())


def test_duplicate_links_to_the_original_and_counts_plus_ones(chat: ChatDriver) -> None:
    original = _report(chat, "上传头像失败")
    dup1 = _report(chat, "头像传不上去", as_="lisi")
    dup2 = _report(chat, "头像上传报错", as_="wangwu")
    text = chat.text(f"/重复反馈 {dup1} {original}", as_="admin")
    assert f"合并到id=「{original}」，这个问题目前共有 2 条反馈。" in text
    # a duplicate of a duplicate lands on the original
    # reports, not people (tester s24 F14: one person's three reports were 「3 人」)
    assert "共有 3 条反馈。" in chat.text(f"/dup {dup2} {dup1}", as_="admin")
    assert _item(chat, dup2).duplicate_of_id == original
    assert _item(chat, original).plus_ones == 2
    assert _item(chat, dup1).status == FeedbackStatus.DUPLICATE
    assert events(chat.runtime, original) == ["plus_one", "plus_one"]
    assert any(f"和 id=「{original}」是同一个问题" in t for t in chat.queued_texts())


@pytest.mark.parametrize(
    ("args", "expected"),
    [("{a} {a}", "它自己的重复"), ("{a} 9999", "没有发现id=「9999」"), ("{a}", "缺少参数")],
)
def test_duplicate_bad_input(sqlite_chat: ChatDriver, args: str, expected: str) -> None:
    a = _report(sqlite_chat)
    assert expected in sqlite_chat.text("/重复反馈 " + args.format(a=a), as_="admin")
    assert _item(sqlite_chat, a).status == FeedbackStatus.OPEN


def test_the_reverse_of_a_duplicate_says_which_way_it_goes(sqlite_chat: ChatDriver) -> None:
    """s23 report 2 F10: with 12 a duplicate of 13, `/重复反馈 13 12` said 「不能把id=「13」的
    反馈标注为它自己的重复」: the user named two items."""
    original = _report(sqlite_chat)
    dup = _report(sqlite_chat, "一样的问题")
    sqlite_chat.text(f"/重复反馈 {dup} {original}", as_="admin")
    refused = sqlite_chat.text(f"/重复反馈 {original} {dup}", as_="admin")
    assert refused == (
        f"id=「{dup}」已经是 id=「{original}」的重复，不能反过来把 {original} 标成 {dup} 的重复；"
        f"要改方向请先 /重开反馈 {dup}。"
    ), refused
    assert _item(sqlite_chat, original).status == FeedbackStatus.OPEN
    assert _item(sqlite_chat, dup).duplicate_of_id == original


def test_reopen_restores_and_undoes_the_plus_one(sqlite_chat: ChatDriver) -> None:
    original = _report(sqlite_chat)
    dup = _report(sqlite_chat, "一样的问题")
    sqlite_chat.text(f"/重复反馈 {dup} {original}", as_="admin")
    text = sqlite_chat.text(f"/重开反馈 {dup} 其实不是同一个问题", as_="admin")
    assert f"重新打开id=「{dup}」" in text
    item = _item(sqlite_chat, dup)
    assert item.status == FeedbackStatus.OPEN and item.duplicate_of_id is None
    assert _item(sqlite_chat, original).plus_ones == 0
    assert "还没有关闭" in sqlite_chat.text(f"/reopen {dup}", as_="admin")
    owner = items(sqlite_chat.runtime)[-1].owner_id
    if owner != member_id(sqlite_chat.runtime, "admin"):  # the owner hears it unless they acted
        assert any("被重新打开了" in t for t in sqlite_chat.queued_texts(f"member:{owner}"))


def test_assign_and_reassign(chat: ChatDriver) -> None:
    item_id = _report(chat)
    text = chat.text(f"/指派反馈 {item_id} @lihua", as_="admin")
    assert f"把id=「{item_id}」的反馈指派给「@李华」" in text
    assert _item(chat, item_id).owner_id == member_id(chat.runtime, "lihua")
    # the new owner is told directly
    lihua_inbox = chat.queued_texts(f"member:{member_id(chat.runtime, 'lihua')}")
    assert any(f"id=「{item_id}」的反馈指派给你了" in t for t in lihua_inbox)
    assert "已经由「李华」跟进了" in chat.text(f"/assign {item_id} @lihua", as_="admin")
    chat.text(f"/assign {item_id} @wangwu", as_="admin")
    assert _item(chat, item_id).owner_id == member_id(chat.runtime, "wangwu")
    assert events(chat.runtime, item_id) == ["assigned", "assigned"]


def test_assign_unknown_member_or_not_a_mention(sqlite_chat: ChatDriver) -> None:
    item_id = _report(sqlite_chat)
    assert "找不到成员「nobody」" in sqlite_chat.text(f"/指派反馈 {item_id} @nobody", as_="admin")
    assert "不是一个 @成员" in sqlite_chat.text(f"/指派反馈 {item_id} lihua", as_="admin")
    assert events(sqlite_chat.runtime, item_id) == []


def test_acting_on_a_closed_item_is_refused(sqlite_chat: ChatDriver) -> None:
    item_id = _report(sqlite_chat)
    sqlite_chat.text(f"/标注解决 {item_id}", as_="admin")
    for command in (f"/确认反馈 {item_id}", f"/不予处理 {item_id}", f"/指派反馈 {item_id} @lihua"):
        assert "已经是「已解决」状态了" in sqlite_chat.text(command, as_="admin")
    assert events(sqlite_chat.runtime, item_id) == ["resolved"]


def test_mine_lists_the_reporters_own_items(sqlite_chat: ChatDriver) -> None:
    assert "你还没有提交过反馈" in sqlite_chat.text("/我的反馈", as_="sunqi")
    item_id = _report(sqlite_chat, "我的问题", as_="sunqi")
    _report(sqlite_chat, "别人的问题", as_="lisi")
    text = sqlite_chat.text("/mine", as_="sunqi")
    assert f"id=「{item_id}」我的问题" in text and "别人的问题" not in text


def test_search_by_text(chat: ChatDriver) -> None:
    _report(chat, "支付页面 100% 卡住")
    _report(chat, "登录问题")
    text = chat.text("/查找反馈 100%", as_="admin")
    assert "支付页面 100% 卡住" in text and "登录问题" not in text
    assert "没有找到包含「不存在」的反馈" in chat.text("/find 不存在", as_="admin")


def test_search_reply_tells_how_far_back_it_looked(
    sqlite_chat: ChatDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given three items and a window of two for short queries the index does not serve
    monkeypatch.setattr(feedback_queries, "SHORT_QUERY_WINDOW", 2)
    monkeypatch.setattr(feedback_queries, "MAX_PREFIX_TERMS", 0)
    for words in ("旧的卡顿", "新的卡顿", "又一个"):
        _report(sqlite_chat, words)
    # when searching a short word, then only the newest two were read, and the reply says so
    text = sqlite_chat.text("/查找反馈 卡", as_="admin")
    assert "新的卡顿" in text and "旧的卡顿" not in text
    assert "只查找了最近 2 条反馈" in text
    # three characters use the index over every item: no bound to tell
    text = sqlite_chat.text("/查找反馈 的卡顿", as_="admin")
    assert "旧的卡顿" in text and "只查找了最近" not in text


def test_search_reply_tells_when_every_part_is_common(
    sqlite_chat: ChatDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an old item holding 页面白屏 and newer ones holding only its parts, with "common"
    # meaning two items and a window of the newest two
    monkeypatch.setattr(feedback_queries, "GRAM_PROBE", 2)
    monkeypatch.setattr(feedback_queries, "SHORT_QUERY_WINDOW", 2)
    for words in ("旧的页面白屏", "页面白屏又来了", "登录页面", "白屏了"):
        _report(sqlite_chat, words)
    # when searched, then the newest two were read, and the reply says why and what helps
    text = sqlite_chat.text("/查找反馈 页面白屏", as_="admin")
    assert "没有找到包含「页面白屏」的反馈" in text
    assert "这几个字都很常见，只查找了最近 2 条反馈；换一个更少见的词" in text
    # a rarer word searches every item
    text = sqlite_chat.text("/查找反馈 旧的页面", as_="admin")
    assert "旧的页面白屏" in text and "只查找了最近" not in text


def test_details_show_history_and_response_times(sqlite_chat: ChatDriver) -> None:
    item_id = _report(sqlite_chat)
    clock = sqlite_chat.runtime.clock
    clock.set(clock() + timedelta(minutes=30))  # type: ignore[attr-defined]
    sqlite_chat.text(f"/确认反馈 {item_id}", as_="admin")
    clock.set(clock() + timedelta(hours=2))  # type: ignore[attr-defined]
    sqlite_chat.text(f"/标注解决 {item_id} 修好了", as_="admin")
    text = sqlite_chat.text(f"/反馈详情 {item_id}", as_="zhangsan")  # the reporter may look
    assert "确认用时：30 分钟（工作时间 30 分钟）" in text
    assert "解决用时：2 小时 30 分钟（工作时间 2 小时 30 分钟）" in text
    assert "王管理 确认了反馈" in text and "王管理 标注为已解决：修好了" in text
    assert "需要有权限" in sqlite_chat.text(f"/反馈详情 {item_id}", as_="lisi")


def test_answer_to_a_quiet_channel_waits_for_morning(
    sqlite_chat: ChatDriver,
) -> None:
    from teamassist.enums import ChannelPurpose, Platform

    # given a QQ channel that is quiet from 00:00 to 08:00
    with transaction(sqlite_chat.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team_service.create_channel(
            session,
            workspace=workspace,
            platform="qq",
            address="chan-quiet",
            purpose=ChannelPurpose.PUBLIC.value,
            quiet_start="00:00",
            quiet_end="08:00",
        )
    sqlite_chat.say(
        "/问题反馈 夜猫子的问题",
        as_="u-7",
        platform=Platform.QQ,
        chat_key="chan-quiet",
        tenant_key="guild-1",
    )
    item = items(sqlite_chat.runtime)[-1]
    # when it is resolved at 02:00 local
    clock = sqlite_chat.runtime.clock
    clock.set(clock().replace(hour=18))  # type: ignore[attr-defined]  # 2026-06-02 02:00 local
    sqlite_chat.text(f"/标注解决 {item.id}", as_="admin")
    # then the answer in that channel waits until 08:00
    answer = next(m for m in outbox(sqlite_chat.runtime) if m.address == "chan-quiet")
    assert answer.next_attempt_at.isoformat() == "2026-06-02T00:00:00+00:00"


@pytest.mark.parametrize("value", ["0", "-3"])
def test_ids_out_of_range_are_simply_not_found(sqlite_chat: ChatDriver, value: str) -> None:
    text = sqlite_chat.text(f"/标注解决 {value}", as_="admin")
    assert text == f"小助理没有发现id=「{int(value)}」的反馈哦，请重新输入"
    # one beyond the id columns is refused by the parser (999999999999: see the next test)


def test_a_busy_day_is_cut_short_with_a_pointer(sqlite_chat: ChatDriver) -> None:
    for n in range(53):
        sqlite_chat.text(f"/问题反馈 第 {n} 个问题", as_="lisi")
    text = sqlite_chat.text("/当日反馈", as_="admin")
    assert "的反馈（共 55 条）" in text  # the demo's two from today and the 53 new
    assert "……还有 5 条" in text and text.count("【缺陷】") == 50


@pytest.mark.parametrize("written", ["3000000000", str(2**63 - 1)])
def test_an_id_above_what_the_columns_store_is_refused_as_no_id(
    chat: ChatDriver, written: str
) -> None:
    # Before 3fc7da4 such an id was looked up and not found here; fourteen other commands failed
    # on PostgreSQL with "integer out of range" (tester s25 F-B9): the parser refuses it for all.
    item_id = _report(chat)
    for command in (f"/标注解决 {written}", f"/重复反馈 {item_id} {written}"):
        text = chat.text(command, as_="admin")
        assert f"「{written}」不是有效的编号：数字太大了（编号最大是 2147483647）" in text, text
    assert _item(chat, item_id).status == FeedbackStatus.OPEN


def test_assigning_to_someone_set_to_leave_says_so(sqlite_chat: ChatDriver) -> None:
    """Tester s23 F10: 「/指派反馈 39 @王五」 with 王五 leaving on a date said nothing; the duty
    desk warns of such a shift."""
    set_clock(sqlite_chat.runtime, "2026-11-30 09:00")
    item_id = _report(sqlite_chat)
    sqlite_chat.text("/停用成员 @sunqi 2026-12-02", as_="admin")
    text = sqlite_chat.text(f"/指派反馈 {item_id} @sunqi", as_="admin")
    assert f"把id=「{item_id}」的反馈指派给「@孙七」" in text, text
    assert text.endswith(
        "注意：孙七 将于 2026-12-02 停用，到时 TA 还没处理完的反馈会转给当时值班的人"
        "（或团队的默认跟进人）。要换人请再 /指派反馈。"
    ), text
    plain = sqlite_chat.text(f"/指派反馈 {item_id} @lihua", as_="admin")
    assert "停用" not in plain, plain
