"""/通知, /群发 and /通知回执 through the dispatcher, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from teamassist.actions.models import ActionItem
from teamassist.announcements.models import Announcement, AnnouncementRecipient
from teamassist.chat.types import Reply, plain_text
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage
from teamassist.team.models import Channel, TeamMembership
from tests.okr.support import set_clock
from tests.outreach.support import CORE_CHAT, TEAM_CHAT, ids, set_up_groups
from tests.support.chat import ChatDriver
from tests.support.parallel import at_once


@pytest.fixture
def desk(chat: ChatDriver) -> ChatDriver:
    # Monday 2026-11-30 09:00 Beijing.
    set_clock(chat.runtime, "2026-11-30 09:00")
    set_up_groups(chat.runtime)
    return chat


def _announcement_rows(chat: ChatDriver) -> int:
    with chat.runtime.factory() as session:
        return len(session.scalars(select(Announcement)).all())


def _outbox(chat: ChatDriver, prefix: str = "announcements:") -> list[OutboxMessage]:
    return [m for m in chat.queued() if m.idempotency_key.startswith(prefix)]


def test_notice_posts_to_the_group_with_real_mentions(desk: ChatDriver) -> None:
    people = ids(desk.runtime)
    reply = desk.text("/通知 产品核心群 @lisi 请今天提交 Q4 预算", as_="lihua")
    assert "已排队通知 #1" in reply and "1 个群聊" in reply, reply
    [post] = _outbox(desk)
    assert (post.platform, post.address) == ("feishu", CORE_CHAT)
    payload = Reply.model_validate(post.payload)
    # A mention the platform renders natively, not the typed text.
    assert f"<@m:{people['lisi']}>" in payload.body
    assert payload.people[people["lisi"]].name == "李四"
    assert "请今天提交 Q4 预算" in desk.queued_texts(CORE_CHAT)[0]
    # Receipts: pending, then delivered once the outbox sent it.
    assert "发送中 1" in desk.text("/通知回执 1", as_="lihua")
    desk.runtime.deliver()
    receipt = desk.text("/通知回执 1", as_="lihua")
    assert "已送达 1" in receipt and "产品核心群：已送达" in receipt, receipt


def test_only_director_or_admin_announces_and_refusal_changes_nothing(desk: ChatDriver) -> None:
    reply = desk.text("/通知 产品核心群 大家好", as_="zhangsan")
    assert "只有「产品核心群」所在团队的负责人或管理员" in reply, reply
    assert "找不到群组「不存在的群」" in desk.text("/通知 不存在的群 大家好", as_="admin")
    assert _announcement_rows(desk) == 0 and _outbox(desk) == []
    # An admin who is not the director may.
    assert "已排队通知" in desk.text("/通知 开发者社区 大家好", as_="admin")
    # A team named: its team group chats (ours, and any the demo data added), nothing else.
    with desk.runtime.factory() as session:
        team_chats = set(
            session.scalars(select(Channel.address).where(Channel.purpose == "team")).all()
        )
    posts = {m.address for m in _outbox(desk)}
    assert TEAM_CHAT in posts and posts == team_chats


def test_bulk_dm_each_member_with_an_action_item(desk: ChatDriver) -> None:
    people = ids(desk.runtime)
    reply = desk.text("/群发 产品核心群 请提交 Q4 预算 截止 2026-12-04 17:30", as_="lihua")
    assert "逐个私信「产品核心群」的 2 位成员" in reply and "2026年12月4日 17:30" in reply, reply
    dms = _outbox(desk)
    # One DM per core member, none to the group chat.
    assert sorted(m.idempotency_key for m in dms) == sorted(
        f"announcements:1:m{people[h]}" for h in ("zhangsan", "lisi")
    )
    with desk.runtime.factory() as session:
        items = session.scalars(select(ActionItem).order_by(ActionItem.owner_id)).all()
        mine = [i for i in items if i.source_kind == "announcement"]
        assert sorted(i.owner_id for i in mine) == sorted([people["zhangsan"], people["lisi"]])
        assert {i.requester_id for i in mine} == {people["lihua"]}
        assert {i.due_at for i in mine} == {datetime(2026, 12, 4, 9, 30, tzinfo=UTC)}
        notes = session.scalars(select(AnnouncementRecipient.action_note)).all()
        assert all(n and "已开销项" in n for n in notes), notes
    desk.runtime.deliver()
    assert "已送达 2" in desk.text("/通知回执 1", as_="lihua")
    # Someone else's receipts are not for a plain member.
    assert "只有" in desk.text("/通知回执 1", as_="wangwu")


def test_bad_input_changes_nothing(desk: ChatDriver) -> None:
    for text, expected in [
        ("/群发 产品核心群 交材料 截止 2026-11-01 18:00", "截止时间已经过去了"),
        ("/群发 产品核心群 交材料 截止 2026-13-40", "看不懂"),
        ("/群发 产品核心群 @wangwu 交材料", "「产品核心群」里没有叫「王五」的成员"),
        ("/通知 产品核心群 @nobody 交材料", "nobody"),
    ]:
        assert expected in desk.text(text, as_="lihua"), text
    assert _announcement_rows(desk) == 0 and _outbox(desk) == []


def test_a_redelivered_event_announces_once(desk: ChatDriver) -> None:
    for _ in range(3):
        desk.say("/通知 产品核心群 周会改到周三", as_="lihua", event_id="evt-1")
    assert _announcement_rows(desk) == 1 and len(_outbox(desk)) == 1


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize(
    ("deadline", "due"),
    [
        ("截止 2027年12月1日", datetime(2027, 12, 1, 10, 0, tzinfo=UTC)),  # 18:00 Beijing
        ("截止 12月1日下午6点", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
        ("截止 下周五", datetime(2026, 12, 11, 10, 0, tzinfo=UTC)),
        ("截止 ２０２６年１２月３日 １７：３０", datetime(2026, 12, 3, 9, 30, tzinfo=UTC)),
        ("截止 明天 18:00", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
        ("截止 明年1月8日", datetime(2027, 1, 8, 10, 0, tzinfo=UTC)),
    ],
)
def test_a_deadline_in_any_form_chat_reads(desk: ChatDriver, deadline: str, due: datetime) -> None:
    """A fresh tester (session 12): /群发 … 截止 2027年12月3日 (and 12月1日下午6点, 下周五,
    full-width digits, 明天 18:00) was sent as text, with no action items and no deadline."""
    reply = desk.text(f"/群发 产品核心群 请提交预算 {deadline}", as_="lihua")
    assert "逐个私信" in reply, reply
    with desk.runtime.factory() as session:
        row = session.scalars(select(Announcement)).one()
        assert "截止" not in row.body
        items = session.scalars(select(ActionItem).where(ActionItem.source_kind == "announcement"))
        assert {i.due_at for i in items} == {due}


def test_a_deadline_too_far_in_words_is_refused(desk: ChatDriver) -> None:
    reply = desk.text("/群发 产品核心群 请提交预算 截止 2030年1月1日", as_="lihua")
    assert reply == "截止时间太远了：最晚 2027-12-01（一年以内）。这次没有发送。", reply
    # and a marker not followed by a date alone stays text
    assert "逐个私信" in desk.text("/群发 产品核心群 截止 日期另行通知", as_="lihua")
    assert _announcement_rows(desk) == 1


FRIDAY_18_BEIJING = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def _due_items(chat: ChatDriver) -> list[ActionItem]:
    with chat.runtime.factory() as session:
        return list(
            session.scalars(select(ActionItem).where(ActionItem.source_kind == "announcement"))
        )


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize(
    ("deadline", "due"),
    [
        ("截止 周五", FRIDAY_18_BEIJING),
        ("截止 周五 18:00", FRIDAY_18_BEIJING),
        ("截止 星期五", FRIDAY_18_BEIJING),
        ("截止 2026-12-04 18:00 前", FRIDAY_18_BEIJING),
        ("截止 2026-12-04 18:00前", FRIDAY_18_BEIJING),
        ("截止 周五之前", FRIDAY_18_BEIJING),
        ("截止日期 2026-12-04", FRIDAY_18_BEIJING),
        ("截止时间：周五下午5点", datetime(2026, 12, 4, 9, 0, tzinfo=UTC)),
    ],
)
def test_a_weekday_a_trailing_before_and_the_date_marker(
    desk: ChatDriver, deadline: str, due: datetime
) -> None:
    """Session 12's testers: /群发 <群> 请提交周报 截止 周五 (周五 18:00, 2026-12-04 18:00 前,
    截止日期 2026-12-04) went out with the deadline in its text and no action items. On Monday
    2026-11-30 周五 is 12-04; a date alone is due at 18:00 Beijing."""
    reply = desk.text(f"/群发 产品核心群 请提交周报 {deadline}", as_="lihua")
    assert "逐个私信" in reply and "前完成" in reply, reply
    with desk.runtime.factory() as session:
        assert "截止" not in session.scalars(select(Announcement)).one().body
    items = _due_items(desk)
    assert items and {i.due_at for i in items} == {due}


def test_a_notice_reads_the_weekday_for_the_people_it_mentions(desk: ChatDriver) -> None:
    reply = desk.text("/通知 产品核心群 @lisi 请提交周报 截止 周五", as_="lihua")
    assert "已排队通知" in reply and "前完成" in reply, reply
    people = ids(desk.runtime)
    assert [(i.owner_id, i.due_at) for i in _due_items(desk)] == [
        (people["lisi"], FRIDAY_18_BEIJING)
    ]


# 截止 周五下班 was here; it is read now (周五, the end of the working day: session 14)
@pytest.mark.forms_of_one_path
@pytest.mark.parametrize(
    "deadline",
    ["截止 周五下班 交齐", "截止 12月4日 交齐材料", "截止 下周内", "截止 周五 18:00 谢谢"],
)
def test_a_date_shaped_deadline_not_read_sends_nothing(desk: ChatDriver, deadline: str) -> None:
    reply = desk.text(f"/群发 产品核心群 请提交周报 {deadline}", as_="lihua")
    assert "没能读成截止时间，这次没有发送" in reply and "截止 周五 18:00" in reply, reply
    assert _announcement_rows(desk) == 0 and _outbox(desk) == [] and _due_items(desk) == []


@pytest.mark.parametrize(
    "deadline",
    [
        "截止 今晚",
        "截止 今晚 23:59",
        "截止 明晚 8点",
        "截止 月底",
        "截止 周末",
        "截止 大后天",
        "截止 十二月四日",
        "截止 下下周一",
        "截止 本月底",
    ],
)
def test_the_deadlines_a_tester_saw_sent_as_text_are_read_or_refused(
    desk: ChatDriver, deadline: str
) -> None:
    """Today's second tester: these went out as plain text, with no deadline and no action
    items. Each is now either read as a deadline or refused with the example, never sent with
    the deadline left in its text."""
    reply = desk.text(f"/通知 产品核心群 @lisi 交表 {deadline}", as_="lihua")
    if "前完成" in reply:  # read as a deadline
        assert _due_items(desk), reply
        with desk.runtime.factory() as session:
            assert "截止" not in session.scalars(select(Announcement)).one().body
    else:
        assert "这次没有发送" in reply and "截止 周五 18:00" in reply, reply
        assert _announcement_rows(desk) == 0 and _outbox(desk) == []


def test_a_marker_followed_by_plain_words_stays_text(desk: ChatDriver) -> None:
    reply = desk.text("/群发 产品核心群 周报截止日期另行通知", as_="lihua")
    assert "逐个私信" in reply and "前完成" not in reply, reply
    with desk.runtime.factory() as session:
        assert "截止日期另行通知" in session.scalars(select(Announcement)).one().body
    assert _due_items(desk) == []


def test_on_friday_a_bare_friday_is_today(desk: ChatDriver) -> None:
    """Decided: 周五 typed on a Friday is that day (18:00); once 18:00 has passed it is refused
    as past, not moved a week on silently."""
    set_clock(desk.runtime, "2026-12-04 09:00")
    assert "前完成" in desk.text("/群发 产品核心群 请提交周报 截止 周五", as_="lihua")
    assert {i.due_at for i in _due_items(desk)} == {FRIDAY_18_BEIJING}
    set_clock(desk.runtime, "2026-12-04 19:00")
    reply = desk.text("/群发 产品核心群 再次提醒 截止 周五", as_="lihua")
    assert reply == "截止时间已经过去了，请写一个未来的时间。", reply
    assert _announcement_rows(desk) == 1


def test_the_people_told_read_the_deadline_too(desk: ChatDriver) -> None:
    """A tester's find (session 13): /群发 产品核心群 请提交周报 截止 周五 sent each person
    "请提交周报" alone and /通知 posted "@张三 请提交周报": the deadline, read off the text, was
    known only to the author's receipt and the action items. Every message sent with a
    deadline now ends with it; the stored body stays as typed."""
    desk.text("/群发 产品核心群 请提交周报 截止 周五", as_="lihua")
    desk.text("/通知 产品核心群 @lisi 交材料 截止 2026-12-03 17:30", as_="lihua")
    texts = desk.queued_texts()
    dms = [t for t in texts if "请提交周报" in t]
    assert len(dms) == 2 and all(
        t.endswith("截止时间：2026年12月4日 18:00（已为每位对象布置销项）") for t in dms
    ), dms
    posts = [t for t in texts if "交材料" in t]
    assert posts and all("截止时间：2026年12月3日 17:30" in t for t in posts), posts
    with desk.runtime.factory() as session:
        bodies = session.scalars(select(Announcement.body)).all()
        assert not [b for b in bodies if "截止" in b], bodies


def _no_core_members(chat: ChatDriver) -> None:
    with transaction(chat.runtime.factory) as session:
        for row in session.scalars(select(TeamMembership)):
            row.core = False


def test_a_group_post_with_a_deadline_names_the_items_it_made(desk: ChatDriver) -> None:
    """A tester's find (session 13): /通知 核心群 大家好 截止 周五 (no @) replied "每位对象同时
    布置销项" though the core chat had no core members and no item was made. A group post's
    items go to the group's known members; the reply counts them."""
    reply = desk.text("/通知 产品核心群 大家好 截止 周五", as_="lihua")
    assert "同时为 2 人各布置一个销项，2026年12月4日 18:00 前完成。" in reply, reply
    people = ids(desk.runtime)
    assert sorted(i.owner_id for i in _due_items(desk)) == [people["zhangsan"], people["lisi"]]


def test_a_group_post_to_a_group_nobody_is_known_in_makes_no_items_and_says_so(
    desk: ChatDriver,
) -> None:
    _no_core_members(desk)
    reply = desk.text("/通知 产品核心群 大家好 截止 周五", as_="lihua")
    assert "已排队通知" in reply and "前完成" not in reply and "布置销项" in reply, reply
    assert "没有登记的成员，没有布置销项" in reply and "@ 负责的人" in reply, reply
    assert _due_items(desk) == []
    [post] = desk.queued_texts(CORE_CHAT)
    assert post.endswith("截止时间：2026年12月4日 18:00"), post
    # @ someone: they own the item, and the group post says so.
    reply = desk.text("/通知 产品核心群 @lisi 交材料 截止 周五", as_="lihua")
    assert "同时为 1 人各布置一个销项" in reply, reply
    assert [i.owner_id for i in _due_items(desk)] == [ids(desk.runtime)["lisi"]]


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("请提交周报 截止", "「截止」后面没有写时间，这次没有发送"),
        ("请提交周报 截止。", "「截止」后面没有写时间，这次没有发送"),
        ("请提交周报 截止 周四 截止 周五", "一条消息只能有一个截止时间"),
        ("截止 12月3日 交初稿，截止 周五 交终稿", "一条消息只能有一个截止时间"),
    ],
)
def test_a_bare_or_second_deadline_sends_nothing(desk: ChatDriver, text: str, said: str) -> None:
    """Testers (session 13): a bare trailing 截止 went out as text, and of two 截止 the first
    stayed in the text while the last was read. Both are refused with the hint."""
    reply = desk.text(f"/群发 产品核心群 {text}", as_="lihua")
    assert said in reply and "截止 周五 18:00" in reply, reply
    assert _announcement_rows(desk) == 0 and _outbox(desk) == [] and _due_items(desk) == []


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize("deadline", ["截至 周五", "截至周五前", "截至 2026-12-04"])
def test_a_closing_jiezhi_homophone_is_a_deadline(desk: ChatDriver, deadline: str) -> None:
    """截至 周五 (the common homophone) went out as plain text (session 13)."""
    reply = desk.text(f"/群发 产品核心群 请提交周报 {deadline}", as_="lihua")
    assert "前完成" in reply, reply
    assert {i.due_at for i in _due_items(desk)} == {FRIDAY_18_BEIJING}
    with desk.runtime.factory() as session:
        assert plain_text(session.scalars(select(Announcement.body)).one()).strip() == "请提交周报"


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize(
    "text", ["报名人数截至今天 32 人", "截至 12月1日 报名 32 人，请大家周五前确认"]
)
def test_jiezhi_as_of_in_running_text_stays_text(desk: ChatDriver, text: str) -> None:
    reply = desk.text(f"/群发 产品核心群 {text}", as_="lihua")
    assert "逐个私信" in reply and "销项" not in reply, reply
    with desk.runtime.factory() as session:
        assert plain_text(session.scalars(select(Announcement.body)).one()) == text
    assert _due_items(desk) == []


def test_an_item_title_is_the_text_without_mentions_and_closing_marks(desk: ChatDriver) -> None:
    """An item read "@lisi 请提交周报。" (session 13): its owner is @-mentioned already."""
    desk.text("/通知 产品核心群 @lisi 请提交周报。 截止 周五", as_="lihua")
    assert [i.title for i in _due_items(desk)] == ["请提交周报"]


def _beijing(text: str) -> datetime:
    """A Beijing wall-clock ``YYYY-MM-DD HH:MM`` as UTC."""
    return datetime.fromisoformat(f"{text}:00+08:00").astimezone(UTC)


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize(
    ("deadline", "due"),
    [
        ("截止 今夜", "2026-11-30 23:59"),
        ("截止 今晚", "2026-11-30 23:59"),
        ("截止 今儿", "2026-11-30 18:00"),
        ("截止 中午", "2026-11-30 12:00"),
        ("截止 下班前", "2026-11-30 18:00"),
        ("截止 四号", "2026-12-04 18:00"),
        ("截止 4号", "2026-12-04 18:00"),
        ("截止 週五", "2026-12-04 18:00"),
        ("截止 元旦", "2026-12-31 18:00"),
        ("截止 春节前", "2027-02-04 18:00"),  # 除夕 2027-02-05 is the first day off
        ("截止 明天中午", "2026-12-01 12:00"),
        ("截止 周五下班前", "2026-12-04 18:00"),
    ],
)
def test_session_14_deadline_words_are_read(desk: ChatDriver, deadline: str, due: str) -> None:
    """Session 14's testers: these went out as plain text with no deadline (截止 4号 was
    refused while 四号 was not). The reader reads them now (Monday 2026-11-30 09:00)."""
    reply = desk.text(f"/群发 产品核心群 交表 {deadline}", as_="lihua")
    assert "前完成" in reply, reply
    assert {i.due_at for i in _due_items(desk)} == {_beijing(due)}
    with desk.runtime.factory() as session:
        assert plain_text(session.scalars(select(Announcement.body)).one()).strip() == "交表"


@pytest.mark.forms_of_one_path
@pytest.mark.parametrize("deadline", ["截止 下周", "截止 节后", "截止 国庆前", "截止 下班以后再说"])
def test_a_time_like_deadline_the_reader_cannot_read_is_refused(
    desk: ChatDriver, deadline: str
) -> None:
    """The rule (grammar.trailing_due): time-like words after a final 截止 are read or refused
    with the example; never sent as text."""
    reply = desk.text(f"/群发 产品核心群 交表 {deadline}", as_="lihua")
    assert "这次没有发送" in reply and "截止 周五 18:00" in reply, reply
    assert _announcement_rows(desk) == 0 and _outbox(desk) == []


@pytest.mark.parametrize("at", ["2026-11-30 09:00", "2026-11-30 19:00"])
def test_as_of_today_alone_is_text(desk: ChatDriver, at: str) -> None:
    """报名人数截至今天 was refused as a past deadline in the evening (session 14): 截至 with
    today or a past day (no time, no 前) is "as of", text at any hour."""
    set_clock(desk.runtime, at)
    reply = desk.text("/群发 产品核心群 报名人数截至今天", as_="lihua")
    assert "逐个私信" in reply and "销项" not in reply, reply
    assert _due_items(desk) == []


def test_a_team_wide_bulk_dm_leaves_its_author_out(desk: ChatDriver) -> None:
    """Tester N5 (session 16): a team-wide 群发 DMed its author and opened an action item for
    them, and the stored text kept a trailing space where ``截止 …`` was cut."""
    people = ids(desk.runtime)
    with desk.runtime.factory() as session:
        members = session.scalars(
            select(TeamMembership.member_id).where(TeamMembership.team_id == 1)
        ).all()
    assert people["admin"] in members
    reply = desk.text("/群发 开发者社区 请在周五前更新OKR进展 截止 2026-12-04 18:00", as_="admin")
    assert "（不含发送者本人）" in reply, reply
    dms = {
        m.idempotency_key for m in _outbox(desk) if m.idempotency_key.startswith("announcements:1:")
    }
    assert f"announcements:1:m{people['admin']}" not in dms
    assert f"announcements:1:m{people['zhangsan']}" in dms
    assert f"{len(dms)} 位成员" in reply, reply
    with desk.runtime.factory() as session:
        owners = session.scalars(
            select(ActionItem.owner_id).where(ActionItem.source_kind == "announcement")
        ).all()
        assert owners and people["admin"] not in owners
        [row] = session.scalars(select(Announcement)).all()
        assert plain_text(row.body) == "请在周五前更新OKR进展"
    # Named explicitly, the author is a recipient like anyone else, and nothing is said.
    mine = desk.text("/群发 开发者社区 @admin 自己提醒自己", as_="admin")
    assert "不含" not in mine and "1 位成员" in mine, mine


def test_the_same_bulk_dm_twice_is_refused_unless_confirmed(desk: ChatDriver) -> None:
    """Tester A4 (session 16): ``/群发 开发者社区 周五前交周报`` sent twice a second apart went
    out twice (#1, #2: every member got the DM twice)."""
    first = desk.text("/群发 开发者社区 周五前交周报", as_="admin")
    assert "已排队群发 #1" in first, first
    sent = len(_outbox(desk))
    set_clock(desk.runtime, "2026-11-30 09:00:01")
    again = desk.text("/群发 开发者社区 周五前交周报", as_="admin")
    assert "已经发过了：#1" in again and "09:00:00（1 秒前）" in again, again
    assert "确认重发" in again
    assert _announcement_rows(desk) == 1 and len(_outbox(desk)) == sent
    # Confirmed, it goes; the confirmation is not part of the message.
    forced = desk.text("/群发 开发者社区 周五前交周报 确认重发", as_="admin")
    assert "已排队群发 #2" in forced, forced
    with desk.runtime.factory() as session:
        bodies = [plain_text(b) for b in session.scalars(select(Announcement.body)).all()]
    assert bodies == ["周五前交周报", "周五前交周报"]
    # Other text, other people, or after ten minutes: no question asked.
    assert "#3" in desk.text("/群发 开发者社区 周五前交月报", as_="admin")
    assert "#4" in desk.text("/群发 开发者社区 @zhangsan 周五前交周报", as_="admin")
    set_clock(desk.runtime, "2026-11-30 09:11")
    assert "#5" in desk.text("/群发 开发者社区 周五前交周报", as_="admin")


def test_a_retyped_bulk_dm_is_still_the_same(desk: ChatDriver) -> None:
    """Tester F4 (session 18): the same two people in the other order, IME full-width spaces,
    one of them mentioned twice or a closing "。" sent the same request to the same people
    again."""
    first = desk.text("/群发 开发者社区 @zhangsan @lisi 请周五前提交周报", as_="admin")
    assert "已排队群发 #1" in first, first
    sent = len(_outbox(desk))
    for retyped in (
        "@lisi @zhangsan 请周五前提交周报",
        "@zhangsan\u3000@lisi\u3000请周五前提交周报",
        "@zhangsan @lisi @zhangsan 请周五前提交周报",
        "@zhangsan @lisi 请周五前提交周报。",
        "请周五前提交周报 @zhangsan @lisi",
    ):
        again = desk.text(f"/群发 开发者社区 {retyped}", as_="admin")
        assert "已经发过了：#1" in again, (retyped, again)
    assert _announcement_rows(desk) == 1 and len(_outbox(desk)) == sent
    # Other words or other people are another message.
    assert "#2" in desk.text("/群发 开发者社区 @zhangsan @lisi 请周六前提交周报", as_="admin")
    assert "#3" in desk.text("/群发 开发者社区 @zhangsan 请周五前提交周报", as_="admin")


def test_spaces_between_chinese_words_case_and_width_do_not_make_new_words(
    desk: ChatDriver,
) -> None:
    """Tester F-B12 (session 25): 「明天下午 开会」, 「明天  下午开会」, 「meeting TOMORROW」 and
    「ｍｅｅｔｉｎｇ tomorrow」 each went to the same people again as a new 群发."""
    assert "已排队群发 #1" in desk.text("/群发 开发者社区 明天下午开会", as_="admin")
    assert "已排队群发 #2" in desk.text("/群发 开发者社区 Meeting tomorrow", as_="admin")
    sent = len(_outbox(desk))
    for retyped, first in (
        ("明天下午 开会", 1),
        ("明天  下午开会", 1),
        ("明天 下午 开会！", 1),
        ("meeting TOMORROW", 2),
        ("ｍｅｅｔｉｎｇ tomorrow", 2),
        ("Meeting  tomorrow.", 2),
    ):
        again = desk.text(f"/群发 开发者社区 {retyped}", as_="admin")
        assert f"已经发过了：#{first}" in again, (retyped, again)
    assert _announcement_rows(desk) == 2 and len(_outbox(desk)) == sent
    # Words that run together in English are other words.
    assert "已排队群发 #3" in desk.text("/群发 开发者社区 meetingtomorrow", as_="admin")


def test_an_invisible_direction_mark_does_not_make_new_words(desk: ChatDriver) -> None:
    """Tester s26 B-1: 「\u200f大家下午开会」 after 「大家下午开会」 went out again (4 more DMs
    and items): the gist kept the RLM. It is dropped from what is stored, too."""
    assert "已排队群发 #1" in desk.text("/群发 开发者社区 \u200e大家下午开会", as_="admin")
    sent = len(_outbox(desk))
    for retyped in ("\u200f大家下午开会", "大家下午\u2066开会\u2069", "\ufeff大家下午开会\u200b"):
        again = desk.text(f"/群发 开发者社区 {retyped}", as_="admin")
        assert "已经发过了：#1" in again, (retyped, again)
    assert _announcement_rows(desk) == 1 and len(_outbox(desk)) == sent
    with desk.runtime.factory() as session:
        (body,) = session.scalars(select(Announcement.body)).all()
    assert "\u200e" not in body and "大家下午开会" in body, body


def test_the_usage_lines_name_the_confirmation_word(desk: ChatDriver) -> None:
    """Session 17: the refusal named 确认重发, but neither command's usage did, so nobody could
    learn it before being refused."""
    for command in ("通知", "群发"):
        usage = desk.text(f"/帮助 {command}", as_="admin")
        assert "确认重发" in usage and "10 分钟内" in usage, usage


def test_the_length_limit_is_the_one_rest_has(desk: ChatDriver) -> None:
    """Tester F24 (session 18): chat said 「最多 2000 字」 yet sent 2,195 characters of content
    (the argument's room for 「截止 …」 and 「确认重发」 let them through), where REST refuses
    2,001."""
    sent = len(_outbox(desk))
    refused = desk.text("/群发 开发者社区 " + "长" * 2001 + " 确认重发", as_="admin")
    assert "2001 字" in refused and "最多 2000 字" in refused, refused
    refused = desk.text("/通知 开发者社区 " + "长" * 2195, as_="admin")
    assert "最多 2000 字" in refused, refused
    assert _announcement_rows(desk) == 0 and len(_outbox(desk)) == sent
    # 2,000 characters and a deadline still go.
    assert "已排队群发 #1" in desk.text(
        "/群发 开发者社区 " + "长" * 2000 + " 截止 2026-12-04 18:00", as_="admin"
    )


def test_the_same_bulk_dm_with_a_deadline_added_is_no_repeat(desk: ChatDriver) -> None:
    """Tester F5 (session 19): a 群发 sent, then sent again with the deadline its author
    forgot, was refused as the same message, so nobody got an action item. Adding a deadline
    sends it with the items; the same with the same deadline is still a repeat."""
    assert "已排队群发 #1" in desk.text("/群发 开发者社区 @zhangsan @lisi 交周报", as_="admin")
    assert _due_items(desk) == []
    added = desk.text("/群发 开发者社区 @zhangsan @lisi 交周报 截止 2026-12-04 18:00", as_="admin")
    assert "已排队群发 #2" in added and "销项" in added, added
    assert len(_due_items(desk)) == 2
    again = desk.text("/群发 开发者社区 @zhangsan @lisi 交周报 截止 2026-12-04 18:00", as_="admin")
    assert "已经发过了：#2" in again and "截止时间不同" not in again, again
    assert _announcement_rows(desk) == 2 and len(_due_items(desk)) == 2
    # Tester F15 (session 20): another deadline is refused as a repeat too (each person would
    # get a second item), and the reply says what differs and how to move the items.
    moved = desk.text("/群发 开发者社区 @zhangsan @lisi 交周报 截止 2026-12-07 18:00", as_="admin")
    assert "已经发过了：#2，只是截止时间不同（那次 12-04 18:00，这次 12-07 18:00）" in moved, moved
    assert "/延期销项" in moved, moved
    assert _announcement_rows(desk) == 2 and len(_due_items(desk)) == 2


def test_the_confirmation_glued_or_in_brackets(desk: ChatDriver) -> None:
    """Tester 2 (session 18): 「…交周报确认重发」 typed without a space got past the repeat guard
    and every DM ended in 确认重发; copied with the reply's brackets it went out the same way.
    Glued, it is still the same message (refused, the reply says to put a space before the
    word); in brackets, with the space, it is the confirmation."""
    assert "已排队群发 #1" in desk.text("/群发 开发者社区 @zhangsan @lisi 交周报", as_="admin")
    glued = desk.text("/群发 开发者社区 @zhangsan @lisi 交周报确认重发", as_="admin")
    assert "已经发过了：#1" in glued and "末尾空一格" in glued, glued
    assert _announcement_rows(desk) == 1
    forced = desk.text("/群发 开发者社区 @zhangsan @lisi 交周报 「确认重发」", as_="admin")
    assert "已排队群发 #2" in forced and "没有写进消息" in forced, forced
    with desk.runtime.factory() as session:
        bodies = [plain_text(b) for b in session.scalars(select(Announcement.body)).all()]
    assert all(b.endswith("交周报") for b in bodies), bodies


def _dm_bodies(chat: ChatDriver, number: int) -> dict[str, str]:
    """The raw body of each DM of announcement ``number``, by recipient's key suffix."""
    prefix = f"announcements:{number}:"
    return {
        m.idempotency_key.removeprefix(prefix): Reply.model_validate(m.payload).body
        for m in _outbox(chat, prefix)
    }


def test_a_bulk_dm_does_not_show_each_recipient_the_others(desk: ChatDriver) -> None:
    """Tester F5 (session 18): ``/群发 全员群 @lisi @wangwu 交周报`` DMed each of them
    "<@m:4> <@m:5> 交周报", so every recipient saw who else got it. The @s that open or close
    the message choose the recipients and stay out of the DMs; one inside the sentence is
    the author's words and stays; a group post keeps every mention."""
    people = ids(desk.runtime)
    zhangsan, lisi = f"m{people['zhangsan']}", f"m{people['lisi']}"
    desk.text("/群发 开发者社区 @zhangsan @lisi 交周报", as_="admin")
    bodies = _dm_bodies(desk, 1)
    assert sorted(bodies) == sorted([zhangsan, lisi])
    assert {plain_text(b) for b in bodies.values()} == {"交周报"}, bodies
    assert not any("<@m:" in b for b in bodies.values()), bodies
    desk.text("/群发 开发者社区 请更新 OKR 进展 @zhangsan  @lisi", as_="admin")
    assert {plain_text(b) for b in _dm_bodies(desk, 2).values()} == {"请更新 OKR 进展"}
    desk.text("/群发 开发者社区 @zhangsan 请和 @lisi 对一下周报", as_="admin")
    inside = _dm_bodies(desk, 3)
    assert sorted(inside) == sorted([zhangsan, lisi])
    for body in inside.values():
        assert f"<@m:{people['lisi']}>" in body, body
        assert f"<@m:{people['zhangsan']}>" not in body, body
    # Nor does the stored payload name them (tester F3, session 19: every DM's payload carried
    # every recipient's name): only the one the sentence mentions travels with it.
    for key in (1, 3):
        for message in _outbox(desk, f"announcements:{key}:"):
            named = set(Reply.model_validate(message.payload).people)
            assert named == ({people["lisi"]} if key == 3 else set()), (key, named)
    desk.text("/通知 开发者社区 @zhangsan 交周报", as_="admin")
    posts = _outbox(desk, "announcements:4:")
    assert posts and all(
        f"<@m:{people['zhangsan']}>" in Reply.model_validate(p.payload).body for p in posts
    )
    # A list written the Chinese way (tester F2, session 19: 「,<@m:5> …」 in every DM).
    for number, listed in enumerate(
        ("@zhangsan,@lisi", "@zhangsan，@lisi", "@zhangsan、 @lisi"), 5
    ):
        desk.text(f"/群发 开发者社区 {listed} 交第{number}版周报", as_="admin")
        bodies = _dm_bodies(desk, number)
        assert sorted(bodies) == sorted([zhangsan, lisi]), (listed, bodies)
        assert {plain_text(b) for b in bodies.values()} == {f"交第{number}版周报"}, bodies


def test_a_list_s_closing_comma_opens_neither_dm_nor_title(desk: ChatDriver) -> None:
    """Session 19: ``/群发 … @a，@b，交周报 截止 …`` sent 「，交周报」 and titled both action
    items 「，交周报」; a comma after the last @ is the list's, not the message's. A comma that
    closes the message before trailing @s goes too; one inside the sentence stays."""
    people = ids(desk.runtime)
    zhangsan, lisi = f"m{people['zhangsan']}", f"m{people['lisi']}"
    desk.text("/群发 开发者社区 @zhangsan，@lisi，交周报 截止 2026-12-04 18:00", as_="admin")
    assert {plain_text(b).split("\n")[0] for b in _dm_bodies(desk, 1).values()} == {"交周报"}
    assert {i.title for i in _due_items(desk)} == {"交周报"}
    desk.text("/群发 开发者社区 先读文档，再交周报， @zhangsan、@lisi", as_="admin")
    bodies = _dm_bodies(desk, 2)
    assert sorted(bodies) == sorted([zhangsan, lisi])
    assert {plain_text(b) for b in bodies.values()} == {"先读文档，再交周报"}, bodies


def test_a_word_joining_two_recipients_opens_neither_dm_nor_title(desk: ChatDriver) -> None:
    """Session 20 (F6): ``/群发 … @张三 和 @李四，内容`` titled the items 「和 ，内容」 and sent
    each 「和 @李四，内容」; 和 between two mentions is the list's, like its commas. A 和 that
    starts the sentence stays."""
    people = ids(desk.runtime)
    zhangsan, lisi = f"m{people['zhangsan']}", f"m{people['lisi']}"
    desk.text("/群发 开发者社区 @zhangsan 和 @lisi，内容A九 截止 2026-12-04 18:00", as_="admin")
    bodies = _dm_bodies(desk, 1)
    assert sorted(bodies) == sorted([zhangsan, lisi])
    assert {plain_text(b).split("\n")[0] for b in bodies.values()} == {"内容A九"}, bodies
    assert {i.title for i in _due_items(desk)} == {"内容A九"}
    desk.text("/群发 开发者社区 @zhangsan and @lisi 和产品组一起交周报", as_="admin")
    bodies = _dm_bodies(desk, 2)
    assert {plain_text(b) for b in bodies.values()} == {"和产品组一起交周报"}, bodies


def test_a_bulk_dm_of_nothing_but_mentions_is_refused(desk: ChatDriver) -> None:
    """The mentions that choose recipients are no message (and were none before F5's fix)."""
    reply = desk.text("/群发 开发者社区 @zhangsan @lisi", as_="admin")
    assert "通知内容不能为空" in reply, reply
    # nor is a joining word after them with nothing to join (tester F6, session 21: 「和」 went
    # out as the message)
    reply = desk.text("/群发 开发者社区 @zhangsan 和", as_="admin")
    assert "通知内容不能为空" in reply, reply
    assert _announcement_rows(desk) == 0 and _outbox(desk) == []


@pytest.mark.parametrize("rest", ["@zhangsan 和", "@zhangsan ，", "@zhangsan 和 @lisi 。", "和"])
def test_a_notice_of_nothing_but_mentions_and_joining_words_is_refused(
    desk: ChatDriver, rest: str
) -> None:
    """Tester 2 F6 (session 21): /通知 posted 「@张三 和」 and 「@张三 ，」 to the group, while
    /群发 refused the same text as empty: one rule for both."""
    for command in ("通知", "群发"):
        reply = desk.text(f"/{command} 开发者社区 {rest}", as_="lihua")
        assert "通知内容不能为空" in reply, (command, reply)
    assert _announcement_rows(desk) == 0 and _outbox(desk) == []
    # a word after the mention is a message, 和 inside a sentence too
    assert "已排队通知 #1" in desk.text("/通知 开发者社区 @zhangsan 和产品组对齐", as_="lihua")


def test_the_same_bulk_dm_sent_at_once_goes_once(desk: ChatDriver) -> None:
    """Tester F2 (session 20): the repeat guard read the author's recent announcements
    without a lock, so on PostgreSQL a double tap sent twice and 24 identical 群发 at once went
    out 18 times, each with its DMs and action items. Eight at once now send one; the others
    are told it was sent already. (SQLite serialises writers: there it held before too.)"""
    sends = 8
    replies = at_once(
        sends,
        lambda: desk.text(
            "/群发 开发者社区 @zhangsan @lisi 同时交周报 截止 2026-12-04 18:00", as_="admin"
        ),
    )
    assert len(replies) == sends, replies
    assert sum("已排队群发" in r for r in replies) == 1, replies
    assert sum("已经发过了" in r for r in replies) == sends - 1, replies
    assert _announcement_rows(desk) == 1
    assert len(_due_items(desk)) == 2


def test_a_full_width_colon_or_semicolon_ends_a_mention(desk: ChatDriver) -> None:
    """Tester F7 (session 20): 「@张三，@李四：内容」 looked for a member 「李四：内容」 and
    「@张三；@李四；内容」 for 「张三；」; both now send the content to both."""
    people = ids(desk.runtime)
    zhangsan, lisi = f"m{people['zhangsan']}", f"m{people['lisi']}"
    cases = (("@张三，@李四：", "交冒号版周报"), ("@张三；@李四；", "交分号版周报"))
    for number, (listed, content) in enumerate(cases, 1):
        text = listed + content
        reply = desk.text(f"/群发 开发者社区 {text}", as_="admin")
        assert "已排队群发" in reply, reply
        bodies = _dm_bodies(desk, number)
        assert sorted(bodies) == sorted([zhangsan, lisi]), (text, bodies)
        assert {plain_text(b) for b in bodies.values()} == {content}, bodies


def test_another_deadline_names_the_items_and_what_moves_them(desk: ChatDriver) -> None:
    """Tester F5 (session 21): the refusal of a 群发 re-sent with another deadline pointed to
    /延期销项 also for an earlier deadline (延期 only moves later) and named no item."""
    first = desk.text("/群发 开发者社区 @zhangsan @lisi 交周报 截止 2026-12-04 18:00", as_="admin")
    assert "已排队群发 #1" in first, first
    items = sorted(i.id for i in _due_items(desk))
    named = "、".join(f"#{i}" for i in items)
    later = desk.text("/群发 开发者社区 @zhangsan @lisi 交周报 截止 2026-12-07 18:00", as_="admin")
    assert f"要把那次布置的销项（{named}）延后，请对每一条发送 /延期销项" in later, later
    earlier = desk.text(
        "/群发 开发者社区 @zhangsan @lisi 交周报 截止 2026-12-02 18:00", as_="admin"
    )
    assert "这次 12-02 18:00 比那次 12-04 18:00 更早" in earlier, earlier
    assert f"延期只能往后延，那次布置的销项（{named}）不能提前" in earlier, earlier
    assert "/延期销项" not in earlier and "确认重发" in earlier, earlier
    assert _announcement_rows(desk) == 1 and len(_due_items(desk)) == 2


def test_a_notice_held_by_quiet_hours_is_not_said_to_be_sent(desk: ChatDriver) -> None:
    """Tester F5 (session 21): a notice held by its chat's quiet hours, sent again, was
    「已经发过了」; nothing went out, and /取消通知 then sending again is the clean way."""
    with transaction(desk.runtime.factory) as session:
        channel = session.scalars(select(Channel).where(Channel.address == CORE_CHAT)).one()
        channel.quiet_start, channel.quiet_end = "00:00", "10:00"  # it is 09:00
    first = desk.text("/通知 产品核心群 交周报 截止 2026-12-08 18:00", as_="lihua")
    assert "已排队通知 #1" in first, first
    items = "、".join(f"#{i}" for i in sorted(i.id for i in _due_items(desk)))
    same = desk.text("/通知 产品核心群 交周报 截止 2026-12-08 18:00", as_="lihua")
    assert "已经排好了：#1，它还没有发出" in same and "已经发过了" not in same, same
    assert "请先发送 /取消通知 1，再重新发" in same, same
    other = desk.text("/通知 产品核心群 交周报 截止 2026-12-07 18:00", as_="lihua")
    assert "已经发过了" not in other and "/延期销项" not in other, other
    assert f"请先发送 /取消通知 1（它的销项 {items} 会一起关闭），再重新发" in other, other
    assert _announcement_rows(desk) == 1
    # and the way it names works
    assert "已取消" in desk.text("/取消通知 1", as_="lihua")
    again = desk.text("/通知 产品核心群 交周报 截止 2026-12-07 18:00", as_="lihua")
    assert "已排队通知 #2" in again, again


def test_a_channel_that_takes_no_notice_is_named_with_the_purposes_that_do(
    desk: ChatDriver,
) -> None:
    """Tester s25 F-8: /通知 to the duty channel 值班频道 answered 找不到群组, sending the admin to
    the channel page that lists it."""
    reply = desk.text("/通知 值班频道 测试通知", as_="admin")
    assert "「值班频道」是值班/内部频道，不收通知和群发" in reply, reply
    assert "核心成员群、团队群、公共频道" in reply and "找不到" not in reply, reply
    assert _announcement_rows(desk) == 0
    assert "找不到群组「不存在的群」" in desk.text("/通知 不存在的群 大家好", as_="admin")
