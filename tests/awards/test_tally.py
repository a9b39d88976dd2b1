"""The tie rule (docs/awards.md): most votes; then more distinct nominators; then the one
nominated first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from teamassist.awards.tally import count, winner

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_most_votes_wins() -> None:
    lines = count([(1, 10, _at(0), 1), (2, 11, _at(1), 2)], [2, 2, 1])
    assert [(x.nominee_id, x.votes) for x in lines] == [(2, 2), (1, 1)]
    assert winner(lines) == 2


def test_a_tie_goes_to_more_distinct_nominators() -> None:
    # A nominated first by one person; B later, by two people (one nominated twice over).
    nominations = [(1, 10, _at(0), 1), (2, 11, _at(5), 2), (2, 12, _at(6), 3)]
    lines = count(nominations, [1, 2])
    assert [(x.nominee_id, x.votes, x.nominators) for x in lines] == [(2, 1, 2), (1, 1, 1)]
    assert winner(lines) == 2


def test_a_full_tie_goes_to_the_earlier_nomination() -> None:
    nominations = [(2, 11, _at(5), 2), (1, 10, _at(0), 1)]
    assert winner(count(nominations, [1, 2])) == 1
    # The same instant: the lower nomination id.
    same = [(2, 11, _at(0), 7), (1, 10, _at(0), 8)]
    assert winner(count(same, [1, 2])) == 2


def test_no_votes_no_winner_and_stray_votes_ignored() -> None:
    lines = count([(1, 10, _at(0), 1)], [99])
    assert [(x.nominee_id, x.votes) for x in lines] == [(1, 0)]
    assert winner(lines) is None
    assert winner(count([], [])) is None
