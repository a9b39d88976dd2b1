"""Demo OKRs: the previous quarter of the demo team, published, checked in weekly and scored,
so /团队OKR <上季度> and the REST API have a finished cycle to show; the current quarter stays
empty for people to try /新建目标 and the rest."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from teamassist.okr import alignment, checkins, cycles, scoring
from teamassist.okr import objectives as okr
from teamassist.okr.formulas import KrKind
from teamassist.okr.models import CycleKind, ObjectiveType
from teamassist.okr.objectives import KrInput
from teamassist.team import service as team_service
from teamassist.team.models import Workspace

# A KR: title, kind, start, target, unit, weight, last value, confidence.
DemoKr = tuple[str, KrKind, float, float, str, int, float, int]
# An O: owner, title, type, KRs.
DEMO_OKRS: list[tuple[str, str, ObjectiveType, list[DemoKr]]] = [
    (
        "admin",
        "社区成为开发者的首选",
        ObjectiveType.ASPIRATIONAL,
        [
            ("月活开发者", KrKind.INCREASE, 8000, 12000, "人", 60, 10800, 6),
            ("文档满意度", KrKind.STAY_ABOVE, 4.0, 4.5, "分", 40, 4.6, 8),
        ],
    ),
    (
        "zhangsan",
        "提升交付质量",
        ObjectiveType.COMMITTED,
        [
            ("线上缺陷数", KrKind.DECREASE, 50, 10, "个", 50, 14, 7),
            ("营收", KrKind.INCREASE, 100, 200, "万元", 30, 170, 6),
            ("新版本上线", KrKind.BINARY, 0, 1, "", 20, 1, 9),
        ],
    ),
    (
        "lisi",
        "让新人一周内上手",
        ObjectiveType.COMMITTED,
        [
            ("入门教程完成率", KrKind.INCREASE, 20, 80, "%", 50, 65, 5),
            ("首次响应时间", KrKind.STAY_BELOW, 8, 4, "小时", 50, 5, 4),
        ],
    ),
]


def _previous_quarter(today: date) -> tuple[int, int]:
    quarter = (today.month + 2) // 3
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def load(session: Session, workspace: Workspace, now: datetime) -> None:
    """Add last quarter's OKRs, weekly check-ins and scores to the demo team."""
    team = team_service.default_team(session, workspace_id=workspace.id)
    zone = ZoneInfo(team.timezone)
    year, quarter = _previous_quarter(cycles.today_of(team, now))
    cycle = cycles.get_or_create(
        session, team=team, kind=CycleKind.QUARTER, year=year, index=quarter
    )

    def moment(day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=zone)

    planned = moment(cycle.start_date - timedelta(days=5))
    made = []
    for handle, title, okr_type, krs in DEMO_OKRS:
        owner = team_service.get_member_by_handle(session, workspace_id=workspace.id, handle=handle)
        objective = okr.create_objective(
            session,
            team=team,
            cycle=cycle,
            owner=owner,
            title=title,
            now=planned,
            okr_type=okr_type,
        )
        for kr_title, kind, start, target, unit, weight, _final, _conf in krs:
            okr.add_key_result(
                session,
                team=team,
                objective=objective,
                data=KrInput(
                    kr_title, kind=kind, start=start, target=target, unit=unit, weight=weight
                ),
                now=planned,
            )
        okr.publish(session, team=team, cycle=cycle, chosen=[objective], now=planned)
        made.append((objective, owner, krs))
    top = made[0][0]
    for objective, owner, _krs in made[1:]:
        alignment.align(
            session,
            child_type=alignment.OBJECTIVE,
            child_id=objective.id,
            child_label=f"O-{objective.number}",
            parent=top,
            actor=owner,
            now=planned,
        )
    weeks = (cycle.end_date - cycle.start_date).days // 7
    for objective, owner, krs in made:
        rows = okr.key_results(session, [objective.id])[objective.id]
        for key_result, (_t, kind, start, _target, _u, _w, final, confidence) in zip(
            rows, krs, strict=True
        ):
            for week in range(1, weeks + 1):
                share = week / weeks
                if kind is KrKind.BINARY:
                    value = 1.0 if week == weeks else 0.0
                elif kind in (KrKind.STAY_ABOVE, KrKind.STAY_BELOW):
                    value = final if week % 3 else start
                else:
                    value = round(start + (final - start) * share, 1)
                checkins.check_in(
                    session,
                    team=team,
                    key_result=key_result,
                    author=owner,
                    value=value,
                    confidence=min(10, confidence + (1 if week < weeks // 2 else 0)),
                    comment="",
                    now=moment(cycle.start_date + timedelta(days=7 * week - 3)),
                )
    graded = moment(cycle.end_date + timedelta(days=3))
    revenue = okr.key_results(session, [made[1][0].id])[made[1][0].id][1]
    scoring.score_key_result(
        session, team=team, key_result=revenue, value=0.8, reason="大客户合同已签", now=graded
    )
