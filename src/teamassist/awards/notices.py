"""What the team's group chats hear: the winner and the tally once a round closes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.awards.models import AwardRound
from teamassist.awards.tally import Line
from teamassist.chat import notify
from teamassist.chat.types import Reply, user_text
from teamassist.enums import ChannelPurpose
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Team


def month_label(period: str) -> str:
    """``2026-11`` → ``2026年11月``."""
    year, _, month = period.partition("-")
    return t("awards.word.month", year=year, month=int(month))


def tally_lines(lines: list[Line], names: dict[int, str]) -> str:
    """``张三 5 票 · 李四 3 票``, best first."""
    return t("awards.word.separator").join(
        t("awards.word.votes", name=user_text(names.get(x.nominee_id, "?")), votes=x.votes)
        for x in lines
    )


def tie_note(lines: list[Line]) -> str:
    """Why the winner won a tie ("" when there was none)."""
    if len(lines) < 2 or lines[0].votes == 0 or lines[0].votes != lines[1].votes:
        return ""
    if lines[0].nominators != lines[1].nominators:
        return t("awards.result.tie_nominators")
    return t("awards.result.tie_earlier")


def announce_result(
    session: Session, *, team: Team, round_: AwardRound, lines: list[Line], now: datetime
) -> None:
    """Queue the result for the team's group chats (``team`` channels), once per round."""
    names = team_service.names_by_id(session, [x.nominee_id for x in lines])
    month = month_label(round_.period)
    if round_.winner_id is None:
        body = t("awards.result.nobody", month=month)
    else:
        body = t(
            "awards.result.winner",
            month=month,
            name=user_text(names.get(round_.winner_id, "?")),
            votes=lines[0].votes,
        )
        note = tie_note(lines)
        if note:
            body += "\n" + note
    body += "\n" + t("awards.result.tally", tally=tally_lines(lines, names))
    notify.to_channels(
        session,
        team=team,
        purpose=ChannelPurpose.TEAM,
        reply=Reply(title=t("awards.result.title", month=month), body=body),
        key=f"awards.result:{round_.id}",
        now=now,
    )
