"""Issue 13: the same date written the same way means the same day in every command that takes
one (``teamassist.chat.when``): an action item's due (``/销项``), a meeting's new date
(``/改期``), a date argument (``/停用成员``, as ``/议题销项``, ``/发起360``, ``/当日反馈``) and
the time of a 1on1 slot (``/一对一``). The clock: Monday 2026-11-02 09:00 Beijing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from teamassist.actions.models import ActionItem
from teamassist.clock import local
from teamassist.meetings.models import MeetingOccurrence
from teamassist.one_on_ones.models import OneOnOne
from teamassist.team.models import Member
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver

ZONE = "Asia/Shanghai"
NEW_YEARS_EVE = ["12月31日", "12/31", "2026-12-31", "１２月３１日", "２０２６／１２／３１", "12-31"]
# the same afternoon, typed three ways (with 12/31 before it, or glued on)
AFTERNOON = ["15:00", "１５：００", "下午3点"]


@pytest.fixture
def chat(sqlite_chat: ChatDriver) -> ChatDriver:
    set_clock(sqlite_chat.runtime, "2026-11-02 09:00")
    return sqlite_chat


def _local(at: datetime) -> datetime:
    return local(at, ZONE).replace(tzinfo=None)


def _last_item(chat: ChatDriver) -> ActionItem:
    with chat.runtime.factory() as session:
        return session.scalars(select(ActionItem).order_by(ActionItem.id.desc())).first()  # type: ignore[return-value]


@pytest.mark.parametrize("written", NEW_YEARS_EVE)
def test_an_action_items_due(chat: ChatDriver, written: str) -> None:
    reply = chat.text(f"/销项 @lisi 完成接口文档 {written}", as_="admin")
    assert "#" in reply, reply
    item = _last_item(chat)
    assert _local(item.due_at) == datetime(2026, 12, 31, 18, 0)  # the end of that working day
    assert item.title == "完成接口文档"


@pytest.mark.parametrize("typed", AFTERNOON)
def test_an_action_items_due_time(chat: ChatDriver, typed: str) -> None:
    for text in (
        f"/销项 @lisi 完成接口文档 12/31 {typed}",
        f"/销项 @lisi 完成接口文档 12/31{typed}",
    ):
        chat.text(text, as_="admin")
        assert _local(_last_item(chat).due_at) == datetime(2026, 12, 31, 15, 0), text


def _weekly(chat: ChatDriver) -> int:
    chat.text("/meetings", as_="admin")  # plans the weeks ahead
    with chat.runtime.factory() as session:
        return session.scalars(
            select(MeetingOccurrence.id).where(MeetingOccurrence.key == "weekly:2026-11-06")
        ).one()


def _start(chat: ChatDriver, occurrence_id: int) -> datetime:
    with chat.runtime.factory() as session:
        row = session.get(MeetingOccurrence, occurrence_id)
        assert row is not None
        return _local(row.start_at)


@pytest.mark.parametrize("written", NEW_YEARS_EVE)
def test_a_meetings_new_date(chat: ChatDriver, written: str) -> None:
    weekly = _weekly(chat)
    reply = chat.text(f"/改期 {weekly} {written}", as_="admin")
    assert "12月31日" in reply, reply
    assert _start(chat, weekly) == datetime(2026, 12, 31, 8, 30)  # keeps its time of day


@pytest.mark.parametrize("typed", AFTERNOON)
def test_a_meetings_new_time(chat: ChatDriver, typed: str) -> None:
    weekly = _weekly(chat)
    chat.text(f"/改期 {weekly} 12/31 {typed}", as_="admin")
    assert _start(chat, weekly) == datetime(2026, 12, 31, 15, 0)


@pytest.mark.parametrize("written", NEW_YEARS_EVE)
def test_a_date_argument(chat: ChatDriver, written: str) -> None:
    reply = chat.text(f"/停用成员 @zhaoliu {written}", as_="admin")
    with chat.runtime.factory() as session:
        member = session.scalars(select(Member).where(Member.handle == "zhaoliu")).one()
        assert member.deactivated_at is not None, reply
        assert local(member.deactivated_at, ZONE).date() == date(2026, 12, 31)


@pytest.mark.parametrize("typed", AFTERNOON)
def test_a_one_on_one_slots_time(chat: ChatDriver, typed: str) -> None:
    reply = chat.text(f"/一对一 @张三 每月第1个周四 {typed}", as_="lihua")
    assert "每月第1个周四 15:00" in reply, reply
    with chat.runtime.factory() as session:
        stored = session.scalars(select(OneOnOne.at).where(OneOnOne.nth == 1)).all()
        assert stored == ["15:00"]


@pytest.mark.parametrize(
    "command",
    [
        "/销项 @lisi 写文档 11月1日下午6点",
        "/销项 @lisi 写文档 11/1",
        "/群发 开发者社区 请提交周报 截止 11月1日",
    ],
)
def test_a_day_without_a_year_just_passed_is_refused_as_past(
    chat: ChatDriver, command: str
) -> None:
    """A tester's find (session 13): on 12-02 ``/销项 @张三 写文档 12月1日下午6点`` made an item
    due 2027-12-01 without a word. On 11-02 yesterday's 11月1日 is refused as past; nothing is
    made or sent."""
    with chat.runtime.factory() as session:
        items = session.scalar(select(func.count()).select_from(ActionItem))
    reply = chat.text(command, as_="admin")
    assert "过去" in reply or "已过" in reply, reply
    with chat.runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(ActionItem)) == items
    assert not [t for t in chat.queued_texts() if "请提交周报" in t]
