"""REST input ranges (issue #10 G): ids and dates out of range answer 422 (validation), never
500, and change nothing. (The 422 body's shape is the request-validation handler's business.)"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.duty.helpers import snapshot
from tests.duty.test_api import _ids, _runtime, api  # noqa: F401  (the fixture)

HUGE = 2**63  # one above the largest 64-bit id
PATHS = [
    "/api/v1/duty/rotations/{huge}/versions",
    "/api/v1/duty/rotations/{huge}/overrides",
    "/api/v1/duty/rotations/{huge}/swaps",
    "/api/v1/duty/rotations/{huge}/exceptions",
    "/api/v1/duty/teams/{huge}/rotations",
    "/api/v1/duty/teams/{huge}/schedule",
    "/api/v1/duty/teams/{huge}/on-duty",
    "/api/v1/duty/rotations/0/versions",
    "/api/v1/duty/rotations/-1/versions",
    "/api/v1/duty/rotations/99999999999999999999999999/versions",
]


@pytest.mark.parametrize("path", PATHS)
def test_ids_out_of_range_answer_422(api: TestClient, path: str) -> None:  # noqa: F811
    response = api.get(path.format(huge=HUGE))
    assert response.status_code == 422, response.text


def test_deleting_with_an_id_out_of_range_answers_422(api: TestClient) -> None:  # noqa: F811
    _, rotations, _ = _ids(api)
    before = snapshot(_runtime(api))
    for path in (
        f"/api/v1/duty/rotations/{rotations['tech']}/versions/{HUGE}",
        f"/api/v1/duty/rotations/{rotations['tech']}/overrides/{HUGE}",
        f"/api/v1/duty/rotations/{HUGE}/versions/1",
    ):
        assert api.delete(path).status_code == 422, path
    assert snapshot(_runtime(api)) == before


def test_dates_out_of_range_answer_422(api: TestClient) -> None:  # noqa: F811
    team_id, rotations, members = _ids(api)
    before = snapshot(_runtime(api))
    tech = f"/api/v1/duty/rotations/{rotations['tech']}"
    for response in (
        api.get(f"/api/v1/duty/teams/{team_id}/schedule", params={"start": "9999-12-31"}),
        api.get(f"/api/v1/duty/teams/{team_id}/on-duty", params={"at": "9999-12-31T23:59:59Z"}),
        api.post(
            f"{tech}/changes",
            json={
                "action": "add",
                "member_ids": [members["sunqi"]],
                "effective_date": "9999-12-31",
            },
        ),
        api.post(
            f"{tech}/overrides",
            json={"start": "2026-06-05T00:00:00Z", "end": "9999-12-31T23:59:59Z"},
        ),
        api.post(f"{tech}/exceptions", json={"day": "9999-12-31", "active": False}),
    ):
        assert response.status_code == 422, response.text
    assert snapshot(_runtime(api)) == before
