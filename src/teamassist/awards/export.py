"""What the workspace export withholds of the expert selection: ballots are secret.

Votes of a round still open are left out (their nominee ids would be the running count, which
nobody, admins included, may see before the close); every vote's voter is blanked (who voted
for whom is never shown, the tally on the closed round says the rest)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.awards.models import AwardRound, AwardVote, Phase
from teamassist.events import ExportWithheld, Withheld


def withheld(_session: Session, _query: ExportWithheld) -> tuple[Withheld, ...]:
    """The rules (answers :class:`~teamassist.events.ExportWithheld`)."""
    open_rounds = select(AwardRound.id).where(AwardRound.phase != Phase.CLOSED.value)
    return (
        Withheld(table=AwardVote.__tablename__, where=AwardVote.round_id.in_(open_rounds)),
        Withheld(
            table=AwardVote.__tablename__,
            where=AwardVote.id.is_not(None),
            columns=("voter_id",),
        ),
    )
