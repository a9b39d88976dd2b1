"""The count at a round's close and its tie rule (stated in docs/awards.md).

The winner is the nominee with the most votes. A tie goes to the nominee put forward by more
distinct nominators; a tie there to the one nominated first (earliest nomination, then the
lower nomination id). There is always exactly one winner when anyone got a vote; a round
without votes has none. Nominees without votes are listed with 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Line:
    """One nominee's line of the tally."""

    nominee_id: int
    votes: int
    nominators: int  # distinct people who nominated them
    first_nominated: datetime
    first_nomination_id: int

    def as_dict(self) -> dict[str, Any]:
        """The stored form (``AwardRound.tally``)."""
        return {
            "nominee_id": self.nominee_id,
            "votes": self.votes,
            "nominators": self.nominators,
            "first_nominated": self.first_nominated.isoformat(),
        }


def count(
    nominations: Iterable[tuple[int, int, datetime, int]], votes: Iterable[int]
) -> list[Line]:
    """Rank the nominees, winner first.

    ``nominations`` are ``(nominee_id, nominator_id, created_at, nomination_id)``; ``votes``
    the nominee id of each vote (a vote for someone not nominated is ignored: it cannot be
    cast)."""
    nominators: dict[int, set[int]] = {}
    first: dict[int, tuple[datetime, int]] = {}
    for nominee, nominator, at, row_id in nominations:
        nominators.setdefault(nominee, set()).add(nominator)
        if nominee not in first or (at, row_id) < first[nominee]:
            first[nominee] = (at, row_id)
    got = Counter(v for v in votes if v in nominators)
    lines = [
        Line(n, got.get(n, 0), len(nominators[n]), first[n][0], first[n][1]) for n in nominators
    ]
    return sorted(
        lines,
        key=lambda x: (-x.votes, -x.nominators, x.first_nominated, x.first_nomination_id),
    )


def winner(lines: list[Line]) -> int | None:
    """The winner's id, None when nobody got a vote."""
    return lines[0].nominee_id if lines and lines[0].votes > 0 else None
