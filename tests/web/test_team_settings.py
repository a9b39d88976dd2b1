"""Every time is configurable per team: time zone and daily job times over REST; bad values
change nothing; the scheduler follows the new times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in
from tests.team.support import second_team


@pytest.fixture
def http(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


EVERY_MINUTE = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]


def _team_id(http: TestClient) -> int:
    return int(http.get("/api/v1/teams").json()[0]["id"])


def test_defaults_are_listed(http: TestClient) -> None:
    body = http.get(f"/api/v1/teams/{_team_id(http)}/settings").json()
    assert body["timezone"] == "Asia/Shanghai"
    assert body["schedule"]["duty.sign_in_reminder"] == ["10:00", "10:30", "11:00"]
    assert body["schedule"]["duty.morning_notice"] == ["08:00"]


def test_bad_values_change_nothing(http: TestClient) -> None:
    url = f"/api/v1/teams/{_team_id(http)}/settings"
    before = http.get(url).json()
    for body, words in [
        ({"timezone": "Mars/Olympus"}, "不是有效的时区"),
        ({"schedule": {"duty.morning_notice": ["25:00"]}}, "不是有效的时间"),
        ({"schedule": {"nope.job": ["08:00"]}}, "没有名为「nope.job」的定时任务"),
        ({"timezone": "Europe/Berlin", "schedule": {"duty.morning_notice": ["8am"]}}, "8am"),
        # tester s27 A-6: every minute of the day was taken (1,440 notices a day)
        (
            {"schedule": {"duty.morning_notice": EVERY_MINUTE}},
            "每天最多运行 12 次，这次给了 1440 个",
        ),
        ({"schedule": {"duty.sign_in_reminder": EVERY_MINUTE[:13]}}, "给了 13 个时间"),
    ]:
        response = http.patch(url, json=body)
        assert response.status_code == 400 and words in response.json()["message"]
    assert http.get(url).json() == before
    # twelve times, and the same time twice counted once, are taken
    twelve = [*EVERY_MINUTE[:12], EVERY_MINUTE[0]]
    taken = http.patch(url, json={"schedule": {"duty.sign_in_reminder": twelve}})
    assert taken.status_code == 200, taken.text
    assert taken.json()["schedule"]["duty.sign_in_reminder"] == EVERY_MINUTE[:12]


def test_new_times_drive_the_scheduler(
    http: TestClient, sqlite_runtime: Runtime, clock: FrozenClock
) -> None:
    url = f"/api/v1/teams/{_team_id(http)}/settings"
    changed = http.patch(url, json={"schedule": {"duty.morning_notice": ["07:15"]}}).json()
    assert changed["schedule"]["duty.morning_notice"] == ["07:15"]
    # 07:15 in Shanghai is 23:15 UTC the day before
    clock.set(datetime(2026, 6, 1, 23, 15, tzinfo=UTC))
    sqlite_runtime.scheduler.tick()
    with sqlite_runtime.factory() as session:
        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
    assert any(k.startswith("duty.morning_notice") for k in keys)
    restored = http.patch(url, json={"schedule": {"duty.morning_notice": None}}).json()
    assert restored["schedule"]["duty.morning_notice"] == ["08:00"]


def test_only_admins_change_settings(http: TestClient, sqlite_runtime: Runtime) -> None:
    from teamassist.database import transaction
    from teamassist.http import auth
    from teamassist.team import service as team_service

    with transaction(sqlite_runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        lisi = team_service.get_member_by_handle(session, workspace_id=ws.id, handle="lisi")
        auth.set_password(session, username="lisi", password="pw", member=lisi)
    http.post("/logout")
    sign_in(http, "lisi", "pw")
    url = f"/api/v1/teams/{_team_id(http)}/settings"
    assert http.patch(url, json={"timezone": "Europe/Berlin"}).status_code == 403
    assert http.get(url).json()["timezone"] == "Asia/Shanghai"


def test_another_teams_people_do_not_read_its_settings(sqlite_runtime: Runtime) -> None:
    """Tester s25 F-2: 第二团队's member read 开发者社区's zone and whole notice schedule."""
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        two = second_team(session).id
    with TestClient(create_app(sqlite_runtime, start_background=False)) as m2:
        sign_in(m2, "m2", give_account(sqlite_runtime, "m2"))
        refused = m2.get("/api/v1/teams/1/settings")
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "core.error.not_in_team"
        assert m2.get(f"/api/v1/teams/{two}/settings").json()["timezone"] == "Asia/Shanghai"
