"""A scheduled batch's preloaded channels answer only for the purposes it loaded."""

from __future__ import annotations

from teamassist.chat.notify import LoadedChannels
from teamassist.team.models import Channel


def _channel(channel_id: int, purpose: str) -> Channel:
    return Channel(id=channel_id, workspace_id=1, team_id=7, purpose=purpose, platform="web")


def test_a_batch_that_loaded_one_purpose_answers_for_it_alone() -> None:
    public = _channel(1, "public")
    loaded = LoadedChannels({7: [public]}, frozenset({"public"}))
    assert loaded.get(7, {"public"}) == [public]
    # Another purpose was not loaded: "none" would drop a notice, so the caller must query.
    assert loaded.get(7, {"internal"}) is None
    assert loaded.get(7, {"public", "internal"}) is None
    assert loaded.get(8, {"public"}) is None  # not a team of the batch


def test_a_batch_that_loaded_every_purpose_filters_by_purpose() -> None:
    public, internal = _channel(1, "public"), _channel(2, "internal")
    loaded = LoadedChannels({7: [public, internal]})
    assert loaded.get(7, {"internal"}) == [internal]
    assert loaded.get(7, {"webhook"}) == []  # loaded, and the team has none
