"""One rule for the list endpoints' queries (tester s25 F-25): a reversed date range, an unknown
parameter, an unknown value and an out-of-range limit are each a Chinese-first 422 naming the
parameter, in the catalogue; before, the feedback list answered a reversed range with an empty
page (the report with 400), duty fairness ignored ``first``/``last`` and answered the default 30
days, meetings read ``limit=-5`` as 1, and an unknown status was an English sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from teamassist.web.lazy_routes import load_all_routes
from tests.conftest import load_demo
from tests.support.web import sign_in


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


REVERSED = {"date_from": "2026-12-10", "date_to": "2026-12-01"}


@pytest.mark.parametrize(
    ("path", "params", "error", "said"),
    [
        ("/api/v1/feedback/items", REVERSED, "core.error.reversed_range", "date_from=2026-12-10"),
        ("/api/v1/feedback/items.csv", REVERSED, "core.error.reversed_range", "date_to=2026-12-01"),
        ("/api/v1/feedback/report", REVERSED, "core.error.reversed_range", "date_from=2026-12-10"),
        (
            "/api/v1/duty/fairness",
            {"from": "2026-12-10", "to": "2026-12-01"},
            "core.error.reversed_range",
            "from=2026-12-10",
        ),
        (
            "/api/v1/duty/fairness",
            {"first": "0001-01-01", "last": "9999-12-31"},
            "core.error.unknown_query",
            "没有「first」这个查询参数",
        ),
        ("/api/v1/feedback/items", {"stauts": "open"}, "core.error.unknown_query", "「stauts」"),
        ("/api/v1/meetings", {"lmit": "5"}, "core.error.unknown_query", "「lmit」"),
        (
            "/api/v1/feedback/items",
            {"status": "bogus"},
            "feedback.error.unknown_status",
            "「bogus」",
        ),
    ],
)
def test_a_query_the_list_cannot_take_is_a_422_naming_it(
    api: TestClient, path: str, params: dict[str, str], error: str, said: str
) -> None:
    answer = api.get(path, params=params)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == error and said in body["message"], body
    assert "这次没有查询" in body["message"], body


def test_a_limit_out_of_range_is_a_422_in_chinese(api: TestClient) -> None:
    answer = api.get("/api/v1/meetings", params={"limit": "-5"})
    assert answer.status_code == 422, answer.text
    [detail] = answer.json()["details"]
    assert detail["loc"] == ["query", "limit"] and "1" in detail["msg"], detail


def test_the_lists_still_take_what_they_declare(api: TestClient) -> None:
    ok = {
        "/api/v1/feedback/items": {"status": "open", "date_from": "2026-06-01", "limit": "5"},
        "/api/v1/feedback/report": {"date_from": "2026-05-01", "date_to": "2026-05-31"},
        "/api/v1/duty/fairness": {"from": "2026-05-01", "to": "2026-05-31"},
        "/api/v1/meetings": {"limit": "3", "team_id": "1"},
    }
    for path, params in ok.items():
        assert api.get(path, params=params).status_code == 200, path


@pytest.mark.parametrize(
    ("path", "params", "error", "said"),
    [
        # tester s27 A-1: answered 200 [] (the rule was on five routes only)
        (
            "/api/v1/duty/teams/1/sign-ins",
            {"first": "2026-12-10", "last": "2026-12-01"},
            "core.error.reversed_range",
            "first=2026-12-10",
        ),
        # tester s28 D-6: a blank before a date passed the rule ("no date"), the route read it
        (
            "/api/v1/duty/teams/1/sign-ins",
            {"first": " 2026-12-10", "last": "2026-12-01 "},
            "core.error.reversed_range",
            "first= 2026-12-10",
        ),
        (
            "/api/v1/duty/fairness",
            {"from": " 2026-06-05", "to": "2026-06-01"},
            "core.error.reversed_range",
            "to=2026-06-01",
        ),
        (
            "/api/v1/duty/teams/1/sign-ins",
            {"frist": "2026-12-01"},
            "core.error.unknown_query",
            "「frist」",
        ),
        ("/api/v1/members", {"nmae": "x"}, "core.error.unknown_query", "「nmae」"),
        ("/api/v1/channels", {"purpose": "x", "oops": "1"}, "core.error.unknown_query", ""),
    ],
)
def test_every_rest_read_has_the_rule(
    api: TestClient, path: str, params: dict[str, str], error: str, said: str
) -> None:
    answer = api.get(path, params=params)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == error and said in body["message"], body


def test_every_get_route_under_api_refuses_an_unknown_parameter(api: TestClient) -> None:
    """A walk of the app's routes: a parameter no GET /api route takes is refused on each (a
    route with path parameters is asked with 1 for each: the rule runs before the lookup)."""
    app = api.app
    assert isinstance(app, FastAPI)
    load_all_routes(app)
    walked = 0
    for route in app.routes:
        if not isinstance(route, APIRoute) or "GET" not in (route.methods or set()):
            continue
        if not route.path.startswith("/api/"):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        answer = api.get(path, params={"zz_not_a_parameter": "1"})
        assert answer.status_code == 422, (route.path, answer.status_code, answer.text[:200])
        assert answer.json()["error"] == "core.error.unknown_query", route.path
        walked += 1
    assert walked >= 80, walked  # every GET under /api/ when this was written


def test_a_parameter_given_twice_is_a_422_naming_it(api: TestClient) -> None:
    """Tester s27 C-9: ``?owner=zhangsan&owner=lisi`` listed lisi's items alone and
    ``?team_id=1&team_id=2`` read team 2, each without a word. A parameter that takes one
    value, given twice, is a 422 naming it, on reads and writes; a list parameter repeats."""
    for query, name in (
        ("team_id=1&owner=zhangsan&owner=lisi", "owner"),
        ("team_id=1&team_id=2", "team_id"),
    ):
        answer = api.get(f"/api/v1/actions?{query}")
        assert answer.status_code == 422, (query, answer.text)
        body = answer.json()
        assert body["error"] == "core.error.repeated_query"
        assert f"查询参数「{name}」只能给一个值，这次给了 2 个" in body["message"], body
    listed = api.get("/api/v1/actions?team_id=1&state=open&state=done")
    assert listed.status_code == 200, listed.text
    write = api.post(
        "/api/v1/actions?team_id=1&team_id=2",
        json={"title": "两次的团队", "owner": "zhangsan", "due": "2026-06-05"},
    )
    assert write.status_code == 422 and write.json()["error"] == "core.error.repeated_query"
    assert "两次的团队" not in api.get("/api/v1/actions?team_id=1").text


def test_every_get_route_under_api_refuses_a_parameter_given_twice(api: TestClient) -> None:
    """The walk of the reads again, ``team_id`` (read by every team gate) sent twice."""
    app = api.app
    assert isinstance(app, FastAPI)
    load_all_routes(app)
    walked = 0
    for route in app.routes:
        if not isinstance(route, APIRoute) or "GET" not in (route.methods or set()):
            continue
        if not route.path.startswith("/api/"):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        answer = api.get(f"{path}?team_id=1&team_id=1")
        assert answer.status_code == 422, (route.path, answer.status_code, answer.text[:200])
        assert answer.json()["error"] == "core.error.repeated_query", route.path
        walked += 1
    assert walked >= 80, walked


def test_every_write_under_api_refuses_a_parameter_it_does_not_take(api: TestClient) -> None:
    """Tester s28 E-4: a write's unknown query name passed (``POST /okr/objectives?zzz=1`` made
    an O) — and a ``team_id`` the route does not take was read by the team gate alone:
    ``PATCH /members/5?team_id=2 {"role": "lead"}`` made wangwu lead of team 1 with a 200. A
    walk of every write under /api/: ``?zz_not_a_parameter=1`` is refused before the body is
    read, as a read's is."""
    app = api.app
    assert isinstance(app, FastAPI)
    load_all_routes(app)
    walked = 0
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/"):
            continue
        methods = (route.methods or set()) - {"GET", "HEAD"}
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in methods:
            answer = api.request(method, path, params={"zz_not_a_parameter": "1"}, json={})
            assert answer.status_code == 422, (method, path, answer.status_code, answer.text)
            assert answer.json()["error"] == "core.error.unknown_query_write", (method, path)
            walked += 1
    assert walked >= 100, walked  # every write under /api/ when this was written


def test_a_team_the_write_does_not_take_from_the_query_is_refused(
    sqlite_runtime: Runtime, api: TestClient
) -> None:
    members = {m["handle"]: m for m in api.get("/api/v1/members").json()}
    wangwu = members["wangwu"]
    before = api.get(f"/api/v1/members/{wangwu['id']}").json()
    answer = api.patch(f"/api/v1/members/{wangwu['id']}?team_id=2", json={"role": "lead"})
    assert answer.status_code == 422, answer.text
    assert "「team_id」" in answer.json()["message"] and "没有任何改动" in answer.json()["message"]
    assert api.get(f"/api/v1/members/{wangwu['id']}").json() == before
    # where the write takes its team from the query, the query still names it
    made = api.post("/api/v1/okr/objectives?team_id=1", json={"title": "查询里的团队"})
    assert made.status_code == 201, made.text
    refused = api.post("/api/v1/okr/objectives?team_id=1&zzz=1", json={"title": "多余的参数"})
    assert refused.status_code == 422 and "「zzz」" in refused.json()["message"]
    listed = api.get("/api/v1/okr/objectives?team_id=1&state=draft").json()["objectives"]
    titles = [o["title"] for o in listed]
    assert "查询里的团队" in titles and "多余的参数" not in titles


@pytest.mark.parametrize("word", ["yes", "on", "1", "0", "no", "y", ""])
def test_every_boolean_query_parameter_takes_true_or_false_only(api: TestClient, word: str) -> None:
    """Tester s28 E-15: a query boolean read words as pydantic's lax mode does (``apply=yes``
    applied an OKR import, ``overdue=on`` filtered); cf980d5 made bodies strict only. A walk
    of every route under /api/ with a parameter that takes only a boolean: a word is a 422
    ``bool_type`` naming it; ``true`` and ``false`` are never the complaint."""
    from teamassist.http.query import _boolean_names

    app = api.app
    assert isinstance(app, FastAPI)
    load_all_routes(app)
    walked = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/"):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for name in _boolean_names(route):
            for method in sorted(route.methods or ()):
                answer = api.request(method, path, params={name: word})
                assert answer.status_code == 422, (method, path, name, answer.text)
                details = answer.json()["details"]
                assert details == [
                    {"loc": ["query", name], "msg": details[0]["msg"], "type": "bool_type"}
                ], (method, path, details)
                for value in ("true", "false", "TRUE"):
                    answer = api.request(method, path, params={name: value})
                    body = answer.json()
                    complaints = body.get("details", []) if isinstance(body, dict) else []
                    assert all(d["loc"] != ["query", name] for d in complaints), (path, value)
                walked.append(f"{method} {route.path} {name}")
    assert len(walked) >= 3, walked  # apply, overdue, include_revoked when this was written


def test_feedback_reads_its_dates_as_sign_ins_do(api: TestClient) -> None:
    """Tester s28 E-10: ``date_from=%202026-12-10`` on the feedback lists was pydantic's English
    "invalid character in year" where the sign-ins read the date; other bad dates said nothing
    in Chinese. The one date reader (``http.fields.IsoDate``) on both."""
    for path in ("/api/v1/feedback/items", "/api/v1/duty/teams/1/sign-ins"):
        start, end = ("date_from", "date_to") if "feedback" in path else ("first", "last")
        padded = api.get(path, params={start: " 2026-12-10", end: "2026-12-01"})
        assert padded.status_code == 422, (path, padded.text)
        assert padded.json()["error"] == "core.error.reversed_range", (path, padded.text)
        read = api.get(path, params={start: " 2026-12-01 ", end: "2026-12-10"})
        assert read.status_code == 200, (path, read.text)
        wrong = api.get(path, params={start: "2026-12-1"})
        [detail] = wrong.json()["details"]
        assert detail["loc"] == ["query", start], detail
        assert detail["msg"].startswith("「2026-12-1」不是日期：请写成 ISO 8601"), detail


def test_every_date_query_parameter_is_read_by_the_one_reader(api: TestClient) -> None:
    """A walk of every query parameter under /api/ that takes a date or a moment: each goes
    through ``http.fields``' readers (``IsoDate``, ``IsoDateTime``, ``IsoDateTimeOrDay``), not
    pydantic's own reading, which words its refusals in English and reads other forms."""
    import typing
    from datetime import date, datetime

    from teamassist.http.fields import iso_day, iso_moment, iso_moment_or_day

    readers = (iso_day, iso_moment, iso_moment_or_day)

    def takes_dates(annotation: object) -> bool:
        return annotation in (date, datetime) or any(
            takes_dates(a) for a in typing.get_args(annotation)
        )

    def read_by_one(annotation: object, metadata: list[object]) -> bool:
        found = [*metadata]
        for arg in typing.get_args(annotation):
            if typing.get_origin(arg) is typing.Annotated:
                found.extend(arg.__metadata__)
        return any(getattr(m, "func", None) in readers for m in found)

    app = api.app
    assert isinstance(app, FastAPI)
    load_all_routes(app)
    loose, walked = [], 0
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/api/"):
            continue
        todo = [route.dependant]
        while todo:
            node = todo.pop()
            todo.extend(node.dependencies)
            for field in node.query_params:
                info = field.field_info
                if takes_dates(info.annotation):
                    walked += 1
                    if not read_by_one(info.annotation, list(info.metadata)):
                        loose.append(f"{route.path} {field.alias}")
    assert loose == [], loose
    assert walked >= 15, walked  # the dates of the duty, feedback and member routes


@pytest.mark.parametrize(
    ("path", "name", "value", "said"),
    [
        ("/api/v1/feedback/items", "date_from", "2026-02-30", "「2026-02-30」这一天不存在"),
        ("/api/v1/feedback/items", "date_to", "2026-13-01", "「2026-13-01」这一天不存在"),
        ("/api/v1/duty/teams/1/sign-ins", "first", "2026-02-29", "「2026-02-29」这一天不存在"),
        (
            "/api/v1/duty/teams/1/on-duty",
            "at",
            "2026-12-09T24:30:00",
            "「2026-12-09T24:30:00」里的时刻不存在",
        ),
    ],
)
def test_a_date_that_does_not_exist_is_said_so_in_chinese(
    api: TestClient, path: str, name: str, value: str, said: str
) -> None:
    """Tester s29 G-2: a well-formed date that does not exist (2026-02-30, month 13) was
    pydantic's English "day value is outside expected range" where a malformed one got the
    catalogue's Chinese."""
    answer = api.get(path, params={name: value})
    assert answer.status_code == 422, answer.text
    [detail] = answer.json()["details"]
    assert detail["loc"] == ["query", name] and detail["msg"].startswith(said), detail
    assert "outside expected range" not in answer.text
