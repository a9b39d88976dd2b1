"""Issue #10 G: unknown settings keys are refused; the feedback desk's settings have their own
REST endpoint and dashboard form, both through ``feedback.settings.update_desk``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.feedback.support import given_nobody_on_duty, items
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


@pytest.fixture
def http(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def test_team_settings_refuse_an_unknown_key(http: TestClient) -> None:
    team_id = http.get("/api/v1/teams").json()[0]["id"]
    before = http.get(f"/api/v1/teams/{team_id}/settings").json()
    response = http.patch(
        f"/api/v1/teams/{team_id}/settings", json={"feedback": {"default_owner": "lihua"}}
    )
    assert response.status_code == 422
    assert "feedback" in response.text
    assert http.get(f"/api/v1/teams/{team_id}/settings").json() == before


def test_desk_settings_over_rest_route_new_items(http: TestClient, sqlite_runtime: Runtime) -> None:
    assert http.get("/api/v1/feedback/settings").json()["default_owner"] is None
    changed = http.patch(
        "/api/v1/feedback/settings",
        json={"default_owner": "lisi", "renotify_minutes": 45, "work_hours": ["10:00", "19:00"]},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["default_owner"], body["renotify_minutes"], body["work_hours"]) == (
        "lisi",
        45,
        ["10:00", "19:00"],
    )
    assert body["escalate_minutes"] == 120  # untouched keys keep their value
    # the setting is live: with nobody on duty a new bug goes to the fallback owner
    given_nobody_on_duty(sqlite_runtime)
    ChatDriver(sqlite_runtime).text("/问题反馈 交给默认跟进人", as_="zhangsan")
    with sqlite_runtime.factory() as session:
        from teamassist.team.models import Member

        owner = session.get(Member, items(sqlite_runtime)[-1].owner_id)
        assert owner is not None and owner.handle == "lisi"
    # null restores the default
    restored = http.patch("/api/v1/feedback/settings", json={"default_owner": None}).json()
    assert restored["default_owner"] is None


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"default_owner": "ghost"}, 404, "ghost"),
        ({"work_hours": ["18:00", "09:00"]}, 400, "工作时间"),
        ({"renotify_minutes": -1}, 422, "renotify_minutes"),
        ({"owner": "lisi"}, 422, "owner"),
    ],
)
def test_desk_settings_refuse_bad_values(
    http: TestClient, body: dict[str, object], status: int, fragment: str
) -> None:
    before = http.get("/api/v1/feedback/settings").json()
    response = http.patch("/api/v1/feedback/settings", json=body)
    assert response.status_code == status
    assert fragment in response.text
    assert http.get("/api/v1/feedback/settings").json() == before


def test_desk_settings_are_for_admins(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    password = give_account(sqlite_runtime, "lisi")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client, "lisi", password)
        response = client.patch("/api/v1/feedback/settings", json={"renotify_minutes": 5})
        assert response.status_code == 403
        assert client.get("/feedback/settings").status_code == 403


def test_dashboard_form_saves_and_shows_refusals(http: TestClient) -> None:
    page = http.get("/feedback/settings")
    assert page.status_code == 200 and 'name="default_owner"' in page.text
    token = http.headers["X-CSRF-Token"]
    form = {
        "csrf_token": token,
        "default_owner": "lisi",
        "renotify_minutes": "20",
        "escalate_minutes": "90",
        "work_start": "09:30",
        "work_end": "18:30",
        "escalate_in_quiet_hours": "on",
    }
    saved = http.post("/feedback/settings", data=form, follow_redirects=False)
    assert saved.status_code == 303
    body = http.get("/api/v1/feedback/settings").json()
    assert body == {
        "team_id": body["team_id"],
        "default_owner": "lisi",
        "renotify_minutes": 20,
        "escalate_minutes": 90,
        "work_hours": ["09:30", "18:30"],
        "escalate_in_quiet_hours": True,
    }
    # the form shows the owner chosen, by name, so saving another field keeps it (tester F1,
    # session 21: every option was blank and the next save cleared the owner)
    shown = http.get("/feedback/settings").text
    assert '<option value="lisi" selected>李四 (@lisi)</option>' in shown, shown
    assert '<option value="" >' not in shown and "(@)" not in shown, shown
    refused = http.post("/feedback/settings", data={**form, "renotify_minutes": "abc"})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert http.get("/api/v1/feedback/settings").json()["renotify_minutes"] == 20
    # Tester 2 F9 (session 21): the refusal named the key, and the form came back with the
    # saved values, so fixing the field and saving again dropped the other changes.
    typed = {
        **form,
        "default_owner": "zhangsan",
        "renotify_minutes": "-5",
        "escalate_minutes": "77",
        "work_start": "09:45",
    }
    refused = http.post("/feedback/settings", data=typed)
    assert refused.status_code == 400
    said = "「无人确认多少分钟后再次提醒」要填 0 到 10080 之间的整数分钟"
    assert said in refused.text, refused.text
    assert "renotify_minutes」" not in refused.text
    assert '<option value="zhangsan" selected>' in refused.text
    for kept in ('value="-5"', 'value="77"', 'value="09:45"', 'value="18:30"'):
        assert kept in refused.text, kept
    assert http.get("/api/v1/feedback/settings").json()["escalate_minutes"] == 90
