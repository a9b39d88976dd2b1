"""Two web replicas (two runtimes and apps) on one database: sign-ins, the setup link, webhook
dedupe and the on-duty cache hold whichever replica a request reaches (issue 16, shared
state items 3–5)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.clock import FrozenClock
from teamassist.runtime import Runtime
from teamassist.team.setup_pages import setup_token
from teamassist.web.app import create_app
from tests.conftest import load_demo, make_runtime, migrated
from tests.duty.test_spec_cache import EDITS, team_session, who
from tests.support.web import csrf_token, sign_in

SECRET = "one-secret-for-every-replica"


def _app(runtime: Runtime) -> TestClient:
    return TestClient(create_app(runtime, start_background=False))


@pytest.fixture
def replicas(sqlite_url: str, clock: FrozenClock) -> Iterator[tuple[Runtime, Runtime]]:
    """Two replicas of the demo install, configured alike (one web.secret_key)."""
    first = make_runtime(sqlite_url, clock, web={"secret_key": SECRET})
    second = make_runtime(sqlite_url, clock, web={"secret_key": SECRET})
    load_demo(first)
    yield first, second
    first.close()
    second.close()


def test_a_sign_in_on_one_replica_holds_on_the_other_and_ends_on_both(
    replicas: tuple[Runtime, Runtime],
) -> None:
    with _app(replicas[0]) as a, _app(replicas[1]) as b:
        # Given an admin signed in through replica A
        sign_in(a)
        # When the load balancer sends the next requests to replica B with the same cookie
        b.cookies.update(a.cookies)
        # Then B knows the session and its form token
        assert b.get("/api/v1/teams").status_code == 200
        assert csrf_token(b) == a.headers["X-CSRF-Token"]
        # And logging out on B ends it on A too (the session is a database row)
        out = b.post("/logout", headers={"X-CSRF-Token": csrf_token(b)}, follow_redirects=False)
        assert out.status_code == 303
        assert a.get("/api/v1/teams").status_code == 401


def test_replicas_with_different_secrets_do_not_share_sign_ins(
    sqlite_url: str, clock: FrozenClock
) -> None:
    # Why every replica needs the same web.secret_key: another key cannot read the cookie
    first = make_runtime(sqlite_url, clock, web={"secret_key": SECRET})
    other = make_runtime(sqlite_url, clock, web={"secret_key": "another-secret"})
    load_demo(first)
    try:
        with _app(first) as a, _app(other) as b:
            sign_in(a)
            b.cookies.update(a.cookies)
            assert b.get("/api/v1/teams").status_code == 401
    finally:
        first.close()
        other.close()


def test_every_replica_accepts_the_one_setup_link(
    sqlite_url: str, clock: FrozenClock, redis_url: str, prefix: str
) -> None:
    # Given a fresh install with two replicas sharing Redis
    shared = {"redis_url": redis_url, "redis_prefix": prefix}
    first = make_runtime(sqlite_url, clock, web={"secret_key": SECRET}, scale_out=shared)
    second = make_runtime(sqlite_url, clock, web={"secret_key": SECRET}, scale_out=shared)
    try:
        app_a, app_b = (
            create_app(first, start_background=False),
            create_app(second, start_background=False),
        )
        # When replica A makes the link and the browser reaches replica B
        token = setup_token(app_a)
        with TestClient(app_b) as b:
            page = b.get(f"/setup?token={token}")
        # Then B shows the setup form for it
        assert setup_token(app_b) == token
        assert page.status_code == 200 and 'name="form_key"' in page.text
    finally:
        first.close()
        second.close()


# -- on PostgreSQL: webhook dedupe and the on-duty cache across replicas --------------------------


@pytest.fixture
def pg_url() -> str:
    return migrated("postgresql").fresh_url()


def test_an_edit_on_one_replica_is_seen_by_the_other_at_once(
    pg_url: str, clock: FrozenClock
) -> None:
    # Given two replicas on one PostgreSQL, both with the rotation compiled and cached
    first, second = make_runtime(pg_url, clock), make_runtime(pg_url, clock)
    load_demo(first)
    try:
        before = who(first)
        assert who(second) == before
        # When an admin adds an override through the first
        with team_session(first) as (session, team, members):
            EDITS["override"](session, team, members, first.clock())
        # Then the second answers with it on its next request
        assert who(second) == who(first) != before
    finally:
        first.close()
        second.close()
