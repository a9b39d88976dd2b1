"""Nominations and votes (flush, never commit; the boundary commits).

Votes are secret until the round closes: nothing here counts them before
:func:`teamassist.awards.rounds.close`; a voter may read back only their own vote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.awards import rounds
from teamassist.awards import settings as award_settings
from teamassist.awards.models import AwardNomination, AwardRound, AwardVote, Phase
from teamassist.exceptions import Conflict, Invalid, PermissionDenied
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.names import clean_text
from teamassist.weblinks import is_web_link

MAX_REASON = 500
MAX_LINKS = 5
MAX_LINK = 500
LINK = re.compile(r"https?://\S+", re.IGNORECASE)
# Any other link-looking word (ftp://…, javascript:…) left in a reason once the http(s) links
# are taken out: refused rather than folded into the reason, as the guide promises.
OTHER_LINK = re.compile(
    r"(?<![\w/])(?:[a-z][a-z0-9+.-]*://|(?:javascript|vbscript|data|file):)\S*", re.IGNORECASE
)


@dataclass(frozen=True)
class Nominee:
    """A nominee of a round with every nomination's nominator, reason and links."""

    member: Member
    reasons: list[tuple[str, str, list[str]]] = field(default_factory=list)


def split_links(text: str) -> tuple[str, list[str]]:
    """``主导支付重构 https://x/1`` → ("主导支付重构", ["https://x/1"])."""
    links = LINK.findall(text)
    reason = " ".join(LINK.sub(" ", text).split())
    return reason, links


def _check_text(reason: str, links: list[str]) -> tuple[str, list[str]]:
    reason = clean_text(reason)
    if not reason:  # nothing visible (only spaces, format or control characters) is none
        raise Invalid("awards.error.no_reason")
    other = OTHER_LINK.search(LINK.sub(" ", reason))
    if other is not None:
        raise Invalid("awards.error.bad_link", link=other.group(0)[:60])
    if len(reason) > MAX_REASON:
        raise Invalid("awards.error.reason_too_long", limit=MAX_REASON)
    if len(links) > MAX_LINKS:
        raise Invalid("awards.error.too_many_links", limit=MAX_LINKS)
    for link in links:
        if len(link) > MAX_LINK or not is_web_link(link):
            raise Invalid("awards.error.bad_link", link=link[:60])
    return reason, links


def _in_team(session: Session, team: Team, member: Member, key: str) -> None:
    if not _acts_in(session, team, member):
        raise PermissionDenied(key, name=member.display_name, team=team.name)


def _acts_in(session: Session, team: Team, member: Member) -> bool:
    """Whether ``member`` is an active member of ``team`` (not deactivated, not merged away)."""
    return (
        member.active
        and member.merged_into_id is None
        and team_service.role_of(session, team=team, member=member) is not None
    )


def _nominated(session: Session, round_id: int, nominee_id: int) -> bool:
    """Whether ``nominee_id`` was nominated in round ``round_id``."""
    found = session.scalar(
        select(AwardNomination.id)
        .where(AwardNomination.round_id == round_id, AwardNomination.nominee_id == nominee_id)
        .limit(1)
    )
    return found is not None


def _open_round(session: Session, team: Team, phase: Phase) -> AwardRound:
    """The team's open round, locked, in ``phase``; Conflict otherwise."""
    found = rounds.active(session, team=team)
    if found is None:
        raise Conflict("awards.error.no_round")
    row = rounds.lock(session, found)
    if row.phase != phase.value:
        key = (
            "awards.error.nominating_not_open"
            if phase is Phase.NOMINATING
            else "awards.error.voting_not_open"
        )
        raise Conflict(key, period=row.period)
    return row


def nominate(
    session: Session,
    *,
    team: Team,
    nominator: Member,
    nominee: Member,
    reason: str,
    links: list[str],
    now: datetime,
) -> AwardNomination:
    """Nominate ``nominee`` in the team's open round.

    Raises PermissionDenied when either is not an active member of the team, Conflict when no
    round takes nominations now, when the nominee won the months the team's ``repeat_cap``
    allows in a row (``awards.error.repeat_cap``, with the explanation) or when this nominator
    already nominated them; Invalid for oneself (unless the team allows it), an empty or long
    reason, or bad links."""
    reason, links = _check_text(reason, links)
    _in_team(session, team, nominator, "awards.error.not_member")
    _in_team(session, team, nominee, "awards.error.nominee_not_member")
    knobs = award_settings.of(team)
    if nominee.id == nominator.id and not knobs.self_nomination:
        raise Invalid("awards.error.self_nomination")
    row = _open_round(session, team, Phase.NOMINATING)
    if knobs.repeat_cap > 0:
        months, last = rounds.streak(session, team=team, member_id=nominee.id, before=row.period)
        if months >= knobs.repeat_cap:
            raise Conflict(
                "awards.error.repeat_cap",
                name=nominee.display_name,
                months=months,
                last=last,
                cap=knobs.repeat_cap,
            )
    done = session.scalar(
        select(AwardNomination.id)
        .where(
            AwardNomination.round_id == row.id,
            AwardNomination.nominee_id == nominee.id,
            AwardNomination.nominator_id == nominator.id,
        )
        .with_for_update()
    )
    if done is not None:
        raise Conflict("awards.error.already_nominated", name=nominee.display_name)
    nomination = AwardNomination(
        round_id=row.id,
        nominee_id=nominee.id,
        nominator_id=nominator.id,
        reason=reason,
        links=links,
        created_at=now,
    )
    session.add(nomination)
    session.flush()
    return nomination


@dataclass(frozen=True)
class Cast:
    """A vote as recorded: the row and whom it replaced (None for a first vote)."""

    vote: AwardVote
    replaced_id: int | None


def vote(session: Session, *, team: Team, voter: Member, nominee: Member, now: datetime) -> Cast:
    """Cast ``voter``'s one vote for ``nominee`` in the team's round that is voting; a second
    vote replaces the first (the same row changes).

    Raises PermissionDenied when the voter, or the nominee, is not an active member of the
    team (a nominee of the round who left or was deactivated since: ``awards.error.nominee_left``,
    a departed nominee cannot win; anyone else not in the team: ``awards.error.vote_outsider``,
    which says nothing of them but that — tester s29 F-6: someone of another team was told of
    as "deactivated or left"), Conflict when no round is
    voting, Invalid for a vote for oneself or for someone not nominated. Two requests of one
    voter at once end with one row: the round's row lock orders them and the second one's
    locking read finds the first's vote (a plain read could keep MariaDB's older snapshot)."""
    _in_team(session, team, voter, "awards.error.not_member")
    if nominee.id == voter.id:
        raise Invalid("awards.error.self_vote")
    if not _acts_in(session, team, nominee):
        found = rounds.active(session, team=team)
        was_nominated = found is not None and _nominated(session, found.id, nominee.id)
        key = "awards.error.nominee_left" if was_nominated else "awards.error.vote_outsider"
        raise PermissionDenied(key, name=nominee.display_name, team=team.name)
    row = _open_round(session, team, Phase.VOTING)
    if not _nominated(session, row.id, nominee.id):
        raise Invalid("awards.error.not_nominated", name=nominee.display_name)
    existing = session.scalar(
        select(AwardVote)
        .where(AwardVote.round_id == row.id, AwardVote.voter_id == voter.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if existing is not None:
        replaced = existing.nominee_id
        existing.nominee_id = nominee.id
        existing.changed_at = now
        session.flush()
        return Cast(existing, replaced)
    cast = AwardVote(
        round_id=row.id, voter_id=voter.id, nominee_id=nominee.id, cast_at=now, changed_at=now
    )
    session.add(cast)
    session.flush()
    return Cast(cast, None)


def my_vote(session: Session, *, round_: AwardRound, voter: Member | None) -> int | None:
    """The nominee id ``voter`` voted for in ``round_`` (None: no vote, or no voter)."""
    if voter is None:
        return None
    return session.scalar(
        select(AwardVote.nominee_id).where(
            AwardVote.round_id == round_.id, AwardVote.voter_id == voter.id
        )
    )


def nominees(session: Session, *, round_: AwardRound) -> list[Nominee]:
    """The round's nominees in order of their first nomination, with every reason."""
    rows = list(
        session.scalars(
            select(AwardNomination)
            .where(AwardNomination.round_id == round_.id)
            .order_by(AwardNomination.created_at, AwardNomination.id)
        )
    )
    people = team_service.members_by_id(
        session, [r.nominee_id for r in rows] + [r.nominator_id for r in rows]
    )
    found: dict[int, Nominee] = {}
    for r in rows:
        member = people.get(r.nominee_id)
        if member is None:
            continue
        entry = found.setdefault(r.nominee_id, Nominee(member))
        by = people.get(r.nominator_id)
        entry.reasons.append((by.display_name if by else "?", r.reason, list(r.links or [])))
    return list(found.values())
