"""A small engineering framework on the demo team (P1–P4, two or three criteria each), levels
for its people, and last year's and this year's assessment of 张三."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.qualifications import service
from teamassist.qualifications.models import Outcome
from teamassist.team import service as team_service
from teamassist.team.models import Workspace

ENGINEERING = service.TrackSpec(
    key="engineering",
    name="技术序列",
    levels=[
        service.LevelSpec(
            "P1", "初级工程师", ["在指导下完成明确的开发任务", "代码通过评审、有基本测试"]
        ),
        service.LevelSpec(
            "P2", "工程师", ["独立负责一个模块的设计与交付", "能定位和修复线上问题", "为新人答疑"]
        ),
        service.LevelSpec(
            "P3",
            "高级工程师",
            ["主导跨模块的技术方案", "推动质量或效率有可度量的改进", "带教至少一名新人"],
        ),
        service.LevelSpec("P4", "资深工程师", ["制定团队的技术方向", "在团队外有技术影响力"]),
    ],
)
LEVELS = {"zhangsan": "P3", "lisi": "P2", "wangwu": "P2", "zhaoliu": "P1", "sunqi": "P1"}


def load(session: Session, workspace: Workspace, now: datetime) -> None:
    """The framework, current levels and 张三's assessments on the default team."""
    team = team_service.default_team(session, workspace_id=workspace.id)
    service.replace_framework(session, team=team, tracks=[ENGINEERING])
    people = {m.handle: m for m in team_service.get_members(session, workspace_id=workspace.id)}
    admin = people.get("admin")
    today = local(now, team.timezone).date()
    for handle, code in LEVELS.items():
        service.set_level(
            session,
            team=team,
            person=people[handle],
            level=service.find_level(session, team=team, code=code),
            evidence="",
            actor=admin,
            since=date(today.year - 1, 1, 1),
            now=now,
        )
    zhangsan = people["zhangsan"]
    for year, code, outcome, evidence in (
        (today.year - 1, "P3", Outcome.QUALIFIED, "主导支付重构，故障率下降一半"),
        (today.year, "P4", Outcome.NOT_YET, "团队外影响力尚不足"),
    ):
        service.assess(
            session,
            team=team,
            person=zhangsan,
            level=service.find_level(session, team=team, code=code),
            outcome=outcome,
            evidence=evidence,
            assessor=admin,
            effective=date(year, 1, 1) if year < today.year else today,
            now=now,
        )
