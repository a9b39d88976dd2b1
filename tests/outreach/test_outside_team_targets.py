"""Outside tester F5 (session 23): 「/通知 全员群 @鲍勃 交材料 截止 …」 and 「/会议销项 @鲍勃 …」
opened an action item of 开发者社区 for 鲍勃, who is only in 第二团队, while /销项 and /群发 refused
him. One rule now: a notice @s and a meeting gives items to the team's people only; nothing is
sent or noted. Every backend."""

from __future__ import annotations

from sqlalchemy import func, select

from teamassist.actions.models import ActionItem
from teamassist.announcements.models import Announcement
from teamassist.database import transaction
from teamassist.team.models import Member
from tests.support.chat import ChatDriver
from tests.team.support import second_team


def _counts(chat: ChatDriver) -> tuple[int, int]:
    with chat.runtime.factory() as session:
        items = session.scalar(select(func.count()).select_from(ActionItem)) or 0
        sent = session.scalar(select(func.count()).select_from(Announcement)) or 0
        return items, sent


def test_a_notice_or_a_meeting_item_for_someone_outside_the_team_is_refused(
    chat: ChatDriver,
) -> None:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
        outsider = session.scalars(select(Member).where(Member.handle == "boss2")).one()
        name = outsider.display_name
    before = _counts(chat)
    for text in (
        f"/通知 全员群 @{name} 交材料 截止 2026-06-10 18:00",
        f"/通知 全员群 @{name} 明天开会",
    ):
        refused = chat.text(text, as_="admin")
        assert f"{name} 不在「开发者社区」里：通知只 @ 本团队的成员" in refused, refused
    assert _counts(chat) == before
    # a member of the team is still fine
    assert "已排队通知" in chat.text("/通知 全员群 @李四 明天开会", as_="admin")


def test_a_meeting_action_for_someone_outside_the_team_is_refused(chat: ChatDriver) -> None:
    with transaction(chat.runtime.factory) as session:
        second_team(session)
    before = _counts(chat)
    refused = chat.text("/会议销项 @boss2 外队行动项", as_="admin")
    assert "不在「开发者社区」里：会上的销项只布置给本团队的成员" in refused, refused
    assert _counts(chat)[0] == before[0]
