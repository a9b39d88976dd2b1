"""Replies of the expert selection; words from ``locale/awards.toml``.

No reply before a round closes carries a count of votes: the status shows the nominees, their
reasons and the asker's own vote only.
"""

from __future__ import annotations

from datetime import datetime

from teamassist.awards.models import PHASE_LABEL, AwardRound, Phase
from teamassist.awards.notices import month_label
from teamassist.awards.service import Cast, Nominee
from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.team.models import Team


def when(value: datetime, team: Team) -> str:
    """``11月27日 09:00`` on the team's wall clock."""
    at = local(value, team.timezone)
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def nominated(team: Team, round_: AwardRound, name: str, reason: str, links: int) -> Reply:
    """The nominator's receipt."""
    return Reply(
        body=t(
            "awards.nominated",
            name=user_text(name),
            reason=user_text(reason),
            links=t("awards.nominated_links", count=links) if links else "",
            when=t("awards.nominated_when", at=when(round_.voting_at, team)),
        )
    )


def voted(team: Team, round_: AwardRound, cast: Cast, names: dict[int, str]) -> Reply:
    """The voter's receipt: for whom, whom it replaced, when the result comes."""
    name = user_text(names.get(cast.vote.nominee_id, "?"))
    at = when(round_.closes_at, team)
    if cast.replaced_id is None or cast.replaced_id == cast.vote.nominee_id:
        return Reply(body=t("awards.voted", name=name, at=at))
    old = user_text(names.get(cast.replaced_id, "?"))
    return Reply(body=t("awards.revoted", name=name, old=old, at=at))


def status(
    team: Team,
    round_: AwardRound | None,
    people: list[Nominee],
    mine: int | None,
    names: dict[int, str],
) -> Reply:
    """``/专家评选``: phase, moments, nominees with reasons, the asker's vote; the tally only
    once closed."""
    if round_ is None:
        return Reply(body=t("awards.status.none"))
    month = month_label(round_.period)
    lines = [t("awards.status.head", month=month, phase=t(PHASE_LABEL[round_.phase]))]
    if round_.phase == Phase.NOMINATING.value:
        lines.append(t("awards.status.nominating", at=when(round_.voting_at, team)))
    elif round_.phase == Phase.VOTING.value:
        lines.append(t("awards.status.voting", at=when(round_.closes_at, team)))
    elif round_.closed_at is not None:
        lines.append(t("awards.status.closed_at", at=when(round_.closed_at, team)))
    if not people:
        lines.append(t("awards.status.no_nominees"))
    else:
        lines.append(t("awards.status.nominees"))
        for person in people:
            reasons = "；".join(
                t(
                    "awards.status.reason",
                    reason=user_text(reason),
                    by=user_text(by),
                    links=t("awards.status.reason_links", count=len(links)) if links else "",
                )
                for by, reason, links in person.reasons
            )
            lines.append(
                t(
                    "awards.status.nominee",
                    name=user_text(person.member.display_name),
                    reasons=reasons,
                )
            )
    if round_.phase == Phase.CLOSED.value:
        winner = names.get(round_.winner_id) if round_.winner_id else None
        lines.append(
            t("awards.status.winner", name=user_text(winner) if winner else t("awards.word.nobody"))
        )
        if round_.tally:
            lines.append(t("awards.status.tally", tally=tally_text(round_, names)))
        return Reply(body="\n".join(lines))
    if round_.phase == Phase.VOTING.value:
        lines.append(
            t("awards.status.my_vote", name=user_text(names.get(mine, "?")))
            if mine is not None
            else t("awards.status.no_vote")
        )
    lines.append(t("awards.status.hidden"))
    return Reply(body="\n".join(lines))


def tally_text(round_: AwardRound, names: dict[int, str]) -> str:
    """A closed round's stored tally as one line (``张三 5 票 · 李四 3 票``)."""
    return t("awards.word.separator").join(
        t(
            "awards.word.votes",
            name=user_text(names.get(int(x["nominee_id"]), "?")),
            votes=x["votes"],
        )
        for x in round_.tally or []
    )


def history(rows: list[AwardRound], names: dict[int, str]) -> Reply:
    """``/专家评选 历史``: each closed month and its winner."""
    if not rows:
        return Reply(body=t("awards.history.empty"))
    lines = [t("awards.history.head")]
    for row in rows:
        name = names.get(row.winner_id) if row.winner_id else None
        lines.append(
            t(
                "awards.history.line",
                month=month_label(row.period),
                name=user_text(name) if name else t("awards.word.nobody"),
            )
        )
    return Reply(body="\n".join(lines))


def opened(team: Team, round_: AwardRound) -> Reply:
    """The director's receipt of opening a round."""
    return Reply(
        body=t("awards.opened", month=month_label(round_.period), at=when(round_.voting_at, team))
    )


def voting_started(team: Team, round_: AwardRound) -> Reply:
    """The director's receipt of opening the vote."""
    return Reply(
        body=t(
            "awards.voting_started",
            month=month_label(round_.period),
            at=when(round_.closes_at, team),
        )
    )
