"""/问题反馈 and /产品建议: recorded exactly, routed to the person on duty, announced, receipted."""

from __future__ import annotations

from teamassist.enums import Platform
from teamassist.feedback.models import FeedbackStatus
from teamassist.i18n import t
from tests.feedback.support import (
    demo_team,
    given_nobody_on_duty,
    given_rotation,
    given_settings,
    given_webhook,
    items,
    member_id,
    outbox,
)
from tests.support.chat import ChatDriver

DEMO_ITEMS = 4  # the demo workspace ships four feedback items


def test_bug_goes_to_the_tech_person_on_duty(chat: ChatDriver) -> None:
    # given a tech rotation with 李华 on duty today and the team's WeCom robot
    given_rotation(chat.runtime, "tech", ["lihua", "wangwu"])
    given_webhook(chat.runtime)
    # when 张三 reports a bug
    text = chat.text("/问题反馈 登录页面打不开", as_="zhangsan")
    # then the receipt is the seed's sentence with the owner mentioned, and the id
    item = items(chat.runtime)[-1]
    assert "小助理收到你的反馈 我已经通知技术值班人员「@李华」, 请耐心等待" in text
    assert f"id=「{item.id}」" in text
    assert "登录页面打不开" in text  # the reporter's message is quoted
    # and the item is recorded as an open bug owned by 李华
    assert (item.kind, item.status, item.text) == ("bug", FeedbackStatus.OPEN, "登录页面打不开")
    assert item.owner_id == member_id(chat.runtime, "lihua")
    assert item.reporter_id == member_id(chat.runtime, "zhangsan")
    assert not item.digest_pending
    # and the internal channel and the WeCom robot both get the notice
    notices = {m.address: m for m in outbox(chat.runtime)}
    assert set(notices) == {"duty-room", "feedback-robot"}
    for address in ("duty-room", "feedback-robot"):
        body = chat.queued_texts(address)[0]
        assert "新的问题反馈" in body and f"反馈编号：{item.id}" in body
        assert "反馈人：张三" in body and "登录页面打不开" in body and "@李华" in body
    assert notices["feedback-robot"].platform == "wecom"
    assert notices["duty-room"].idempotency_key.startswith(f"feedback.new:{item.id}:")


def test_suggestion_goes_to_the_product_person_on_duty(chat: ChatDriver) -> None:
    given_rotation(chat.runtime, "tech", ["lihua"])
    given_rotation(chat.runtime, "product", ["wangwu"])
    text = chat.text("/产品建议 希望支持深色模式", as_="zhangsan")
    item = items(chat.runtime)[-1]
    assert "我已经通知产品值班人员「@王五」" in text
    assert item.kind == "suggestion" and item.owner_id == member_id(chat.runtime, "wangwu")
    assert "新的产品建议" in chat.queued_texts("duty-room")[0]


def test_nobody_on_duty_uses_the_configured_default_owner(sqlite_chat: ChatDriver) -> None:
    given_nobody_on_duty(sqlite_chat.runtime)
    given_settings(sqlite_chat.runtime, default_owner="sunqi")
    text = sqlite_chat.text("/问题反馈 无人值班时的问题", as_="zhangsan")
    item = items(sqlite_chat.runtime)[-1]
    assert "「@孙七」" in text
    # the demo team's rotations are gone: no sign-in will come, and the receipt says so
    assert "还没有值班表" in text and "下一位值班人员签到时" not in text, text
    assert item.owner_id == member_id(sqlite_chat.runtime, "sunqi")
    assert item.digest_pending
    assert "当前无人值班" in sqlite_chat.queued_texts("duty-room")[0]


def test_nobody_on_duty_and_no_setting_falls_back_to_first_admin(sqlite_chat: ChatDriver) -> None:
    given_nobody_on_duty(sqlite_chat.runtime)
    sqlite_chat.text("/bug 没有值班也没有设置", as_="zhangsan")
    assert items(sqlite_chat.runtime)[-1].owner_id == member_id(sqlite_chat.runtime, "admin")


def test_other_rotation_on_duty_does_not_take_the_bug(sqlite_chat: ChatDriver) -> None:
    # only a product rotation exists: a bug still goes to the default owner
    given_nobody_on_duty(sqlite_chat.runtime)
    given_rotation(sqlite_chat.runtime, "product", ["wangwu"])
    text = sqlite_chat.text("/问题反馈 只有产品在值班", as_="zhangsan")
    assert "下一位值班人员签到时" in text and "还没有值班表" not in text, text
    item = items(sqlite_chat.runtime)[-1]
    assert item.owner_id == member_id(sqlite_chat.runtime, "admin") and item.digest_pending


def test_text_is_stored_exactly_emoji_and_newlines_included(chat: ChatDriver) -> None:
    text = "崩溃了 😭🔥\n第二行：  两个空格  & <b>标签</b> 𠮷"
    chat.text(f"/问题反馈 {text}", as_="zhangsan")
    assert items(chat.runtime)[-1].text == text


def test_chinese_command_runs_straight_into_its_text(sqlite_chat: ChatDriver) -> None:
    sqlite_chat.text("/问题反馈登录不了", as_="zhangsan")
    assert items(sqlite_chat.runtime)[-1].text == "登录不了"


def test_empty_text_gets_usage_and_records_nothing(chat: ChatDriver) -> None:
    for command in ("/问题反馈", "/问题反馈    ", "/产品建议"):
        text = chat.text(command, as_="zhangsan")
        assert "用法：" in text
    assert len(items(chat.runtime)) == DEMO_ITEMS
    assert outbox(chat.runtime) == []


def test_text_of_invisible_characters_only_records_nothing(chat: ChatDriver) -> None:
    # the fresh tester's /问题反馈 \u200b was recorded and sent to the person on duty
    text = chat.text("/问题反馈 \u200b\u202e\ufeff", as_="zhangsan")
    assert text == t("feedback.error.empty")
    assert len(items(chat.runtime)) == DEMO_ITEMS
    assert outbox(chat.runtime) == []


def test_text_over_the_limit_is_refused_and_nothing_recorded(chat: ChatDriver) -> None:
    text = chat.text("/问题反馈 " + "长" * 2001, as_="zhangsan")
    assert "内容太长了（2001 字），最多 2000 字" in text
    assert len(items(chat.runtime)) == DEMO_ITEMS and outbox(chat.runtime) == []
    chat.text("/问题反馈 " + "长" * 2000, as_="zhangsan")
    assert len(items(chat.runtime)[-1].text) == 2000


def test_origin_is_kept_so_the_reporter_can_be_answered_there(sqlite_chat: ChatDriver) -> None:
    sqlite_chat.say(
        "/问题反馈 群里的问题",
        as_="u-1001",
        platform=Platform.QQ,
        chat_key="chan-9",
        tenant_key="guild-1",
    )
    item = items(sqlite_chat.runtime)[-1]
    assert (item.origin_platform, item.origin_chat_key, item.origin_tenant_key) == (
        "qq",
        "chan-9",
        "guild-1",
    )


def test_redelivered_event_records_one_item(chat: ChatDriver) -> None:
    chat.say("/问题反馈 重复投递", as_="zhangsan", event_id="evt-fb-1")
    chat.say("/问题反馈 重复投递", as_="zhangsan", event_id="evt-fb-1")
    assert [i.text for i in items(chat.runtime)].count("重复投递") == 1


def test_duty_paused_means_nobody_on_duty(sqlite_chat: ChatDriver) -> None:
    # given the admins paused duty for today (a holiday)
    reply = sqlite_chat.text("/值班暂停 今天", as_="admin")
    assert "需要有权限" not in reply
    # when someone reports a bug
    text = sqlite_chat.text("/问题反馈 放假时的问题", as_="lisi")
    # then it goes to the default owner and waits for the next sign-in
    item = items(sqlite_chat.runtime)[-1]
    assert item.digest_pending and item.owner_id == member_id(sqlite_chat.runtime, "admin")
    assert "下一位值班人员签到时" in text


def test_without_channels_the_owner_is_told_directly(sqlite_chat: ChatDriver) -> None:
    from sqlalchemy import update

    from teamassist.database import transaction
    from teamassist.team.models import Channel

    with transaction(sqlite_chat.runtime.factory) as session:
        session.execute(update(Channel).values(enabled=False))
    sqlite_chat.text("/问题反馈 没有值班频道", as_="lisi")
    item = items(sqlite_chat.runtime)[-1]
    inbox = sqlite_chat.queued_texts(f"member:{item.owner_id}")
    assert len(inbox) == 1 and "没有值班频道" in inbox[0]


def test_the_owner_is_mentioned_from_the_roster_read_alone(chat: ChatDriver) -> None:
    # given 李华 on tech duty, reachable on Feishu
    from sqlalchemy import event

    from teamassist.database import transaction
    from teamassist.team import service as team_service

    given_rotation(chat.runtime, "tech", ["lihua"])
    given_webhook(chat.runtime)
    with transaction(chat.runtime.factory) as session:
        lihua = team_service.get_member_by_handle(
            session, workspace_id=demo_team(session).workspace_id, handle="lihua"
        )
        assert lihua is not None
        team_service.add_identity(session, member=lihua, platform="feishu", user_key="ou_lh")
    statements: list[str] = []

    def seen(_c: object, _cur: object, statement: str, *_: object) -> None:
        statements.append(" ".join(statement.split()))

    # when 张三 reports a bug
    event.listen(chat.runtime.engine, "before_cursor_execute", seen)
    try:
        reply = chat.say("/问题反馈 飞书里点不开", as_="zhangsan")
    finally:
        event.remove(chat.runtime.engine, "before_cursor_execute", seen)
    # then the receipt and both notices mention 李华 with the Feishu identity
    assert reply is not None
    lihua_id = member_id(chat.runtime, "lihua")
    assert reply.people[lihua_id].identities == {"feishu": "ou_lh"}
    for notice in outbox(chat.runtime):
        assert notice.payload["people"][str(lihua_id)]["identities"] == {"feishu": "ou_lh"}
    # and the identities came with the roster's read of the people on duty, not on their own
    assert not [s for s in statements if s.startswith("SELECT platform_identity.")]
