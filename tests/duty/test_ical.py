"""iCal feeds: valid for the `icalendar` parser, stable UIDs, export → parse reproduces the final
shifts (property), expandable by recurring-ical-events, and secret feed URLs (hashed at rest,
unknown or revoked → 404, only admins manage other people's feeds)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import feeds, ical
from teamassist.duty.feed_models import FeedToken
from teamassist.duty.rotation import (
    CompiledRotation,
    OverrideSpec,
    RotationSpec,
    Shift,
    SwapSpec,
    VersionSpec,
)
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty import rfc5545
from tests.duty.helpers import at_local, demo_team
from tests.duty.test_properties import rotations
from tests.support.web import sign_in

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


# -- pure export ---------------------------------------------------------------------------------


@st.composite
def with_edits(draw: st.DrawFn) -> RotationSpec:
    """A random rotation plus random overrides (someone or nobody) and swaps."""
    spec = draw(rotations())
    version = spec.versions[0]
    members = version.member_ids
    base = version.effective_at
    overrides = []
    for i in range(draw(st.integers(0, 5))):
        start = base + timedelta(hours=draw(st.integers(0, 24 * 50)))
        overrides.append(
            OverrideSpec(
                id=i + 1,
                start=start,
                end=start + timedelta(hours=draw(st.integers(1, 72))),
                member_id=draw(st.sampled_from([*members, None])),
            )
        )
    swaps = []
    for i in range(draw(st.integers(0, 3))):
        day_a = version.anchor_date + timedelta(days=draw(st.integers(0, 50)))
        swaps.append(
            SwapSpec(
                id=i + 1,
                member_a=draw(st.sampled_from(members)),
                date_a=day_a,
                member_b=draw(st.sampled_from(members)),
                date_b=draw(st.one_of(st.none(), st.just(day_a + timedelta(days=1)))),
                applies_from=base - timedelta(days=1),
            )
        )
    return RotationSpec(
        id=spec.id,
        timezone=spec.timezone,
        versions=spec.versions,
        overrides=tuple(overrides),
        swaps=tuple(swaps),
        exceptions=spec.exceptions,
    )


def _export(spec: RotationSpec, *, member_id: int | None = None) -> tuple[bytes, list[Shift]]:
    start = spec.versions[0].effective_at - timedelta(days=2)
    shifts = CompiledRotation(spec).shifts(start, start + timedelta(days=60))
    text = ical.build_calendar(
        [ical.FeedRotation(id=spec.id, name="技术", shifts=shifts, sequence=3)],
        names={m: f"成员{m}" for m in range(1, 10)},
        calendar_name="技术值班表",
        timezone=spec.timezone,
        now=NOW,
        member_id=member_id,
    )
    return text, shifts


@PROPERTY
@given(spec=with_edits())
def test_export_then_parse_reproduces_the_final_shifts(spec: RotationSpec) -> None:
    text, shifts = _export(spec)
    assert ical.parse_calendar(text) == ical.as_parsed(shifts)


@PROPERTY
@given(spec=with_edits(), member=st.integers(1, 6))
def test_a_persons_feed_holds_exactly_their_part(spec: RotationSpec, member: int) -> None:
    text, shifts = _export(spec, member_id=member)
    assert ical.parse_calendar(text) == ical.as_parsed(shifts, member_id=member)


@PROPERTY
@given(spec=with_edits())
def test_uids_are_unique_and_the_same_when_exported_again(spec: RotationSpec) -> None:
    first, _ = _export(spec)
    again, _ = _export(spec)
    uids = [str(e["uid"]) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]
    assert len(uids) == len(set(uids))
    assert uids == [str(e["uid"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")]


def test_calendar_headers_and_event_fields() -> None:
    spec = RotationSpec(
        id=7,
        timezone="Asia/Shanghai",
        versions=(_version(),),
    )
    text, shifts = _export(spec)
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["X-WR-CALNAME"]) == "技术值班表"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert str(cal["VERSION"]) == "2.0"
    events = cal.walk("VEVENT")
    assert len(events) == len(shifts)
    first = events[0]
    assert str(first["SUMMARY"]) == "值班：技术 · 成员1"
    assert first.decoded("DTSTART").tzinfo is not None
    assert first.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(first["UID"]).startswith("duty-r7-")
    assert str(first["UID"]).endswith("-m1-p0@teamassist.local")
    assert int(str(first["SEQUENCE"])) == 3
    assert first.decoded("DTSTAMP") == NOW


def _version() -> VersionSpec:
    """张三, 李四, 王五 daily from 2026-06-01, hand-off 03:00."""
    return VersionSpec(
        effective_at=at_local(date(2026, 6, 1), 3),
        member_ids=(1, 2, 3),
        anchor_date=date(2026, 6, 1),
        handoff=time(3, 0),
    )


def test_recurring_ical_events_expands_the_export_to_the_same_shifts() -> None:
    spec = RotationSpec(
        id=1,
        timezone="Asia/Shanghai",
        versions=(_version(),),
        overrides=(
            OverrideSpec(1, at_local(date(2026, 6, 3), 12), at_local(date(2026, 6, 3), 18), 3),
        ),
    )
    text, shifts = _export(spec)
    start = spec.versions[0].effective_at - timedelta(days=2)
    occurrences = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(
        start, start + timedelta(days=60)
    )
    got = sorted((o.decoded("DTSTART"), o.decoded("DTEND"), str(o["SUMMARY"])) for o in occurrences)
    want = sorted((s.start, s.end, f"值班：技术 · 成员{s.primary}") for s in shifts)
    assert got == want
    # the override cut 6-03 (成员3's own day) into pieces; each piece has its own UID
    uids = [str(o["UID"]) for o in occurrences]
    assert len(uids) == len(set(uids))


# -- secret feed URLs ----------------------------------------------------------------------------


PASSWORDS = {"admin": "admin", "zhangsan": "pw-zhangsan"}


def _client(runtime: Runtime, username: str = "admin") -> Iterator[TestClient]:
    with TestClient(create_app(runtime, start_background=False)) as client:
        sign_in(client, username, PASSWORDS[username])
        yield client


@pytest.fixture
def demo(sqlite_runtime: Runtime) -> Runtime:
    load_demo(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        _team, people = demo_team(sqlite_runtime)
        auth.set_password(
            session, username="zhangsan", password="pw-zhangsan", member=people["zhangsan"]
        )
    return sqlite_runtime


@pytest.fixture
def admin_api(demo: Runtime) -> Iterator[TestClient]:
    yield from _client(demo)


@pytest.fixture
def member_api(demo: Runtime) -> Iterator[TestClient]:
    yield from _client(demo, "zhangsan")


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def test_a_rotation_feed_is_a_valid_calendar_with_stable_uids(
    admin_api: TestClient, demo: Runtime, clock: FrozenClock
) -> None:
    rotations = admin_api.get("/api/v1/duty/teams/1/rotations").json()
    tech = next(r for r in rotations if r["key"] == "tech")
    created = admin_api.post("/api/v1/duty/feeds", json={"rotation_id": tech["id"]})
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    assert url.startswith("http://127.0.0.1:8000/ical/") and url.endswith(".ics")
    path = url.removeprefix("http://127.0.0.1:8000")

    with TestClient(create_app(demo, start_background=False)) as anonymous:
        first = anonymous.get(path)
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("text/calendar")
        cal = icalendar.Calendar.from_ical(first.content)
        assert str(cal["X-WR-CALNAME"]) == "技术值班表"
        events = cal.walk("VEVENT")
        summaries = {str(e["SUMMARY"]) for e in events}
        assert {"值班：技术 · 张三", "值班：技术 · 李四", "值班：技术 · 王五"} <= summaries
        # the demo rotation was created today at 09:00 (Shanghai): 张三 until the 03:00 hand-off
        today = next(e for e in events if "20260601" in str(e["UID"]))
        assert str(today["SUMMARY"]) == "值班：技术 · 张三"
        assert today.decoded("DTSTART") == at_local(date(2026, 6, 1), 9)
        assert today.decoded("DTEND") == at_local(date(2026, 6, 2), 3)

        clock.set(clock() + timedelta(hours=5))
        again = icalendar.Calendar.from_ical(anonymous.get(path).content)
        uids = {str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in events}
        later = {
            str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in again.walk("VEVENT")
        }
        assert uids == later


def test_feed_tokens_are_hashed_at_rest_and_unknown_or_revoked_tokens_are_404(
    admin_api: TestClient, demo: Runtime
) -> None:
    created = admin_api.post("/api/v1/duty/feeds", json={}).json()  # the admin's own feed
    token = _token(created["url"])
    assert len(token) >= 43  # 32 random bytes
    with demo.factory() as session:
        row = session.scalar(select(FeedToken).where(FeedToken.id == created["id"]))
        assert row is not None
        stored = [str(getattr(row, c.name)) for c in FeedToken.__table__.columns]
        assert all(token not in value for value in stored)
        assert row.token_hash == feeds.hash_token(token)

    with TestClient(create_app(demo, start_background=False)) as anonymous:
        assert anonymous.get(f"/ical/{token}.ics").status_code == 200
        assert anonymous.head(f"/ical/{token}.ics").status_code == 200  # some clients check first
        assert anonymous.get(f"/ical/{token[:-1]}x.ics").status_code == 404
        assert anonymous.get(f"/ical/{feeds.hash_token(token)}.ics").status_code == 404
        listed = admin_api.get("/api/v1/duty/feeds").json()
        assert [f["id"] for f in listed] == [created["id"]]
        assert all(f["url"] is None for f in listed)  # the token is never shown again
        revoked = admin_api.delete(f"/api/v1/duty/feeds/{created['id']}")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"]
        assert anonymous.get(f"/ical/{token}.ics").status_code == 404
        assert admin_api.get("/api/v1/duty/feeds").json() == []


def test_a_personal_feed_shows_only_that_persons_shifts(
    member_api: TestClient, demo: Runtime
) -> None:
    created = member_api.post("/api/v1/duty/feeds", json={})
    assert created.status_code == 201, created.text
    with TestClient(create_app(demo, start_background=False)) as anonymous:
        body = anonymous.get(created.json()["url"].removeprefix("http://127.0.0.1:8000")).content
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == "张三的值班"
    events = cal.walk("VEVENT")
    assert events and all(str(e["SUMMARY"]) == "值班：技术 · 张三" for e in events)
    # every third day of the daily tech rotation
    days = sorted(str(e["X-TEAMASSIST-DUTY-DATE"]) for e in events)
    assert "2026-06-01" in days and "2026-06-04" in days and "2026-06-02" not in days


def test_members_manage_only_their_own_feeds(
    member_api: TestClient, admin_api: TestClient, demo: Runtime
) -> None:
    _team, people = demo_team(demo)
    other = member_api.post("/api/v1/duty/feeds", json={"member_id": people["lisi"].id})
    assert other.status_code == 403
    admins = admin_api.post("/api/v1/duty/feeds", json={"member_id": people["lisi"].id})
    assert admins.status_code == 201
    assert member_api.delete(f"/api/v1/duty/feeds/{admins.json()['id']}").status_code == 403
    assert member_api.get("/api/v1/duty/feeds").json() == []
    mine = member_api.post("/api/v1/duty/feeds", json={}).json()
    assert [f["id"] for f in member_api.get("/api/v1/duty/feeds").json()] == [mine["id"]]
    assert member_api.delete(f"/api/v1/duty/feeds/{mine['id']}").status_code == 200
    assert len(admin_api.get("/api/v1/duty/feeds").json()) == 1  # lisi's, made by the admin


def test_feeds_need_a_sign_in_to_manage(demo: Runtime) -> None:
    with TestClient(create_app(demo, start_background=False)) as anonymous:
        assert anonymous.get("/api/v1/duty/feeds").status_code == 401
        assert anonymous.post("/api/v1/duty/feeds", json={}).status_code == 401


def test_signed_in_callers_download_calendars_without_a_feed_url(
    admin_api: TestClient, member_api: TestClient, demo: Runtime
) -> None:
    _team, people = demo_team(demo)
    tech = next(
        r["id"]
        for r in admin_api.get("/api/v1/duty/teams/1/rotations").json()
        if r["key"] == "tech"
    )
    rotation = member_api.get(f"/api/v1/duty/rotations/{tech}/calendar.ics")
    assert rotation.status_code == 200
    assert rotation.headers["content-type"].startswith("text/calendar")
    assert ical.parse_calendar(rotation.content)
    own = member_api.get(f"/api/v1/duty/teams/1/members/{people['zhangsan'].id}/calendar.ics")
    assert own.status_code == 200
    assert {p.member_ids for p in ical.parse_calendar(own.content)} == {(people["zhangsan"].id,)}
    other = f"/api/v1/duty/teams/1/members/{people['lisi'].id}/calendar.ics"
    assert member_api.get(other).status_code == 403
    assert admin_api.get(other).status_code == 200


# -- RFC 5545 on whole generated files -----------------------------------------------------------

NASTY = [
    "逗号,分号;反斜杠\\换行\n回车\r制表\t响铃\x07",
    "很长很长的名字" * 12 + "🎉🎉🎉",
    "a" * 74 + "é" + "b" * 80,
]


@pytest.mark.parametrize("name", NASTY)
def test_every_line_of_a_built_calendar_follows_rfc5545(name: str) -> None:
    start = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)
    shifts = [
        Shift(7, date(2026, 6, 2), start, start + timedelta(hours=24), (1, 2), source="override"),
        # a piece shorter than a second (two edits in one second): no event for it
        Shift(
            7,
            date(2026, 6, 3),
            start + timedelta(hours=24),
            start + timedelta(hours=24, microseconds=5),
            (1,),
        ),
    ]
    text = ical.build_calendar(
        [ical.FeedRotation(id=7, name=name, shifts=shifts, sequence=3)],
        names={1: name, 2: "李四"},
        calendar_name=name * 2,
        timezone="Asia/Shanghai",
        now=NOW,
    )
    assert rfc5545.problems(text) == []
    assert text.count(b"BEGIN:VEVENT") == 2
    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT")]
    # the text survives escaping and folding (line breaks kept, a bell dropped)
    assert name.replace("\r", "\n").replace("\x07", "") in summaries[0]


def test_the_validator_catches_what_it_claims_to() -> None:
    good = b"BEGIN:VCALENDAR\r\nSUMMARY:a\\, b\r\nEND:VCALENDAR\r\n"
    assert rfc5545.problems(good) == []
    assert rfc5545.problems(good.replace(b"\r\n", b"\n"))  # LF only
    assert rfc5545.problems(b"BEGIN:VCALENDAR\r\nSUMMARY:a, b\r\nEND:VCALENDAR\r\n")
    assert rfc5545.problems(b"BEGIN:VCALENDAR\r\nSUMMARY:" + b"x" * 80 + b"\r\nEND:VCALENDAR\r\n")
    split = ("SUMMARY:" + "a" * 66 + "中").encode()  # 75 octets would cut 中 in two
    assert rfc5545.problems(
        b"BEGIN:VCALENDAR\r\n" + split[:75] + b"\r\n " + split[75:] + b"\r\nEND:VCALENDAR\r\n"
    )


def test_every_served_feed_follows_rfc5545(demo_runtime_with_names: Runtime) -> None:
    runtime = demo_runtime_with_names
    team, members = demo_team(runtime)
    with runtime.factory() as session:
        from teamassist.duty import service

        for rotation in service.rotations(session, team=team):
            assert (
                rfc5545.problems(feeds.render(session, team=team, now=NOW, rotation=rotation)) == []
            )
        for member in members.values():
            assert rfc5545.problems(feeds.render(session, team=team, now=NOW, member=member)) == []


@pytest.fixture
def demo_runtime_with_names(sqlite_runtime: Runtime) -> Runtime:
    """The demo with people and rotations named to trip a careless writer."""
    load_demo(sqlite_runtime)
    team, members = demo_team(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        from teamassist.duty import service
        from teamassist.team.models import Member, Team

        for index, member in enumerate(members.values()):
            live = session.get(Member, member.id)
            assert live is not None
            live.display_name = NASTY[index % len(NASTY)][:60] + str(index)
        live_team = session.get(Team, team.id)
        assert live_team is not None
        live_team.name = NASTY[1][:80]
        for rotation in service.rotations(session, team=live_team):
            rotation.name = NASTY[0][:40] + rotation.key
    return sqlite_runtime


def test_a_second_feed_of_one_person_is_refused_unless_replaced(
    member_api: TestClient, demo: Runtime
) -> None:
    """Tester s25 F-20: one live feed per person (a calendar's one secret address). A second
    is 409 naming the first and ``"replace": true``; the reset answers the new URL and the
    revoked id, and the old URL answers 404 from then on."""
    first = member_api.post("/api/v1/duty/feeds", json={}).json()
    again = member_api.post("/api/v1/duty/feeds", json={})
    assert again.status_code == 409, again.text
    assert again.json()["error"] == "duty_feeds.error.exists"
    message = again.json()["message"]
    assert f"#{first['id']}" in message and '"replace": true' in message, message
    assert [f["id"] for f in member_api.get("/api/v1/duty/feeds").json()] == [first["id"]]

    reset = member_api.post("/api/v1/duty/feeds", json={"replace": True})
    assert reset.status_code == 201, reset.text
    assert reset.json()["replaced"] == [first["id"]] and reset.json()["url"] != first["url"]
    with TestClient(create_app(demo, start_background=False)) as anonymous:
        assert anonymous.get(f"/ical/{_token(first['url'])}.ics").status_code == 404
        assert anonymous.get(f"/ical/{_token(reset.json()['url'])}.ics").status_code == 200
    assert [f["id"] for f in member_api.get("/api/v1/duty/feeds").json()] == [reset.json()["id"]]
