"""When nobody is on duty, the receipt names the fallback owner as such, not as on duty, and
says what happens next as it is: a sign-in picks the item up only if the team has a rotation;
a team with no rotation and no admin hands it to the workspace's admin (tester F-B11)."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.database import transaction
from teamassist.feedback.models import FeedbackItem
from teamassist.outbox.models import OutboxMessage
from teamassist.team import people, workspaces
from teamassist.team import service as team_service
from tests.feedback.support import given_nobody_on_duty
from tests.support.chat import ChatDriver


def test_receipt_when_nobody_is_on_duty(sqlite_chat: ChatDriver) -> None:
    given_nobody_on_duty(sqlite_chat.runtime)  # no rotation left at all
    text = sqlite_chat.text("/问题反馈 夜里登录不了", as_="zhangsan")
    assert "我已经通知默认跟进人「@王管理」" in text
    assert "负责人" not in text  # the director's and the lead role's word
    assert "技术值班人员" not in text
    # no rotation: nobody will ever sign in, so the receipt does not promise it
    assert "下一位值班人员签到时" not in text, text
    assert "「开发者社区」还没有值班表，不会有值班人员签到接手" in text, text


def test_a_team_without_rotation_or_admin_hands_feedback_to_the_workspace_admin(
    chat: ChatDriver,
) -> None:
    """F-B11: 前端组 (erin only: no rotation, no admin) once stored the item with no owner,
    told nobody, and answered 「值班人员会尽快处理」. Now the workspace's admin (王管理, the
    default team's) owns it and is told directly, and the reporter hears exactly that."""
    with transaction(chat.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = workspaces.add_team(
            session, workspace=workspace, name="前端组", timezone="Asia/Shanghai"
        )
        erin = people.add_member(
            session, workspace=workspace, team=team, handle="erin", display_name="艾琳"
        )
        admin = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle="admin"
        )
        assert admin is not None
        erin_id, admin_id = erin.id, admin.id
    text = chat.text("/问题反馈 二组没有值班时的反馈", as_="erin")
    assert "\n小助理收到你的反馈。「前端组」现在没有值班人员，也没有管理员或默认跟进人" in text
    assert "我已经通知工作区管理员「@王管理」跟进" in text, text
    assert "值班人员会尽快处理" not in text and "下一位值班人员签到时" not in text, text
    assert "「前端组」还没有值班表" in text, text
    with chat.runtime.factory() as session:
        item = session.scalars(
            select(FeedbackItem).where(FeedbackItem.reporter_id == erin_id)
        ).one()
        assert item.owner_id == admin_id
        notices = [
            m
            for m in session.scalars(select(OutboxMessage))
            if m.idempotency_key.startswith(f"feedback.new:{item.id}")
        ]
    assert len(notices) == 1 and notices[0].idempotency_key.endswith(f":m{admin_id}"), notices
    assert (
        "「前端组」没有值班人员、管理员或默认跟进人，这条反馈交给工作区管理员跟进。"
        in (chat.queued_texts()[-1])
    )
