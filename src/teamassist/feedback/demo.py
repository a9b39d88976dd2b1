"""Demo feedback: a few items in different states, one with emoji, so the desk is not empty."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from teamassist.feedback import service as feedback_service
from teamassist.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from teamassist.feedback.service import Origin
from teamassist.team import service as team_service
from teamassist.team.models import Workspace

# (hours ago, reporter, kind, text, owner, final status, note)
DEMO_ITEMS = [
    (
        26,
        "zhangsan",
        FeedbackKind.BUG,
        "登录页面在 Safari 上点「登录」没有反应",
        "lihua",
        FeedbackStatus.RESOLVED,
        "已修复，刷新页面即可",
    ),
    (
        20,
        "lisi",
        FeedbackKind.SUGGESTION,
        "希望文档能加一个深色模式 🌙",
        "admin",
        FeedbackStatus.ACKNOWLEDGED,
        None,
    ),
    (3, "wangwu", FeedbackKind.BUG, "上传头像时报错 500 😭", "lihua", FeedbackStatus.OPEN, None),
    (
        1,
        "zhaoliu",
        FeedbackKind.BUG,
        "上传头像失败，提示服务器错误",
        "lihua",
        FeedbackStatus.DUPLICATE,
        None,
    ),
]


def load_demo(session: Session, workspace: Workspace, now: datetime) -> None:
    """Add the demo items to the demo workspace's first team."""
    team = team_service.default_team(session, workspace_id=workspace.id)
    origin = Origin(platform="web", chat_key="public", chat_name="公共频道")
    created: list[FeedbackItem] = []
    for hours, reporter_handle, kind, text, owner_handle, status, note in DEMO_ITEMS:
        at = now - timedelta(hours=hours)
        reporter = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle=reporter_handle
        )
        owner = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle=owner_handle
        )
        item = feedback_service.submit(
            session,
            team=team,
            reporter=reporter,
            kind=kind,
            text=text,
            origin=origin,
            owner=owner,
            now=at,
        )
        later = at + timedelta(minutes=40)
        if status in (FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.RESOLVED):
            feedback_service.acknowledge(session, item=item, actor=owner, now=later)
        if status is FeedbackStatus.RESOLVED:
            feedback_service.close(
                session,
                item=item,
                status=status,
                actor=owner,
                now=later + timedelta(hours=3),
                note=note,
            )
        if status is FeedbackStatus.DUPLICATE:
            feedback_service.mark_duplicate(
                session, item=item, original=created[-1], actor=owner, now=later
            )
        created.append(item)
