"""Every route that takes a team refuses a person of another team (testers s23 F3, F7, F12).

Outside testers found, one route at a time, that REST and pages let a person act in or read a
team they are not in (OKR writes by ``?team_id=``, 360 cycles, feedback by a body ``team_id``,
the duty desk's feeds). This walk asks every route of the app (``app.routes``, REST and pages)
whether it takes a team: a ``team_id`` in its path, query or body, ``?team=`` on a page, or the
id of one team's row in its path (an item, a rotation, an objective, a pair ...). Each such
route is sent, on real storage with the demo and a second team, as

- 二队成员 (m2, a plain member of 第二团队 only) and 二号老板 (boss2, its admin): refused, 403
  (or 404 for a row they may not know of) as JSON on REST and as the error page on pages, and
  nothing stored changes;
- 王管理 (admin, an admin of 开发者社区) and 总监 (the director of 开发者社区, who sits in a parent
  team 管理层, not in 开发者社区): not refused as outsiders.

The outsider's requests carry no body (or an empty form): a gate must refuse before the body
is read (issue 11: a 422 teaches the route's shape). A route open to the whole workspace on
purpose is listed in ``WORKSPACE_WIDE`` with the reason; a new route is walked as soon as it
exists, and a new kind of path id fails until ``_path_value`` knows a row of 开发者社区 for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from teamassist.actions.models import ActionItem
from teamassist.announcements.models import Announcement
from teamassist.awards.models import AwardRound
from teamassist.careers.models import CareerPlan
from teamassist.database import Base, transaction
from teamassist.duty.models import Rotation, RotationVersion
from teamassist.enums import Role
from teamassist.feedback.models import FeedbackItem
from teamassist.meetings.models import MeetingOccurrence
from teamassist.okr.models import Cycle, KeyResult, Objective
from teamassist.one_on_ones.models import AgendaItem, OneOnOne, OneOnOneMeeting
from teamassist.org_contact.models import OrgMessage
from teamassist.outbox.models import OutboxMessage
from teamassist.reports.models import ReportPack
from teamassist.reviews.models import ReviewCycle, ReviewRequest, ReviewSubject
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Channel, Team
from teamassist.web.app import create_app
from teamassist.web.lazy_routes import load_all_routes
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.support.web import BROWSER, give_account, sign_in
from tests.team.support import second_team

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
NOT_IN_TEAM = "core.error.not_in_team"
NOT_IN_TEAM_TEXT = "你不在「开发者社区」里"
# Rows a refused request may still touch: the caller's own session.
SESSION_TABLES = {"web_session", "sign_in_link"}

# Routes whose ``team`` field is no team's id: the first-run form names the first team.
NOT_A_TEAM = {("POST", "/setup")}

# Path parameters that name no team's row: the caller's own things, public links, a kind word.
OWN_PARAMS = {"token_id", "token", "action", "day"}

# Routes that take a team (or a team's row) and are open to every person of the workspace on
# purpose, with why. Anything not listed here is walked.
WORKSPACE_WIDE: dict[tuple[str, str], str] = {
    # OKRs are public inside a company: alignment needs every team's Os (docs/okr.md); the
    # writes are walked (MEMBER_WRITE_GATE)
    **{
        ("GET", path): "OKR reads are open to the workspace (docs/okr.md)"
        for path in (
            "/api/v1/okr/cycles",
            "/api/v1/okr/objectives",
            "/api/v1/okr/objectives/{objective_id}",
            "/api/v1/okr/key-results/{key_result_id}",
            "/api/v1/okr/key-results/{key_result_id}/check-ins",
            "/api/v1/okr/alignments/report",
            "/api/v1/okr/cycles/{cycle_id}/scores",
            "/api/v1/okr/cycles/{cycle_id}/export.csv",
            "/api/v1/okr/cycles/{cycle_id}/export.xlsx",
            "/api/v1/okr/retros",
            "/api/v1/okr/retros/{objective_id}",
            "/okr",
            "/okr/team",
            "/okr/objectives/{objective_id}",
            "/okr/alignment",
        )
    },
    # the people directory and the org chart span the workspace (mentions, /组织架构); changing
    # a person or a team is an admin's, walked in tests/web/test_member_scope.py
    ("GET", "/api/v1/teams/{team_id}/members"): "the member directory spans the workspace",
    ("GET", "/api/v1/members/{member_id}"): "the member directory spans the workspace",
    ("GET", "/team/members"): "the member directory spans the workspace",
    ("GET", "/team/org"): "the org chart spans the workspace",
    # a feedback item is seen by its reporter and its desk in any team (feedback.access): the
    # rule of one item, refused to others as feedback.error.forbidden
    ("GET", "/api/v1/feedback/items/{item_id}"): "its reporter's, in any team (feedback.access)",
    ("GET", "/feedback/items/{item_id}"): "its reporter's, in any team (feedback.access)",
}

# Routes for the team's own people, where its director (who may sit in a parent team) is
# refused as well: one's own weekly entry and reading mark belong to the team's members
# (reports.entries, reports.reading).
PEOPLE_ONLY = {
    ("PUT", "/api/v1/reports/entries/me"),
    ("POST", "/api/v1/reports/reading/read"),
    ("POST", "/reports/{pack_id}/read"),
}

# Reads the team's director (in a parent team) is refused on purpose, with why: everything
# else they read (GET) must answer.
DIRECTOR_MAY_NOT_READ = {
    ("GET", "/api/v1/duty/teams/{team_id}/members/{member_id}/calendar.ics"): (
        "a person's own duty calendar: theirs or an admin's"
    ),
    ("GET", "/api/v1/feedback/settings"): "the desk settings: the team's admins",
    ("GET", "/feedback/settings"): "the desk settings: the team's admins",
    ("GET", "/api/v1/one-on-ones/{pair_id}"): "a 1on1 is its pair's (404 as for none)",
    ("GET", "/api/v1/one-on-ones/{pair_id}/meetings/{meeting_id}/invite.ics"): "the pair's",
    ("GET", "/one-on-ones/{pair_id}"): "a 1on1 is its pair's (404 as for none)",
}


@dataclass
class Rows:
    """Ids of 开发者社区's rows, one of each kind a route path may name."""

    team: int
    values: dict[str, Any]


def _first(session: Any, column: Any, *where: Any) -> Any:
    found = session.scalars(select(column).where(*where).order_by(column.desc())).first()
    return found


def _rows(runtime: Runtime, admin: TestClient) -> Rows:
    with runtime.factory() as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team = team_service.default_team(session, workspace_id=ws.id).id
    # rows made on demand by the admin's reads and writes (meetings are planned when listed)
    admin.get(f"/api/v1/meetings?team_id={team}")
    admin.post(
        f"/api/v1/announcements?team_id={team}",
        json={
            "group": "开发者社区",
            "text": "下周评审改期",
            "kind": "bulk",
            "send_at": "2026-06-05T10:00:00+08:00",
        },
    )
    admin.post(
        f"/api/v1/reports/packs?team_id={team}",
        json={"kind": "weekly", "period_start": "2026-05-25", "period_end": "2026-05-31"},
    )
    with runtime.factory() as session:
        pair = _first(session, OneOnOne.id, OneOnOne.team_id == team)
    admin.get(f"/api/v1/one-on-ones/{pair}?team_id={team}")  # plans its next meetings
    admin.get(f"/one-on-ones/{pair}?team={team}")
    with runtime.factory() as session:
        rotation = _first(session, Rotation.id, Rotation.team_id == team)
        cycle = _first(session, ReviewCycle.id, ReviewCycle.team_id == team)
        values = {
            "team_id": team,
            "rotation_id": rotation,
            "version_id": _first(
                session, RotationVersion.id, RotationVersion.rotation_id == rotation
            ),
            "override_id": 1,
            "swap_id": 1,
            "feed_id": 1,
            "feedback_item": _first(session, FeedbackItem.id, FeedbackItem.team_id == team),
            "action_item": _first(session, ActionItem.id, ActionItem.team_id == team),
            "okr_cycle": _first(session, Cycle.id, Cycle.team_id == team),
            "objective_id": _first(session, Objective.id, Objective.team_id == team),
            "key_result_id": _first(session, KeyResult.id, KeyResult.team_id == team),
            "alignment_id": 1,
            "occurrence_id": _first(
                session, MeetingOccurrence.id, MeetingOccurrence.team_id == team
            ),
            "pair_id": pair,
            "meeting_id": _first(session, OneOnOneMeeting.id, OneOnOneMeeting.pair_id == pair),
            "agenda_item": _first(session, AgendaItem.id, AgendaItem.pair_id == pair),
            "announcement_id": _first(session, Announcement.id, Announcement.team_id == team),
            "period": _first(session, AwardRound.period, AwardRound.team_id == team),
            "handle": "lisi",
            "other_member": team_service.get_member_by_handle(
                session, workspace_id=ws.id, handle="wangwu"
            ).id,  # type: ignore[union-attr]
            "member_id": team_service.get_member_by_handle(
                session, workspace_id=ws.id, handle="lisi"
            ).id,  # type: ignore[union-attr]
            "pack_id": _first(session, ReportPack.id, ReportPack.team_id == team),
            "name": "weekly",
            "review_cycle": cycle,
            "request_id": _first(session, ReviewRequest.id, ReviewRequest.cycle_id == cycle),
            "person_id": _first(
                session, ReviewSubject.reviewee_id, ReviewSubject.cycle_id == cycle
            ),
            "plan_id": _first(session, CareerPlan.id, CareerPlan.team_id == team),
            "code": _first(session, OrgMessage.code, OrgMessage.team_id == team),
            "channel_id": _first(session, Channel.id, Channel.team_id == team),
            "outbox_id": _first(session, OutboxMessage.id),
            "binding_id": 1,
        }
    return Rows(team, values)


def _path_value(path: str, name: str, rows: Rows) -> Any:
    """A row of 开发者社区 for path parameter ``name`` of ``path``."""
    v = rows.values
    if name == "item_id":
        if "/feedback/" in path:
            return v["feedback_item"]
        if "/actions/" in path:
            return v["action_item"]
        if "/agenda/" in path:
            return v["agenda_item"]
    if name == "cycle_id":
        return v["review_cycle"] if "/reviews/" in path else v["okr_cycle"]
    if name == "action":
        return "resolve"
    if name == "day":
        return "2026-06-09"
    if name in ("token", "token_id"):
        return "nope"
    assert name in v and v[name] is not None, f"{path}: no row of 开发者社区 for {{{name}}}"
    return v[name]


def _params(route: APIRoute) -> tuple[set[str], set[str], set[str]]:
    """The route's path, query and body field names, over its whole dependency tree."""
    path: set[str] = set()
    query: set[str] = set()
    body: set[str] = set()
    stack = [route.dependant]
    while stack:
        d = stack.pop()
        path |= {p.name for p in d.path_params}
        query |= {p.name for p in d.query_params}
        for p in d.body_params:
            fields = getattr(p.field_info.annotation, "model_fields", None)
            body |= set(fields) if fields else {p.name}
        stack.extend(d.dependencies)
    return path, query, body


def team_routes(app: Any) -> list[tuple[str, APIRoute]]:
    """(method, route) of every route that takes a team or a team's row."""
    load_all_routes(app)
    found: list[tuple[str, APIRoute]] = []
    for route in app.router.routes:
        if not isinstance(route, APIRoute):
            continue
        path, query, body = _params(route)
        rows = path - OWN_PARAMS
        if rows or {"team_id", "team"} & (query | body):
            found.extend((method, route) for method in sorted((route.methods or set()) - {"HEAD"}))
    return found


def _request(method: str, route: APIRoute, rows: Rows) -> tuple[str, dict[str, Any]]:
    path, query, _ = _params(route)
    url = route.path_format
    for name in path:
        url = url.replace("{" + name + "}", str(_path_value(route.path, name, rows)))
    page = not url.startswith("/api/")
    asked = {"team_id": rows.team} if "team_id" in query else {}
    if page and "team" in query:
        asked["team"] = rows.team
    kwargs: dict[str, Any] = {"params": asked, "follow_redirects": False}
    if page:
        kwargs["headers"] = BROWSER
    if method in WRITES:
        made = BODY_NAMES_THE_TEAM.get((method, route.path))
        kwargs["data" if page else "json"] = made(rows.values) if made else {}
    return url, kwargs


# Admin routes that name their team only in the body (a channel's team, the people merged):
# an admin of another team passes the admin gate, so the walk sends a real body and the
# handler's own check must refuse it.
BODY_NAMES_THE_TEAM = {
    ("POST", "/api/v1/channels"): lambda v: {
        "platform": "web",
        "address": "web:walk",
        "purpose": "public",
        "name": "外队建的群",
        "team_id": v["team_id"],
    },
    ("POST", "/api/v1/platform-chats/channels"): lambda v: {
        "platform": "qq",
        "address": "group:G-walk",
        "purpose": "team",
        "team_id": v["team_id"],
    },
    ("POST", "/api/v1/members/{member_id}/merge"): lambda v: {"source_id": v["other_member"]},
}


def _state(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    with runtime.factory() as session:
        return {
            name: sorted(map(tuple, session.execute(text(f"SELECT * FROM {name}")).all()), key=repr)
            for name in Base.metadata.tables
            if name not in SESSION_TABLES
        }


@pytest.fixture
def walk(sqlite_runtime: Runtime) -> Iterator[tuple[Runtime, dict[str, TestClient]]]:
    """The demo, 第二团队 (m2), a director of 开发者社区 in 管理层, and three signed-in clients.
    On SQLite: the gates ask the same queries on every backend, and a walk costs ~50 s."""
    demo_runtime = sqlite_runtime
    load_demo(demo_runtime)
    chat = ChatDriver(demo_runtime)
    chat.text("/问题反馈 一条反馈", as_="zhangsan")
    chat.text("/找组织 想聊聊排期", as_="zhangsan")
    with transaction(demo_runtime.factory) as session:
        second_team(session)
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        home = team_service.default_team(session, workspace_id=ws.id)
        board = team_service.create_team(
            session, workspace=ws, key="board", name="管理层", timezone="Asia/Shanghai"
        )
        director = team_service.create_member(
            session,
            workspace=ws,
            handle="zongjian",
            display_name="总监",
            team=board,
            role=Role.MEMBER,
        )
        session.flush()
        session.execute(update(Team).where(Team.id == home.id).values(director_id=director.id))
    app = create_app(demo_runtime, start_background=False)
    clients = {}
    with (
        TestClient(app) as admin,
        TestClient(app) as m2,
        TestClient(app) as boss2,
        TestClient(app) as zongjian,
    ):
        for handle, client in (
            ("admin", admin),
            ("m2", m2),
            ("boss2", boss2),
            ("zongjian", zongjian),
        ):
            sign_in(client, handle, give_account(demo_runtime, handle))
            clients[handle] = client
        yield demo_runtime, clients


def _refused(response: Any, page: bool) -> bool:
    if response.status_code not in (403, 404):
        return False
    if page:
        return bool(response.headers["content-type"].startswith("text/html"))
    return bool(set(response.json()) >= {"error", "message"})


def _as_outsider(response: Any) -> bool:
    """The response refuses the caller as someone outside 开发者社区."""
    if response.status_code != 403:
        return False
    if response.headers["content-type"].startswith("application/json"):
        return bool(response.json().get("error") == NOT_IN_TEAM)
    return NOT_IN_TEAM_TEXT in response.text


def test_every_team_route_refuses_another_teams_member(
    walk: tuple[Runtime, dict[str, TestClient]],
) -> None:
    runtime, clients = walk
    rows = _rows(runtime, clients["admin"])
    routes = [
        (method, route)
        for method, route in team_routes(clients["admin"].app)
        if (method, route.path) not in WORKSPACE_WIDE.keys() | NOT_A_TEAM
    ]
    assert len(routes) > 100  # the walk finds the routes (a broken finder walks nothing)
    requests = [(method, route, *_request(method, route, rows)) for method, route in routes]
    before = _state(runtime)
    let_in = []
    for outsider in ("m2", "boss2"):
        for method, route, url, kwargs in requests:
            response = clients[outsider].request(method, url, **kwargs)
            if not _refused(response, page=not url.startswith("/api/")):
                let_in.append(
                    (outsider, method, route.path, response.status_code, response.text[:200])
                )
    assert let_in == [], "\n".join(map(str, let_in))
    assert _state(runtime) == before
    refused_insiders = []
    # the director first: the admin's empty forms may change the team (an empty director field
    # on the org form clears its director)
    for handle in ("zongjian", "admin"):
        for method, route, url, kwargs in requests:
            if handle == "zongjian" and (method, route.path) in PEOPLE_ONLY:
                continue
            response = clients[handle].request(method, url, **kwargs)
            read_refused = (
                handle == "zongjian"
                and method == "GET"
                and response.status_code in (403, 404)
                and (method, route.path) not in DIRECTOR_MAY_NOT_READ
            )
            if response.status_code == 401 or _as_outsider(response) or read_refused:
                refused_insiders.append((handle, method, route.path, response.text[:200]))
    assert refused_insiders == [], "\n".join(map(str, refused_insiders))


def test_the_workspace_wide_list_names_real_routes(
    walk: tuple[Runtime, dict[str, TestClient]],
) -> None:
    _, clients = walk
    found = {(method, route.path) for method, route in team_routes(clients["admin"].app)}
    assert set(WORKSPACE_WIDE) - found == set()
    assert set(DIRECTOR_MAY_NOT_READ) - found == set()


def test_a_page_refusal_is_the_error_page_whatever_the_client_accepts(
    walk: tuple[Runtime, dict[str, TestClient]],
) -> None:
    """Tester s23 F12: ``curl`` (``Accept: */*``) on a refused page got the JSON body."""
    runtime, clients = walk
    with runtime.factory() as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        home = team_service.default_team(session, workspace_id=ws.id).id
    for path in (f"/duty?team={home}", f"/reviews/360?team={home}"):
        page = clients["m2"].get(path, headers={"Accept": "*/*"})
        assert page.status_code == 403, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert NOT_IN_TEAM_TEXT in page.text and "<h1>403</h1>" in page.text
        # a script that asks for JSON still gets the one error shape
        data = clients["m2"].get(path, headers={"Accept": "application/json"})
        assert data.status_code == 403 and data.json()["error"] == NOT_IN_TEAM


def _spelt(url: str, kwargs: dict[str, Any], rows: Rows) -> tuple[str, dict[str, Any]]:
    """The request with every id it names written as the routes also read it: ``+N`` in the
    path, `` N`` (a leading blank) in the query."""
    for value in {v for v in rows.values.values() if isinstance(v, int)} | {rows.team}:
        url = url.replace(f"/{value}/", f"/+{value}/")
        if url.endswith(f"/{value}"):
            url = f"{url[: -len(str(value))]}+{value}"
    params = {k: f" {v}" if isinstance(v, int) else v for k, v in kwargs["params"].items()}
    return url, {**kwargs, "params": params}


def test_an_id_written_another_way_is_refused_as_the_plain_one(
    walk: tuple[Runtime, dict[str, TestClient]],
) -> None:
    """Tester s28 D-1: the gates read an id as digits only and took ``+3``, ``%203`` or ``3%20``
    for "no id", which the route read as 3: another team's rotation, its covers, swaps,
    versions and calendar, and its fairness report, read by anyone. The walk again, each id
    written ``+N`` in the path and `` N`` in the query: refused as the plain id is, and
    nothing stored changes."""
    runtime, clients = walk
    rows = _rows(runtime, clients["admin"])
    routes = [
        (method, route)
        for method, route in team_routes(clients["admin"].app)
        if (method, route.path) not in WORKSPACE_WIDE.keys() | NOT_A_TEAM
    ]
    requests = [
        (method, route, *_spelt(*_request(method, route, rows), rows)) for method, route in routes
    ]
    assert sum("/+" in url for _, _, url, _ in requests) > 50, requests[:3]
    before = _state(runtime)
    let_in = []
    for outsider in ("m2", "boss2"):
        for method, _route, url, kwargs in requests:
            response = clients[outsider].request(method, url, **kwargs)
            if not _refused(response, page=not url.startswith("/api/")):
                let_in.append((outsider, method, url, response.status_code, response.text[:120]))
    assert let_in == [], "\n".join(map(str, let_in))
    assert _state(runtime) == before
