"""Demo rounds on the demo team, relative to load time: the two previous months closed (张三
won, then 李四), and this month's round taking nominations, three so far. 李四 won last month,
so nominating him is refused (the default cap: not two months running); 张三 may run again.

The past rounds are settled without an announcement: nobody should hear of a demo's history."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from teamassist.awards import rounds, schedule, service
from teamassist.awards import settings as award_settings
from teamassist.awards.models import AwardNomination, AwardRound, AwardVote, Phase
from teamassist.clock import ensure_utc, local, parse_hhmm
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team, Workspace

Past = tuple[int, list[tuple[str, str, str]], list[tuple[str, str]]]

# month offset, [(nominee, nominator, reason)], [(voter, nominee)]
PAST: list[Past] = [
    (
        -2,
        [("zhangsan", "lihua", "主导支付重构，故障率下降一半"), ("wangwu", "lisi", "整理新人手册")],
        [("lihua", "zhangsan"), ("lisi", "zhangsan"), ("zhaoliu", "wangwu"), ("sunqi", "zhangsan")],
    ),
    (
        -1,
        [
            ("lisi", "zhangsan", "把 CI 从 40 分钟压到 12 分钟"),
            ("zhaoliu", "wangwu", "社区答疑 300 条"),
        ],
        [("zhangsan", "lisi"), ("wangwu", "zhaoliu"), ("sunqi", "lisi"), ("lihua", "lisi")],
    ),
]
CURRENT = [
    ("zhangsan", "lihua", "主导支付重构 第二阶段", ["https://example.com/pr/1024"]),
    ("wangwu", "zhaoliu", "搭好可观测性看板", ["https://example.com/dash"]),
    ("zhaoliu", "sunqi", "带新人完成值班交接", []),
]


def _month(period: str, offset: int) -> str:
    for _ in range(-offset):
        period = schedule.previous(period)
    return period


def _past_round(
    session: Session, team: Team, people: dict[str, Member], period: str, spec: Past, now: datetime
) -> None:
    offset, nominations, votes = spec
    at = now + timedelta(days=30 * offset)
    row = AwardRound(
        workspace_id=team.workspace_id,
        team_id=team.id,
        period=period,
        phase=Phase.VOTING.value,
        opened_at=at - timedelta(days=20),
        voting_at=at - timedelta(days=3),
        closes_at=at,
    )
    session.add(row)
    session.flush()
    for i, (nominee, by, reason) in enumerate(nominations):
        session.add(
            AwardNomination(
                round_id=row.id,
                nominee_id=people[nominee].id,
                nominator_id=people[by].id,
                reason=reason,
                links=[],
                created_at=at - timedelta(days=15 - i),
            )
        )
    for voter, nominee in votes:
        session.add(
            AwardVote(
                round_id=row.id,
                voter_id=people[voter].id,
                nominee_id=people[nominee].id,
                cast_at=at - timedelta(days=1),
                changed_at=at - timedelta(days=1),
            )
        )
    session.flush()
    rounds.settle(session, round_=row, now=at)


def _on(moment: datetime, hhmm: str, tz: str) -> datetime:
    """``moment``'s day in zone ``tz`` at ``hhmm`` (HH:MM), in UTC."""
    day = local(moment, tz).date()
    return ensure_utc(datetime.combine(day, parse_hhmm(hhmm), tzinfo=ZoneInfo(tz)))


def load(session: Session, workspace: Workspace, now: datetime) -> None:
    """Two closed months and this month's round taking nominations."""
    team = team_service.default_team(session, workspace_id=workspace.id)
    people = {m.handle: m for m in team_service.get_members(session, workspace_id=workspace.id)}
    period = schedule.period_of(now, team.timezone)
    knobs = award_settings.of(team)
    for spec in PAST:
        _past_round(session, team, people, _month(period, spec[0]), spec, now)
    row = AwardRound(
        workspace_id=team.workspace_id,
        team_id=team.id,
        period=period,
        phase=Phase.NOMINATING.value,
        opened_at=now - timedelta(hours=1),
        # at the rule's hours (09:00, 18:00 in the team's zone), not the load's minute: a
        # tester's first sight of the demo was "投票开始：12月17日 04:02"
        voting_at=_on(now + timedelta(days=14), knobs.vote_time, team.timezone),
        closes_at=_on(now + timedelta(days=17), knobs.close_time, team.timezone),
    )
    session.add(row)
    session.flush()
    for i, (nominee, by, reason, links) in enumerate(CURRENT):
        service.nominate(
            session,
            team=team,
            nominator=people[by],
            nominee=people[nominee],
            reason=reason,
            links=links,
            now=now - timedelta(minutes=30 - i),
        )
