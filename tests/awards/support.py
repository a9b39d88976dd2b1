"""The awards tests' setting: the demo team (this month's round taking nominations, 张三 and
李四 the last two winners) with 李华 as director and a team group chat (``oc_team``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.awards.models import AwardRound, AwardVote
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Team
from tests.outreach.support import TEAM_CHAT, ids, set_up_groups
from tests.support.chat import ChatDriver

__all__ = ["TEAM_CHAT", "announced", "ids", "round_of", "set_up_groups", "team_of", "votes"]


def votes(runtime: Runtime, period: str = "2026-06") -> list[tuple[int, int]]:
    """The vote rows of the round of ``period`` as (voter id, nominee id)."""
    with runtime.factory() as session:
        found = session.scalars(
            select(AwardVote)
            .join(AwardRound, AwardRound.id == AwardVote.round_id)
            .where(AwardRound.period == period)
            .order_by(AwardVote.id)
        )
        return [(v.voter_id, v.nominee_id) for v in found]


def round_of(runtime: Runtime, period: str) -> AwardRound:
    """The demo team's round of ``period`` (detached, read once)."""
    with runtime.factory() as session:
        row = session.scalar(select(AwardRound).where(AwardRound.period == period))
        assert row is not None, period
        session.expunge(row)
        return row


def announced(chat: ChatDriver) -> list[str]:
    """The result notices queued for the team group chat."""
    return [
        text
        for m, text in zip(chat.queued(), chat.queued_texts(), strict=True)
        if m.idempotency_key.startswith("awards.") and m.address == TEAM_CHAT
    ]


def team_of(session: Session) -> Team:
    """The demo team."""
    workspace = team_service.get_workspace_by_key(session, key="demo")
    assert workspace is not None
    return team_service.default_team(session, workspace_id=workspace.id)
