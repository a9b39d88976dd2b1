"""The fairness report: duty days by kind (workday / weekend / statutory holiday), hours, sign-in
rate, late sign-ins and the average sign-in time — on a hand-checked scenario, then through REST
(JSON and CSV) on the demo team."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, time, timedelta

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import fairness
from teamassist.duty.models import SignIn
from teamassist.duty.rotation import Shift
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import at_local, set_local
from tests.support.chat import ChatDriver
from tests.support.web import sign_in, signed_in
from tests.team.support import second_team

TZ = "Asia/Shanghai"


def _shift(member: int, day: date, rotation: int = 1) -> Shift:
    return Shift(
        rotation_id=rotation,
        duty_date=day,
        start=at_local(day, 3),
        end=at_local(day + timedelta(days=1), 3),
        member_ids=(member,),
    )


def _sign(member: int, day: date, hour: int, minute: int = 0, rotation: int = 1) -> SignIn:
    return SignIn(
        rotation_id=rotation,
        member_id=member,
        duty_date=day,
        signed_in_at=at_local(day, hour, minute),
    )


def test_day_kinds_follow_the_chinese_calendar() -> None:
    assert fairness.day_kind(date(2026, 10, 1)) == fairness.HOLIDAY  # National Day, Thursday
    assert fairness.day_kind(date(2026, 10, 3)) == fairness.HOLIDAY  # Saturday inside the holiday
    assert fairness.day_kind(date(2026, 10, 10)) == fairness.WORKDAY  # 调休 Saturday
    assert fairness.day_kind(date(2026, 10, 11)) == fairness.WEEKEND  # plain Sunday
    assert fairness.day_kind(date(2026, 10, 12)) == fairness.WORKDAY
    assert fairness.day_kind(date(2027, 1, 2)) == fairness.WEEKEND  # no data: weekday rule
    assert fairness.day_kind(date(2027, 1, 4)) == fairness.WORKDAY


def test_hand_checked_scenario_with_holiday_weekend_and_a_late_sign_in() -> None:
    # member 1: two holiday days, one 调休 Saturday, one Sunday, one Monday; member 2: one day.
    days_1 = [date(2026, 10, d) for d in (1, 3, 10, 11, 12)]
    shifts = [_shift(1, d) for d in days_1] + [_shift(2, date(2026, 10, 2))]
    # an override piece splits 10-12 in two: still one duty day, hours add up
    split = _shift(1, date(2026, 10, 12))
    shifts = [s for s in shifts if s.duty_date != date(2026, 10, 12)] + [
        Shift(1, split.duty_date, split.start, split.start + timedelta(hours=10), (1,)),
        Shift(1, split.duty_date, split.start + timedelta(hours=10), split.end, (1,)),
    ]
    signs = [
        _sign(1, date(2026, 10, 1), 9, 30),  # on time
        _sign(1, date(2026, 10, 10), 10, 30),  # late: after the 10:00 reminder
        _sign(1, date(2026, 10, 12), 10, 0),  # exactly at the reminder: not late (today)
        _sign(2, date(2026, 10, 2), 8, 0),
    ]
    now = at_local(date(2026, 10, 12), 11)  # 10-12 is today; its reminder has passed
    report = fairness.compute(
        shifts, signs, first=date(2026, 10, 1), last=date(2026, 10, 31), now=now, timezone=TZ
    )
    one, two = report.people
    assert one.member_id == 1 and two.member_id == 2
    assert (one.duty_days, one.holiday_days, one.weekend_days, one.workdays) == (5, 2, 1, 2)
    assert one.hours == pytest.approx(5 * 24)
    assert (one.due_days, one.signed_days, one.late_sign_ins) == (5, 3, 1)
    assert one.sign_in_rate == pytest.approx(3 / 5)
    assert one.average_sign_in == "10:00"  # (09:30 + 10:30 + 10:00) / 3
    assert (two.duty_days, two.holiday_days, two.sign_in_rate, two.average_sign_in) == (
        1,
        1,
        1.0,
        "08:00",
    )
    assert report.balance == pytest.approx(1 / 5)


def test_today_is_not_due_before_the_reminder_unless_signed_and_late_sign_ins_after_midnight() -> (
    None
):
    today = date(2026, 6, 1)
    shifts = [_shift(1, today), _shift(2, today, rotation=2), _shift(3, today - timedelta(days=1))]
    signs = [_sign(2, today, 9, rotation=2), _sign(3, today - timedelta(days=1), 0, 0)]
    signs[1].signed_in_at = at_local(today, 1, 30)  # signed in after midnight of the next day
    report = fairness.compute(
        shifts,
        signs,
        first=today - timedelta(days=1),
        last=today,
        now=at_local(today, 9, 30),
        timezone=TZ,
        late_after=time(10, 0),
    )
    people = {p.member_id: p for p in report.people}
    assert (people[1].due_days, people[1].sign_in_rate) == (0, None)  # not due yet
    assert (people[2].due_days, people[2].signed_days) == (1, 1)  # signed early: counts
    assert people[3].late_sign_ins == 1 and people[3].average_sign_in == "25:30"


def test_late_line_is_the_first_configured_sign_in_reminder(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        assert fairness.late_after(team) == time(10, 0)
        team.settings = {"schedule": {"duty.sign_in_reminder": ["11:15", "09:45"]}}
        assert fairness.late_after(team) == time(9, 45)
        team.settings = {"schedule": {"duty.sign_in_reminder": []}}  # reminders off
        assert fairness.late_after(team) == time(10, 0)


# -- REST ----------------------------------------------------------------------------------------


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


def test_fairness_over_rest_as_json_and_csv(api: TestClient, clock: FrozenClock) -> None:
    runtime: Runtime = api.app.state.runtime  # type: ignore[attr-defined]
    chat = ChatDriver(runtime)
    chat.text("/值班签到", as_="zhangsan")  # 06-01 09:00, on time
    set_local(clock, date(2026, 6, 2), 10, 40)
    chat.text("/值班签到", as_="lisi")  # late
    set_local(clock, date(2026, 6, 4), 12, 0)  # 王五 never signed in on 06-03

    answer = api.get("/api/v1/duty/fairness", params={"from": "2026-06-01", "to": "2026-06-06"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["late_after"] == "10:00"
    rows = {p["display_name"]: p for p in body["people"]}
    # tech: 张三 06-01, 06-04; 李四 06-02, 06-05; 王五 06-03, 06-06 (all every-day rotation)
    assert rows["张三"]["duty_days"] == 2 and rows["张三"]["due_days"] == 2
    assert rows["张三"]["signed_days"] == 1 and rows["张三"]["late_sign_ins"] == 0
    assert rows["李四"]["late_sign_ins"] == 1 and rows["李四"]["average_sign_in"] == "10:40"
    assert rows["王五"]["due_days"] == 1 and rows["王五"]["sign_in_rate"] == 0.0
    assert rows["张三"]["weekend_days"] == 0 and rows["王五"]["weekend_days"] == 1  # 06-06 Sat
    # the first day starts at 09:00, when the rotation was created
    assert rows["张三"]["hours"] == pytest.approx(18 + 24)

    tech = next(
        r["id"] for r in api.get("/api/v1/duty/teams/1/rotations").json() if r["key"] == "tech"
    )
    only_tech = api.get(
        "/api/v1/duty/fairness", params={"from": "2026-06-01", "to": "2026-06-06", "rotation": tech}
    ).json()
    assert {p["display_name"] for p in only_tech["people"]} == {"张三", "李四", "王五"}

    exported = api.get(
        "/api/v1/duty/fairness.csv", params={"from": "2026-06-01", "to": "2026-06-06"}
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["成员", "值班天数", "周末天数", "法定节假日天数"]
    lisi = next(row for row in table if row[0] == "李四")
    assert lisi[8] == "1" and lisi[9] == "10:40"


def test_bad_ranges_are_refused(api: TestClient) -> None:
    backwards = api.get("/api/v1/duty/fairness", params={"from": "2026-06-05", "to": "2026-06-01"})
    # reversed: the list endpoints' one rule, 422 naming the parameters (tester s25 F-25)
    assert backwards.status_code == 422 and "from=2026-06-05 晚于 to=2026-06-01" in backwards.text
    too_long = api.get("/api/v1/duty/fairness", params={"from": "2025-01-01", "to": "2026-06-01"})
    assert too_long.status_code == 400
    assert api.get("/api/v1/duty/fairness", params={"from": "yesterday"}).status_code == 422


def test_another_teams_rotation_or_team_is_refused_however_named(runtime: Runtime) -> None:
    """Tester s28 D-2: ``?rotation=3`` of another team answered that team's fairness report
    (names, days, sign-in rates) to anyone, the member gate asking about ``team_id`` only;
    D-1: ``?team_id=+2`` or `` 2`` passed the gate as "no team". Refused (403 not_in_team) on
    every backend, JSON and CSV; the team's own rotation is still read."""
    load_demo(runtime)
    with transaction(runtime.factory) as session:
        second_team(session)
    with signed_in(runtime, "m2", "zhangsan") as http:
        tech = next(
            r["id"]
            for r in http["zhangsan"].get("/api/v1/duty/teams/1/rotations").json()
            if r["key"] == "tech"
        )
        for path in ("/api/v1/duty/fairness", "/api/v1/duty/fairness.csv"):
            for params in ({"rotation": tech}, {"team_id": "+1"}, {"team_id": " 1"}):
                refused = http["m2"].get(path, params=params)
                assert refused.status_code == 403, (path, params, refused.text[:200])
                assert refused.json()["error"] == "core.error.not_in_team"
        own = http["zhangsan"].get("/api/v1/duty/fairness", params={"rotation": tech})
        assert own.status_code == 200 and own.json()["rotation_id"] == tech, own.text
        assert http["zhangsan"].get(f"/api/v1/duty/rotations/+{tech}/overrides").status_code == 200
