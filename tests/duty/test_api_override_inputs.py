"""Duty overrides and swaps over REST read inputs as the rest of the API does.

Testers (session 15): a validation error answered 400 (a bad range, a past date, a swap with
oneself) where the API answers 422; a time without an offset was refused while every other
REST time is read on the team's wall clock; and covers or swaps up to 2036 were accepted
while the product plans a year ahead at most. Demo: today Monday 2026-06-01 09:00 in
Shanghai; the latest day is 2027-06-02.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from tests.conftest import load_demo
from tests.duty.helpers import snapshot
from tests.duty.test_api import _client, _ids, _refused, _runtime


@pytest.fixture
def api(runtime: Runtime) -> Iterator[TestClient]:
    load_demo(runtime)
    yield from _client(runtime)


def test_a_time_without_an_offset_is_the_teams_wall_clock(api: TestClient) -> None:
    _, rotations, members = _ids(api)
    created = api.post(
        f"/api/v1/duty/rotations/{rotations['tech']}/overrides",
        json={
            "start": "2026-06-05T03:00:00",
            "end": "2026-06-06T03:00:00",
            "member_id": members["sunqi"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["start"].startswith("2026-06-04T19:00:00")  # 03:00 in Shanghai


def test_validation_errors_answer_422_and_change_nothing(api: TestClient) -> None:
    _, rotations, members = _ids(api)
    tech = f"/api/v1/duty/rotations/{rotations['tech']}"
    before = snapshot(_runtime(api))
    backwards = {"start": "2026-06-06T03:00:00+08:00", "end": "2026-06-05T03:00:00+08:00"}
    _refused(api.post(f"{tech}/overrides", json=backwards), 422, "duty.error.bad_range")
    same_day = {
        "member_a_id": members["lisi"],
        "date_a": "2026-06-02",
        "member_b_id": members["wangwu"],
        "date_b": "2026-06-02",
    }
    _refused(api.post(f"{tech}/swaps", json=same_day), 422, "duty.error.swap_same_day")
    assert snapshot(_runtime(api)) == before


def test_covers_and_swaps_are_planned_a_year_ahead_at_most(api: TestClient) -> None:
    _, rotations, members = _ids(api)
    tech = f"/api/v1/duty/rotations/{rotations['tech']}"
    before = snapshot(_runtime(api))
    far = {"start": "2036-06-05T03:00:00+08:00", "end": "2036-06-06T03:00:00+08:00"}
    answer = api.post(f"{tech}/overrides", json=far)
    _refused(answer, 422, "duty.error.too_far")
    assert answer.json()["message"] == (
        "日期 2036-06-05 太远了：值班安排最晚到 2027-06-02（一年以内）。这次没有改动。"
    )
    swap = {
        "member_a_id": members["zhangsan"],
        "date_a": "2036-06-04",
        "member_b_id": members["sunqi"],
    }
    _refused(api.post(f"{tech}/swaps", json=swap), 422, "duty.error.too_far")
    assert snapshot(_runtime(api)) == before
    # the latest day itself is accepted
    last = {"start": "2027-06-02T03:00:00+08:00", "end": "2027-06-03T03:00:00+08:00"}
    assert api.post(f"{tech}/overrides", json=last).status_code == 201


def test_a_cancelled_cover_keeps_its_times_and_says_it_is_cancelled(api: TestClient) -> None:
    # Cancelled before it began, the cover read start == end (the served part, empty): a
    # tester could not tell which cover it had been, nor that it was cancelled but by the
    # timestamp. Demo clock: 2026-06-01 09:00 in Shanghai.
    _, rotations, members = _ids(api)
    url = f"/api/v1/duty/rotations/{rotations['tech']}/overrides"
    cover = {
        "start": "2026-06-05T03:00:00+08:00",
        "end": "2026-06-06T03:00:00+08:00",
        "member_id": members["sunqi"],
    }
    created = api.post(url, json=cover).json()
    assert created["cancelled"] is False
    assert _held_by(api, "2026-06-05") == {members["sunqi"]}
    cancelled = api.delete(f"{url}/{created['id']}")
    assert cancelled.status_code == 200, cancelled.text
    listed = [o for o in api.get(url).json() if o["id"] == created["id"]]
    for shown in (cancelled.json(), *listed):
        assert (shown["start"], shown["end"]) == (created["start"], created["end"])
        assert shown["start"].startswith("2026-06-04T19:00:00")
        assert shown["end"].startswith("2026-06-05T19:00:00")
        assert shown["cancelled"] is True
        assert shown["cancelled_at"].startswith("2026-06-01T01:00:00")
    # and the cover no longer holds the rotation
    assert members["sunqi"] not in _held_by(api, "2026-06-05")


def _held_by(api: TestClient, day: str) -> set[int]:
    """Who holds the tech rotation's overriding shifts of duty day ``day``."""
    team_id, rotations, _ = _ids(api)
    schedule = api.get(
        f"/api/v1/duty/teams/{team_id}/schedule", params={"start": day, "days": 1}
    ).json()
    (tech,) = [r for r in schedule["rotations"] if r["rotation_id"] == rotations["tech"]]
    return {m for s in tech["shifts"] if s["source"] == "override" for m in s["member_ids"]}
