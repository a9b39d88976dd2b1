"""Demo career plans on the demo team, relative to load time, started by whoever stands in for
the director (the demo team has none: its admin): 张三's plan is written and carries an
unfinished goal from last year's, 李四's is started, 王五's is past its deadline unwritten."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from teamassist.careers import service
from teamassist.careers.models import CareerGoal, CareerPlan
from teamassist.clock import ensure_utc, local
from teamassist.team import service as team_service
from teamassist.team.models import Member, Workspace

REQUEST = "请梳理今年的发展方向、优势，以及最多三个发展目标。"


def _member(session: Session, workspace: Workspace, handle: str) -> Member:
    found = team_service.get_member_by_handle(session, workspace_id=workspace.id, handle=handle)
    assert found is not None, handle
    return found


def _evening(moment: datetime, tz: str) -> datetime:
    """18:00 of ``moment``'s day in zone ``tz``, in UTC."""
    day = local(moment, tz).date()
    return ensure_utc(datetime.combine(day, time(18, 0), tzinfo=ZoneInfo(tz)))


def load(session: Session, workspace: Workspace, now: datetime) -> None:
    """Create the demo plans in the workspace's default team."""
    team = team_service.default_team(session, workspace_id=workspace.id)
    directors = service.directors(session, team=team)
    if not directors:
        return
    director = directors[0]
    zhangsan = _member(session, workspace, "zhangsan")
    this_year = service.year_of(now, team)
    last = CareerPlan(
        workspace_id=workspace.id,
        team_id=team.id,
        member_id=zhangsan.id,
        year=this_year - 1,
        title=service.plan_title(zhangsan),
        started_by_id=director.id,
        due_at=now - timedelta(days=300),
        request=REQUEST,
        direction="成为后端架构师",
        strengths="系统设计",
        notes="",
        started_at=now - timedelta(days=320),
        written_at=now - timedelta(days=305),
        updated_at=now - timedelta(days=200),
        goals=[
            CareerGoal(
                number=1,
                title="主导一次架构评审",
                evidence="评审纪要",
                target_date=date(this_year - 1, 12, 31),
                status="in_progress",
                carried=False,
            ),
            CareerGoal(number=2, title="完成 Rust 入门", status="done", carried=False),
        ],
    )
    session.add(last)
    session.flush()
    people = [zhangsan, _member(session, workspace, "lisi"), _member(session, workspace, "wangwu")]
    started = service.start(
        session,
        team=team,
        director=director,
        people=people,
        # 18:00 in the team's zone, as a director's "截止 <day>" reads, not the load's minute
        due_at=_evening(now + timedelta(days=14), team.timezone),
        request=REQUEST,
        now=now,
    )
    written = started[0].plan  # 张三's: the carried goal plus a new one
    goals = [*service.goals_in(written), service.GoalIn("带一名新人", "新人独立提交三个 PR")]
    service.update(
        session,
        plan=written,
        member=zhangsan,
        now=now,
        direction="成为后端架构师，负责社区核心服务的演进",
        strengths="系统设计、耐心的代码评审",
        goals=goals,
    )
    # 王五's: overdue, not written
    started[2].plan.due_at = _evening(now - timedelta(days=1), team.timezone)
    session.flush()
