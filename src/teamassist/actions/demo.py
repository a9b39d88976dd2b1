"""Demo action items on the demo team, relative to load time: one overdue (for the reminder
and the ageing chart), one done and waiting for the requester, one closed, one due next week."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from teamassist.actions import service
from teamassist.team import service as team_service
from teamassist.team.models import Workspace

# owner, requester, title, days from now it was created, days from now it is due, end state
DEMO_ITEMS = [
    ("zhangsan", "lihua", "整理社区常见问题文档", -10, -3, "open"),
    ("lisi", "lihua", "修复登录页的样式问题", -6, 2, "done"),
    ("wangwu", "admin", "准备十二月社区活动方案", -14, -4, "closed"),
    ("zhaoliu", "lihua", "评审接口文档 v2", -1, 7, "open"),
]


def load(session: Session, workspace: Workspace, now: datetime) -> None:
    """Create the demo items in the workspace's default team."""
    team = team_service.default_team(session, workspace_id=workspace.id)
    for owner_handle, requester_handle, title, created, due, end in DEMO_ITEMS:
        owner = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle=owner_handle
        )
        requester = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle=requester_handle
        )
        assert owner is not None and requester is not None
        at = now + timedelta(days=created)
        item = service.create(
            session,
            team=team,
            requester=requester,
            owner=owner,
            title=title,
            due_at=now + timedelta(days=due),
            now=at,
        )
        if end in ("done", "closed"):
            service.mark_done(session, item=item, actor=owner, now=at + timedelta(days=2))
        if end == "closed":
            service.confirm(
                session,
                team=team,
                item=item,
                actor=requester,
                admin=False,
                now=at + timedelta(days=3),
            )
