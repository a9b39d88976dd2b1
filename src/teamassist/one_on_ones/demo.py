"""The demo team's 1on1s: 李华 (the lead) meets 张三 on the seed's "每月第1个周四 10:00" and
李四 every other Wednesday at 15:00; 张三's pair has two shared topics and a private note of
李华's (which 张三 never sees). The demo leaves the team's director and core group as they
are (other domains' demos and tests read them); a team with a director gets director ↔ core
pairs by itself (:func:`service.ensure_default_pairs`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.one_on_ones import agenda, rules, service
from teamassist.team import service as team_service
from teamassist.team.models import Workspace

PLACE = "3号楼2层 小会议室"
VIDEO = "https://meeting.example.com/j/demo-1on1"


def load(session: Session, workspace: Workspace, now: datetime) -> None:
    """Add the demo pairs, their slots and 张三's agenda."""
    team = team_service.default_team(session, workspace_id=workspace.id)
    lead, zhangsan, lisi = (
        team_service.get_member_by_handle(session, workspace_id=workspace.id, handle=handle)
        for handle in ("lihua", "zhangsan", "lisi")
    )
    if lead is None or zhangsan is None or lisi is None:
        return
    slots = (
        (zhangsan, rules.Cadence.MONTHLY, 1, 4, "10:00"),
        (lisi, rules.Cadence.BIWEEKLY, None, 3, "15:00"),
    )
    for person, cadence, nth, weekday, at in slots:
        pair = service.add_pair(session, team=team, manager=lead, report=person)
        pair.cadence, pair.nth, pair.weekday, pair.at = cadence.value, nth, weekday, at
        pair.anchor = local(now, team.timezone).date() if nth is None else None
        pair.place, pair.video_url = PLACE, VIDEO
        session.flush()
        if person is zhangsan:
            agenda.add(session, pair=pair, author=zhangsan, text="Q1规划", private=False, now=now)
            agenda.add(session, pair=pair, author=lead, text="晋升答辩准备", private=False, now=now)
            agenda.add(session, pair=pair, author=lead, text="薪酬调整", private=True, now=now)
