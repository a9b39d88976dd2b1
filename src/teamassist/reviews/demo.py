"""Demo data: a finished 360 round of the demo team, started a month ago by the admin.

张三 has four peer answers and his self-review (peers shown, k = 3) and his summary released;
李四 has two peer answers, so his peer pool shows nothing to anyone; 孙七 declined 张三.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from teamassist.reviews import service
from teamassist.team import service as team_service
from teamassist.team.models import Member, Workspace

ANSWERS = {
    "zhangsan": [
        (
            "lihua",
            {"collaboration": 5, "ownership": 4, "growth": 4, "keep": "评审意见具体，回复很快"},
        ),
        ("lisi", {"collaboration": 4, "ownership": 4, "keep": "值班交接写得清楚"}),
        ("wangwu", {"collaboration": 4, "growth": 3, "change": "周会的准备可以再早一点"}),
        ("zhaoliu", {"collaboration": 3, "ownership": 5, "change": "大的改动希望先写设计说明"}),
        ("zhangsan", {"collaboration": 4, "ownership": 3, "keep": "我在带新人上花了不少时间"}),
    ],
    "lisi": [
        ("wangwu", {"collaboration": 4, "keep": "文档整理得好"}),
        ("zhaoliu", {"collaboration": 2, "change": "有时回复慢"}),
    ],
}


def load(session: Session, workspace: Workspace, now: datetime) -> None:
    """Create the finished round in the workspace's default team."""
    team = team_service.default_team(session, workspace_id=workspace.id)

    def member(handle: str) -> Member:
        found = team_service.get_member_by_handle(session, workspace_id=workspace.id, handle=handle)
        assert found is not None, handle
        return found

    started = now - timedelta(days=30)
    cycle = service.start(
        session,
        team=team,
        by=member("admin"),
        reviewees=[member("zhangsan"), member("lisi")],
        due_on=service.today(team, now - timedelta(days=20)),
        now=started,
        name="2026 上半年 360评估",
        quiet=True,  # demo data queues no notices
    )
    answering = started + timedelta(days=3)
    for reviewee, rows in ANSWERS.items():
        for reviewer, answers in rows:
            service.submit(
                session,
                team=team,
                cycle=cycle,
                reviewee=member(reviewee),
                reviewer=member(reviewer),
                answers=answers,
                now=answering,
            )
    service.decline(
        session,
        team=team,
        cycle=cycle,
        reviewee=member("zhangsan"),
        reviewer=member("sunqi"),
        reason="这半年合作不多",
        now=answering,
    )
    service.release(
        session,
        team=team,
        cycle=cycle,
        reviewee=member("zhangsan"),
        by=member("admin"),
        now=now,
        quiet=True,
    )
