"""The seed's director grammar (seed §2.2–§2.3) replayed in a DM with the bot, every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from teamassist.actions.models import ActionItem
from teamassist.announcements import grammar
from teamassist.announcements.models import Announcement
from teamassist.chat.types import Reply
from teamassist.database import transaction
from teamassist.enums import ChannelPurpose
from teamassist.exceptions import Invalid
from teamassist.team import service as team_service
from tests.okr.support import set_clock
from tests.outreach.support import CORE_CHAT, ids, set_up_groups
from tests.support.chat import ChatDriver


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    return chat


def _items(chat: ChatDriver) -> list[ActionItem]:
    with chat.runtime.factory() as session:
        return list(session.scalars(select(ActionItem).where(ActionItem.source_kind.is_not(None))))


def _count(chat: ChatDriver) -> tuple[int, int]:
    """(announcements, their queued notices)."""
    with chat.runtime.factory() as session:
        rows = len(session.scalars(select(Announcement)).all())
    notices = [m for m in chat.queued() if m.idempotency_key.startswith("announcements:")]
    return rows, len(notices)


def test_action_item_for_a_named_member_and_group_post(desk: ChatDriver) -> None:
    people = ids(desk.runtime)
    reply = desk.text("###产品核心群###@@@李四@@@$$$202612041800$$$提交Q4预算", as_="lihua")
    assert "已排队通知" in reply and "2026年12月4日 18:00" in reply, reply
    [post] = [m for m in desk.queued() if m.address == CORE_CHAT]
    body = Reply.model_validate(post.payload)
    assert f"<@m:{people['lisi']}>" in body.body
    assert "12月4日18:00提交Q4预算" in desk.queued_texts(CORE_CHAT)[0]
    [item] = _items(desk)
    assert (item.owner_id, item.requester_id) == (people["lisi"], people["lihua"])
    assert item.due_at == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # 18:00 Beijing
    assert item.title == "@李四12月4日18:00提交Q4预算"  # the seed's task text


def test_deadline_without_names_gives_every_member_an_item(desk: ChatDriver) -> None:
    people = ids(desk.runtime)
    desk.text("###产品核心群###$$$202612041800$$$提交周报", as_="lihua")
    assert sorted(i.owner_id for i in _items(desk)) == sorted([people["zhangsan"], people["lisi"]])


def test_bulk_helper_dms_everyone_and_posts_nothing(desk: ChatDriver) -> None:
    people = ids(desk.runtime)
    reply = desk.text("###产品核心群###***群发助手***明天放假", as_="lihua")
    assert "逐个私信" in reply, reply
    dms = [m for m in desk.queued() if m.idempotency_key.startswith("announcements:")]
    assert sorted(m.idempotency_key for m in dms) == sorted(
        f"announcements:1:m{people[h]}" for h in ("zhangsan", "lisi")
    )
    assert not [m for m in desk.queued() if m.address == CORE_CHAT]
    assert _items(desk) == []


def test_unsafe_text_arrives_intact(desk: ChatDriver) -> None:
    desk.text('###产品核心群###请看"引号"\n和第二行 <b>不是标记</b>', as_="lihua")
    [text] = desk.queued_texts(CORE_CHAT)
    assert '请看"引号"\n和第二行 <b>不是标记</b>' in text


def test_errors_name_the_problem_and_send_nothing(desk: ChatDriver) -> None:
    for text, expected in [
        ("###产品核心群###@@@不存在@@@开会", "「产品核心群」里没有叫「不存在」的成员"),
        ("###没有这个群###开会", "找不到群组「没有这个群」"),
        ("@@@李四@@@***群发助手***开会", "请用 ###群名### 指定"),
        ("###产品核心群###$$$202611011800$$$交材料", "截止时间已经过去了"),
        ("###产品核心群###$$$20261304180$$$交材料", "看不懂"),
        ("###产品核心群###$$$202613041800$$$交材料", "看不懂"),
        ("###产品核心群######开发者大群###交材料", "只能写一次"),
        ("###产品核心群###***放烟花***交材料", "不认识的命令「***放烟花***」"),
        # a marker left open was sent to the group as the content (breaker, session 6)
        ("###产品核心群###@@@李四", "「@@@」没有配对"),
        ("###产品核心群###$$$202612041800 交材料", "「$$$」没有配对"),
    ]:
        assert expected in desk.text(text, as_="lihua"), text
    # A member who is not the director is refused too.
    assert "只有团队负责人或管理员" in desk.text("###产品核心群###开会", as_="zhangsan")
    assert _count(desk) == (0, 0) and _items(desk) == []


def test_testing_hook_and_career_plan(desk: ChatDriver) -> None:
    assert desk.say("***我在做测试***随便写点", as_="lihua") is None
    reply = desk.text(
        "###产品核心群###***制定个人职业发展规划***$$$202612311800$$$请完成", as_="lihua"
    )
    # the career-plan desk answers (the demo's plans exist already: tests/careers starts
    # from none); no announcement is made for it. 李四's unwritten plan (due 06-15) takes the
    # later deadline; 张三 has written his, so it keeps its own (tester F13 / F7).
    assert "李四 的 2026 年规划已经发起过，还没有填写：截止时间从 2026-06-15 18:00 改为" in reply
    assert "张三 的 2026 年规划已经填写，截止时间不再更改" in reply, reply
    assert "需要截止时间" in desk.text(
        "###产品核心群###***制定个人职业发展规划***写规划", as_="lihua"
    )
    assert _count(desk) == (0, 0)


def test_the_same_event_five_times_makes_one_set(desk: ChatDriver) -> None:
    for _ in range(5):
        desk.say(
            "###产品核心群###@@@李四@@@$$$202612041800$$$提交Q4预算", as_="lihua", event_id="m-1"
        )
    assert _count(desk) == (1, 1) and len(_items(desk)) == 1


def test_the_deadline_is_the_team_zone() -> None:
    # 18:00 on the team's wall clock, whatever the zone (the seed assumed +08:00).
    assert grammar.deadline("202612041800", "Europe/Berlin") == datetime(
        2026, 12, 4, 17, 0, tzinfo=UTC
    )
    parsed = grammar.parse("***群发助手***###G###@@@a@@@x@@@b@@@")
    assert (parsed.group, parsed.command, parsed.names, parsed.content) == (
        "G",
        "群发助手",
        ("a", "b"),
        "x",
    )
    with pytest.raises(Invalid):
        grammar.parse("###G###$$$202612041800$$$$$$202612051800$$$")


def _core_team_chat(chat: ChatDriver) -> None:
    """A team chat called 核心团队, the tester's group (session 16)."""
    with transaction(chat.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team_service.create_channel(
            session,
            workspace=workspace,
            platform="feishu",
            address="oc_core_team",
            purpose=ChannelPurpose.TEAM.value,
            name="核心团队",
            team=team_service.default_team(session, workspace_id=workspace.id),
        )


@pytest.mark.parametrize(
    "text",
    [
        # a deadline and no content DMed the whole group and opened an item per person
        # titled 「12月4日18:00」 (tester N1, session 16)
        "###核心团队###***群发助手***$$$202612041800$$$",
        "###核心团队###***群发助手***@@@李四@@@$$$202612041800$$$",
        "###核心团队###$$$202612041800$$$",
        "###核心团队###@@@李四@@@ $$$202612041800$$$ ",
        # the chat commands: only @mentions and a deadline
        "/群发 核心团队 @lisi 截止 2026-12-04 18:00",
        "/通知 核心团队 @lisi 截止 周五",
    ],
)
def test_markers_without_content_send_nothing(desk: ChatDriver, text: str) -> None:
    _core_team_chat(desk)
    assert "通知内容不能为空" in desk.text(text, as_="lihua"), text
    assert _count(desk) == (0, 0) and _items(desk) == []
