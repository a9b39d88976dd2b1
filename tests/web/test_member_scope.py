"""Issue 11 (sign-in): a member signed in by a one-time link sees what a member may see, and no
admin write succeeds for them. The walk covers every write route the app mounts: a new route
fails here until it is classified (member's own, or admin with an example request)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from teamassist.database import Base, transaction
from teamassist.feedback.models import FeedbackItem
from teamassist.http import routes, signin
from teamassist.http.routes import Declared
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.chat import ChatDriver
from tests.support.web import csrf_token, sign_in

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Rows a member's own refused request may still touch (their session).
SESSION_TABLES = {"web_session", "sign_in_link"}

# Writes any signed-in member may make for themselves (their session, their tokens, their own
# chat, their own calendar feeds, their own feedback). On-duty actions are refused below for a
# member who is not on duty.
MEMBER_OWN = {
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/auth/link/{token}"),
    ("POST", "/chat/send"),
    ("POST", "/api/v1/chat"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/{token_id}/revoke"),
    ("POST", "/api/v1/me/tokens"),
    ("DELETE", "/api/v1/me/tokens/{token_id}"),
    ("POST", "/api/v1/feedback/items"),
    ("POST", "/api/v1/duty/feeds"),
    ("DELETE", "/api/v1/duty/feeds/{feed_id}"),
    ("POST", "/duty/feeds"),
    ("POST", "/duty/feeds/{feed_id}/revoke"),
    # previewing a roster change saves nothing (members may look, as in the dashboard)
    ("POST", "/api/v1/duty/rotations/{rotation_id}/changes/preview"),
    ("POST", "/duty/editor/preview"),
    # 有事儿找组织: any member writes to their own team's director, as themselves
    ("POST", "/api/v1/org-inbox"),
    # report packs: one's own weekly entry, and marking a pack one may read as read
    ("PUT", "/api/v1/reports/entries/me"),
    ("POST", "/reports/entry"),
    ("POST", "/api/v1/reports/reading/read"),
    ("POST", "/reports/{pack_id}/read"),
    # 月度技术专家: any member nominates and casts their own one vote, as themselves
    ("POST", "/api/v1/awards/{period}/nominations"),
    ("PUT", "/api/v1/awards/{period}/votes/me"),
    # the same two from the /awards page's forms
    ("POST", "/awards/nominate"),
    ("POST", "/awards/vote"),
}

# OKR writes are scoped to the objective's owner (or an admin) by okr's own check
# (``require_edit``), which a plain member passes for their own objectives; the okr domain's
# tests walk those. The cycle's admin-only writes are walked here.
OWNER_SCOPED = {
    ("POST", "/api/v1/okr/alignments"),
    ("DELETE", "/api/v1/okr/alignments/{alignment_id}"),
    ("POST", "/api/v1/okr/objectives"),
    ("PATCH", "/api/v1/okr/objectives/{objective_id}"),
    ("DELETE", "/api/v1/okr/objectives/{objective_id}"),
    ("DELETE", "/api/v1/okr/key-results/{key_result_id}"),
    ("POST", "/api/v1/okr/objectives/{objective_id}/even-weights"),
    ("POST", "/api/v1/okr/objectives/{objective_id}/key-results"),
    ("PATCH", "/api/v1/okr/key-results/{key_result_id}"),
    ("POST", "/api/v1/okr/objectives/{objective_id}/publish"),
    ("POST", "/api/v1/okr/objectives/{objective_id}/score"),
    ("POST", "/api/v1/okr/key-results/{key_result_id}/check-ins"),
    ("POST", "/api/v1/okr/key-results/{key_result_id}/score"),
    # get-or-create of a calendar cycle by rule (2027Q1): any member may, as a member setting
    # an objective for a quarter needs it; whether it should be admin-only is okr's to decide
    ("POST", "/api/v1/okr/cycles"),
    # retrospectives: the owner fills and carries over (okr.retros checks it); acknowledging is
    # the director's, refused to others in tests/okr/test_retros.py
    ("PATCH", "/api/v1/okr/retros/{objective_id}"),
    ("POST", "/api/v1/okr/retros/carry-over"),
    ("POST", "/api/v1/okr/retros/{objective_id}/acknowledge"),
    # import creates drafts for leads and admins; the 403 for a member is in
    # tests/okr/test_sheet_import.py
    ("POST", "/api/v1/okr/cycles/{cycle_id}/import"),
}
# Action items: any member of the team may call these (the member gate refuses others before
# the body); who may change which item is the service's rule (owner finishes, requester checks
# or hands over), walked in tests/actions/test_api.py.
OWNER_SCOPED |= {
    ("POST", "/api/v1/actions"),
    ("POST", "/api/v1/actions/{item_id}/done"),
    ("POST", "/api/v1/actions/{item_id}/confirm"),
    ("POST", "/api/v1/actions/{item_id}/reopen"),
    ("POST", "/api/v1/actions/{item_id}/extend"),
    ("POST", "/api/v1/actions/{item_id}/reassign"),
}
# A relayed reply: only the message's recipient may send one (org_contact.service.answer),
# walked in tests/outreach/test_org_contact_api.py.
OWNER_SCOPED |= {("POST", "/api/v1/org-inbox/{code}/replies")}
# 1on1s: a pair's two people (and admins, the director for the schedule) may write; anyone
# else gets 404 as for a pair that does not exist (one_on_ones.service.get), and creating a
# pair is the director's or an admin's (PermissionDenied); walked in tests/one_on_ones/test_api.py.
OWNER_SCOPED |= {
    ("POST", "/api/v1/one-on-ones"),
    ("PATCH", "/api/v1/one-on-ones/{pair_id}"),
    ("POST", "/api/v1/one-on-ones/{pair_id}/agenda"),
    ("POST", "/api/v1/one-on-ones/{pair_id}/agenda/{item_id}/check"),
    ("POST", "/api/v1/one-on-ones/{pair_id}/agenda/{item_id}/action"),
    ("POST", "/api/v1/one-on-ones/{pair_id}/meetings/{meeting_id}/move"),
    ("POST", "/api/v1/one-on-ones/{pair_id}/meetings/{meeting_id}/cancel"),
    ("POST", "/one-on-ones/{pair_id}/agenda"),
    ("POST", "/one-on-ones/{pair_id}/agenda/{item_id}/check"),
    ("POST", "/one-on-ones/{pair_id}/meetings/{meeting_id}/move"),
    ("POST", "/one-on-ones/{pair_id}/meetings/{meeting_id}/cancel"),
}
# Building a pack: any member of the team may (reports.api.build checks the role).
OWNER_SCOPED |= {("POST", "/api/v1/reports/packs")}
# 360 reviews: starting, closing, releasing, approving and the settings are the director's or an
# admin's (reviews.service.require_manager); submitting, declining and nominating are the
# signed-in member's own request. The 403s for members are walked in tests/reviews/test_api.py.
OWNER_SCOPED |= {
    ("POST", "/api/v1/reviews/360"),
    ("POST", "/api/v1/reviews/360/{cycle_id}/requests"),
    ("POST", "/api/v1/reviews/360/{cycle_id}/requests/{request_id}/approve"),
    ("POST", "/api/v1/reviews/360/{cycle_id}/reviews/{person_id}"),
    ("POST", "/api/v1/reviews/360/{cycle_id}/reviews/{person_id}/decline"),
    ("POST", "/api/v1/reviews/360/{cycle_id}/close"),
    ("POST", "/api/v1/reviews/360/{cycle_id}/release/{person_id}"),
    ("PUT", "/api/v1/reviews/360/settings/team"),
    ("POST", "/reviews/360/{cycle_id}/close"),
    ("POST", "/reviews/360/{cycle_id}/release/{person_id}"),
    ("POST", "/reviews/360/{cycle_id}/answer/{person_id}"),
    ("POST", "/reviews/360/{cycle_id}/answer/{person_id}/decline"),
    # the page forms of adding / nominating a reviewer and approving (same service calls)
    ("POST", "/reviews/360/{cycle_id}/requests"),
    ("POST", "/reviews/360/{cycle_id}/requests/{request_id}/approve"),
}
# Career plans: starting is the team director's (or stand-in's), writing a plan its person's,
# the template the director's or an admin's (careers.service / careers.api check it); walked
# for the person, the director and another member in tests/careers/test_api.py.
OWNER_SCOPED |= {
    ("POST", "/api/v1/career-plans"),
    ("PUT", "/api/v1/career-plans/{plan_id}"),
    ("PUT", "/api/v1/career-plans/template"),
    ("DELETE", "/api/v1/career-plans/template"),
    ("POST", "/career-plans/{plan_id}"),
}
# The first-run form answers only while no workspace exists: refused to everyone after.
FIRST_RUN = ("POST", "/setup")

# Signing in and out for one's own duty: refused as a rule of the roster (400, "not on duty"),
# not as a missing role.
SELF_ON_DUTY = {
    ("POST", "/api/v1/duty/teams/{team_id}/sign-in"),
    ("POST", "/api/v1/duty/teams/{team_id}/sign-out"),
}
NOT_ON_DUTY = (400,)


Walked = APIRoute | Declared  # a built route, or one a Routes router declares


def _walk(router: APIRouter | str, prefix: str = "") -> Iterator[tuple[str, Walked]]:
    """Every route of ``router`` (or of the router a descriptor names), with its full path."""
    if isinstance(router, str):
        router = routes.load(router)
    for route in router.routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI keeps an included router as a wrapper
            yield from _walk(included, prefix + route.include_context.prefix)  # type: ignore[attr-defined]
        elif isinstance(route, APIRoute | Declared):
            yield prefix + route.path, route


def write_routes(runtime: Runtime) -> set[tuple[str, str]]:
    """Every (method, path) that writes, across the domains' API, pages and public routers."""
    found: set[tuple[str, str]] = set()
    for prefix, routers in (
        ("/api/v1", runtime.web.api),
        ("", [*runtime.web.pages, *runtime.web.public]),
    ):
        for router in routers:
            for path, route in _walk(router):
                for method in (route.methods or set()) & WRITES:
                    found.add((method, prefix + path))
    return found


def _ids(client: TestClient, runtime: Runtime) -> dict[str, Any]:
    with runtime.factory() as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team = team_service.default_team(session, workspace_id=ws.id)
        people = {m.handle: m.id for m in team_service.get_members(session, workspace_id=ws.id)}
        *_, other_item, item = session.scalars(select(FeedbackItem.id).order_by(FeedbackItem.id))
        outbox = session.scalars(select(OutboxMessage.id)).first()
        channels = team_service.channels(session, workspace_id=ws.id)
    rotations = client.get(f"/api/v1/duty/teams/{team.id}/rotations").json()
    tech = rotations[0]["id"]
    versions = client.get(f"/api/v1/duty/rotations/{tech}/versions").json()
    cycles = client.get("/api/v1/okr/cycles").json()
    meetings = client.get("/api/v1/meetings").json()  # plans the team's meetings
    # a bulk DM held for later: only its author or an admin may cancel it
    held = client.post(
        "/api/v1/announcements",
        json={
            "group": "开发者社区",
            "text": "下周评审改期",
            "kind": "bulk",
            "send_at": (runtime.clock() + timedelta(days=3)).isoformat(),
        },
    )
    assert held.status_code == 201, held.text
    return {
        "announcement_id": held.json()["id"],
        "team_id": team.id,
        "people": people,
        "item_id": item,
        "other_item_id": other_item,
        "outbox_id": outbox,
        "channel_id": channels[0].id,
        "rotation_id": tech,
        "version_id": versions[-1]["id"],
        "cycle_id": cycles[0]["id"],
        "occurrence_id": meetings[0]["id"],
    }


def admin_requests(ids: dict[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """For each admin (or on-duty) write: a concrete, valid request (URL, httpx kwargs)."""
    p, rot, item = ids["people"], ids["rotation_id"], ids["item_id"]
    return {
        ("POST", "/api/v1/outbox/{outbox_id}/retry"): (
            f"/api/v1/outbox/{ids['outbox_id']}/retry",
            {},
        ),
        ("POST", "/api/v1/auth/sign-in-links"): (
            "/api/v1/auth/sign-in-links",
            {"json": {"member_id": p["zhangsan"]}},
        ),
        ("POST", "/api/v1/teams/{team_id}/members"): (
            f"/api/v1/teams/{ids['team_id']}/members",
            {"json": {"handle": "newbie", "display_name": "新人"}},
        ),
        ("POST", "/api/v1/channels"): (
            "/api/v1/channels",
            {"json": {"platform": "web", "address": "web:new", "purpose": "public"}},
        ),
        ("PATCH", "/api/v1/teams/{team_id}/settings"): (
            f"/api/v1/teams/{ids['team_id']}/settings",
            {"json": {"timezone": "Europe/Berlin"}},
        ),
        ("PATCH", "/api/v1/channels/{channel_id}"): (
            f"/api/v1/channels/{ids['channel_id']}",
            {"json": {"name": "改名"}},
        ),
        ("POST", "/api/v1/feedback/items/{item_id}/acknowledge"): (
            f"/api/v1/feedback/items/{item}/acknowledge",
            {"json": {"note": "收到"}},
        ),
        ("POST", "/api/v1/feedback/items/{item_id}/resolve"): (
            f"/api/v1/feedback/items/{item}/resolve",
            {"json": {"note": "好了"}},
        ),
        ("POST", "/api/v1/feedback/items/{item_id}/wont-fix"): (
            f"/api/v1/feedback/items/{item}/wont-fix",
            {"json": {"note": "不修"}},
        ),
        ("POST", "/api/v1/feedback/items/{item_id}/duplicate"): (
            f"/api/v1/feedback/items/{item}/duplicate",
            {"json": {"original_id": ids["other_item_id"]}},
        ),
        ("POST", "/api/v1/feedback/items/{item_id}/reopen"): (
            f"/api/v1/feedback/items/{item}/reopen",
            {"json": {}},
        ),
        ("POST", "/api/v1/feedback/items/{item_id}/assign"): (
            f"/api/v1/feedback/items/{item}/assign",
            {"json": {"owner": "lihua"}},
        ),
        ("PATCH", "/api/v1/feedback/settings"): (
            "/api/v1/feedback/settings",
            {"json": {"renotify_minutes": 5}},
        ),
        ("POST", "/api/v1/duty/teams/{team_id}/rotations"): (
            f"/api/v1/duty/teams/{ids['team_id']}/rotations",
            {
                "json": {
                    "key": "ops",
                    "name": "运维",
                    "member_ids": [p["lisi"], p["wangwu"]],
                    "start_date": "2026-06-08",
                    "turn_days": 7,
                    "people_per_turn": 1,
                }
            },
        ),
        ("DELETE", "/api/v1/duty/rotations/{rotation_id}/versions/{version_id}"): (
            f"/api/v1/duty/rotations/{rot}/versions/{ids['version_id']}",
            {},
        ),
        ("POST", "/api/v1/duty/rotations/{rotation_id}/changes"): (
            f"/api/v1/duty/rotations/{rot}/changes",
            {"json": {"action": "add", "member_ids": [p["sunqi"]]}},
        ),
        ("POST", "/api/v1/duty/rotations/{rotation_id}/overrides"): (
            f"/api/v1/duty/rotations/{rot}/overrides",
            {
                "json": {
                    "start": "2026-06-05T03:00:00+08:00",
                    "end": "2026-06-06T03:00:00+08:00",
                    "member_id": None,
                    "reason": "团建",
                }
            },
        ),
        ("DELETE", "/api/v1/duty/rotations/{rotation_id}/overrides/{override_id}"): (
            f"/api/v1/duty/rotations/{rot}/overrides/1",
            {},
        ),
        # a swap by someone who is not one of the two people (they may swap their own)
        ("POST", "/api/v1/duty/rotations/{rotation_id}/swaps"): (
            f"/api/v1/duty/rotations/{rot}/swaps",
            {
                "json": {
                    "member_a_id": p["zhangsan"],
                    "date_a": "2026-06-01",
                    "member_b_id": p["lisi"],
                    "date_b": "2026-06-02",
                }
            },
        ),
        ("DELETE", "/api/v1/duty/rotations/{rotation_id}/swaps/{swap_id}"): (
            f"/api/v1/duty/rotations/{rot}/swaps/1",
            {},
        ),
        ("POST", "/api/v1/duty/rotations/{rotation_id}/exceptions"): (
            f"/api/v1/duty/rotations/{rot}/exceptions",
            {"json": {"day": "2026-06-09", "active": False, "note": "停电"}},
        ),
        ("DELETE", "/api/v1/duty/rotations/{rotation_id}/exceptions/{day}"): (
            f"/api/v1/duty/rotations/{rot}/exceptions/2026-06-09",
            {},
        ),
        # on duty only: the member walking here is not on duty today
        ("POST", "/api/v1/duty/teams/{team_id}/sign-in"): (
            f"/api/v1/duty/teams/{ids['team_id']}/sign-in",
            {},
        ),
        ("POST", "/api/v1/duty/teams/{team_id}/sign-out"): (
            f"/api/v1/duty/teams/{ids['team_id']}/sign-out",
            {"json": {"report": "平稳"}},
        ),
        ("POST", "/feedback/items/{item_id}/{action}"): (
            f"/feedback/items/{item}/resolve",
            {"data": {}},
        ),
        ("POST", "/feedback/settings"): (
            "/feedback/settings",
            {
                "data": {
                    "default_owner": "lisi",
                    "renotify_minutes": "20",
                    "escalate_minutes": "90",
                    "work_start": "09:30",
                    "work_end": "18:30",
                }
            },
        ),
        ("POST", "/duty/editor/save"): (
            "/duty/editor/save",
            {
                "data": {
                    "rotation_id": str(rot),
                    "action": "add",
                    "member_ids": [str(p["sunqi"])],
                    "effective_date": "2026-12-10",
                }
            },
        ),
        # the workspace, deleted only by an admin who types its name (a wrong one here: the
        # admin's request then stops at the confirmation, after the permission check)
        ("DELETE", "/api/v1/workspace"): ("/api/v1/workspace", {"json": {"confirm": "不是这个"}}),
        ("POST", "/workspace/delete"): ("/workspace/delete", {"data": {"confirm": "不是这个"}}),
        ("POST", "/api/v1/okr/cycles/{cycle_id}/close"): (
            f"/api/v1/okr/cycles/{ids['cycle_id']}/close",
            {"json": {}},
        ),
        ("POST", "/api/v1/okr/cycles/{cycle_id}/reopen"): (
            f"/api/v1/okr/cycles/{ids['cycle_id']}/reopen",
            {"json": {}},
        ),
        FIRST_RUN: (
            "/setup",
            {
                "data": {
                    "token": "x",
                    "form_key": "x",
                    "workspace": "新社区",
                    "team": "新团队",
                    "handle": "boss",
                    "password": "a-long-password",
                    "password_again": "a-long-password",
                }
            },
        ),
        ("POST", "/duty/editor/withdraw/{version_id}"): (
            f"/duty/editor/withdraw/{ids['version_id']}",
            {"data": {"rotation_id": str(rot)}},
        ),
        # a team's own report template: its director or admins (a text that renders, so the
        # admin gets 200); the editor page's preview, save and reset likewise
        ("PUT", "/api/v1/reports/templates/{name}"): (
            "/api/v1/reports/templates/weekly",
            {"json": {"body": "# 周报"}},
        ),
        ("DELETE", "/api/v1/reports/templates/{name}"): ("/api/v1/reports/templates/weekly", {}),
        ("POST", "/reports/templates/{name}"): (
            "/reports/templates/weekly",
            {"data": {"body": "# 周报"}},
        ),
        ("POST", "/reports/templates/{name}/preview"): (
            "/reports/templates/weekly/preview",
            {"data": {"body": "# 周报"}},
        ),
        ("POST", "/reports/templates/{name}/reset"): ("/reports/templates/weekly/reset", {}),
        # announcements: the group team's director or an admin (a group may be a team's name)
        ("POST", "/api/v1/announcements"): (
            "/api/v1/announcements",
            {"json": {"group": "开发者社区", "text": "周五评审取消"}},
        ),
        ("POST", "/api/v1/announcements/{announcement_id}/cancel"): (
            f"/api/v1/announcements/{ids['announcement_id']}/cancel",
            {},
        ),
        # 月度技术专家: the director or an admin opens a round and moves its phase; admins
        # change the settings (the demo's June round is open: opening again is a 409)
        ("POST", "/api/v1/awards"): ("/api/v1/awards", {}),
        ("POST", "/api/v1/awards/{period}/phase"): (
            "/api/v1/awards/2026-06/phase",
            {"json": {"phase": "voting"}},
        ),
        ("POST", "/awards/phase"): ("/awards/phase", {"data": {"phase": "voting"}}),
        ("PUT", "/api/v1/awards/settings"): (
            "/api/v1/awards/settings",
            {"json": {"repeat_cap": 2}},
        ),
        # 任职资格: admins replace the framework; the director or an admin sets a level and
        # records an assessment
        ("PUT", "/api/v1/qualifications/framework"): (
            "/api/v1/qualifications/framework",
            {"json": {"tracks": []}},
        ),
        ("PUT", "/api/v1/qualifications/people/{handle}/level"): (
            "/api/v1/qualifications/people/lisi/level",
            {"json": {"level": "P2"}},
        ),
        ("POST", "/api/v1/qualifications/people/{handle}/assessments"): (
            "/api/v1/qualifications/people/lisi/assessments",
            {"json": {"level": "P2", "outcome": "qualified", "effective_date": "2026-06-01"}},
        ),
        ("POST", "/qualifications/people/{member_id}/level"): (
            f"/qualifications/people/{p['lisi']}/level",
            {"data": {"level": "P2", "evidence": "带新人"}},
        ),
        ("POST", "/qualifications/people/{member_id}/assessments"): (
            f"/qualifications/people/{p['lisi']}/assessments",
            {"data": {"level": "P2", "outcome": "qualified", "effective_date": "2026-06-01"}},
        ),
        # meetings: admins, leads and the director move or cancel one (meetings.changes)
        ("POST", "/api/v1/meetings/{occurrence_id}/move"): (
            f"/api/v1/meetings/{ids['occurrence_id']}/move",
            {"json": {"start": "2026-06-20T09:00:00"}},
        ),
        ("POST", "/api/v1/meetings/{occurrence_id}/cancel"): (
            f"/api/v1/meetings/{ids['occurrence_id']}/cancel",
            {"json": {}},
        ),
        ("POST", "/meetings/{occurrence_id}/move"): (
            f"/meetings/{ids['occurrence_id']}/move",
            {"data": {"start": "2026-06-21T09:00"}},
        ),
        ("POST", "/meetings/{occurrence_id}/cancel"): (
            f"/meetings/{ids['occurrence_id']}/cancel",
            {"data": {}},
        ),
        # people and the organisation (team/api, team/pages)
        ("PATCH", "/api/v1/members/{member_id}"): (
            f"/api/v1/members/{p['lisi']}",
            {"json": {"display_name": "李小四", "manager_id": p["lihua"]}},
        ),
        ("DELETE", "/api/v1/members/{member_id}"): (f"/api/v1/members/{p['zhaoliu']}", {}),
        ("POST", "/api/v1/members/{member_id}/merge"): (
            f"/api/v1/members/{p['lisi']}/merge",
            {"json": {"source_id": p["zhaoliu"]}},
        ),
        ("POST", "/api/v1/teams"): (
            "/api/v1/teams",
            {"json": {"key": "front", "name": "前端组", "parent_id": ids["team_id"]}},
        ),
        ("PATCH", "/api/v1/teams/{team_id}"): (
            f"/api/v1/teams/{ids['team_id']}",
            {"json": {"leader_id": p["lihua"]}},
        ),
        ("POST", "/team/members"): (
            "/team/members",
            {"data": {"handle": "newbie2", "display_name": "新人二", "role": "member"}},
        ),
        ("POST", "/team/members/{member_id}"): (
            f"/team/members/{p['lisi']}",
            {"data": {"handle": "lisi", "display_name": "李四", "role": "member"}},
        ),
        ("POST", "/team/members/{member_id}/deactivate"): (
            f"/team/members/{p['lihua']}/deactivate",
            {"data": {"from_date": "2026-06-10"}},
        ),
        ("POST", "/team/members/{member_id}/reactivate"): (
            f"/team/members/{p['lihua']}/reactivate",
            {"data": {}},
        ),
        ("POST", "/team/merge"): (
            "/team/merge",
            {"data": {"into_id": str(p["lisi"]), "source_id": str(p["sunqi"])}},
        ),
        ("POST", "/team/org/teams"): (
            "/team/org/teams",
            {"data": {"key": "back", "name": "后端组", "parent_id": str(ids["team_id"])}},
        ),
        ("POST", "/team/org/teams/{team_id}"): (
            f"/team/org/teams/{ids['team_id']}",
            {"data": {"parent_id": "", "leader_id": str(p["lihua"]), "director_id": ""}},
        ),
        ("POST", "/team/org/members/{member_id}"): (
            f"/team/org/members/{p['zhangsan']}",
            {"data": {"manager_id": str(p["lihua"]), "core": "1"}},
        ),
        # platform bindings (the demo binds none: an admin's unbind is a 404)
        ("POST", "/api/v1/bindings/codes"): ("/api/v1/bindings/codes", {"json": {}}),
        ("DELETE", "/api/v1/bindings/{binding_id}"): ("/api/v1/bindings/1", {}),
        ("POST", "/api/v1/platform-chats/channels"): (
            "/api/v1/platform-chats/channels",
            {"json": {"platform": "qq", "address": "group:G-1", "purpose": "team"}},
        ),
        ("POST", "/bindings/codes"): ("/bindings/codes", {"data": {"platform": "qq"}}),
        ("POST", "/bindings/{binding_id}/unbind"): ("/bindings/1/unbind", {"data": {}}),
        ("POST", "/bindings/channels"): (
            "/bindings/channels",
            {"data": {"platform": "qq", "address": "group:G-1", "purpose": "team"}},
        ),
    }


def _state(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the member's own session rows."""
    with runtime.factory() as session:
        return {
            name: sorted(map(tuple, session.execute(text(f"SELECT * FROM {name}")).all()), key=repr)
            for name in Base.metadata.tables
            if name not in SESSION_TABLES
        }


def member_client(runtime: Runtime, handle: str) -> TestClient:
    """A browser signed in as ``handle`` through a one-time link."""
    with transaction(runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle=handle)
        assert member is not None
        link = signin.issue(session, member=member, now=runtime.clock(), public_url="http://t")
    client = TestClient(create_app(runtime, start_background=False))
    path = link.url.removeprefix("http://t")
    form = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert form
    assert client.post(path, data={"csrf_token": form.group(1)}, follow_redirects=False).is_redirect
    client.headers["X-CSRF-Token"] = csrf_token(client)
    return client


@pytest.fixture
def demo(sqlite_runtime: Runtime) -> Runtime:
    load_demo(sqlite_runtime)
    chat = ChatDriver(sqlite_runtime)
    chat.text("/问题反馈 一条反馈", as_="zhangsan")
    chat.text("/问题反馈 另一条反馈", as_="zhangsan")
    return sqlite_runtime


def test_every_admin_write_is_refused_to_a_member(demo: Runtime) -> None:
    admin = TestClient(create_app(demo, start_background=False))
    sign_in(admin)
    ids = _ids(admin, demo)
    requests = admin_requests(ids)
    routes = write_routes(demo)
    unclassified = routes - MEMBER_OWN - OWNER_SCOPED - set(requests)
    assert unclassified == set(), "classify new write routes here"
    # wangwu: a plain member, not on duty on the test's day
    member = member_client(demo, "wangwu")
    before = _state(demo)
    for key, (url, kwargs) in sorted(requests.items()):
        method = key[0]
        response = member.request(method, url, follow_redirects=False, **kwargs)
        refusals = (
            NOT_ON_DUTY
            if key in SELF_ON_DUTY
            else (403, 404, 409)
            if key == FIRST_RUN
            else (403, 404)
        )
        assert response.status_code in refusals, (key, response.status_code, response.text)
        if "json" in kwargs or url.startswith("/api/"):
            assert set(response.json()) >= {"error", "message"}, key
    assert _state(demo) == before
    # the same requests are real ones: an admin gets past validation and permission
    for key, (url, kwargs) in sorted(requests.items()):
        if key == FIRST_RUN:
            continue  # refused to everyone once a workspace exists
        response = admin.request(key[0], url, follow_redirects=False, **kwargs)
        assert response.status_code not in (401, 403, 422), (key, response.text)


def test_a_member_sees_their_team_and_no_admin_pages(demo: Runtime) -> None:
    member = member_client(demo, "wangwu")
    overview = member.get("/")
    assert overview.status_code == 200 and "王五" in overview.text
    teams = member.get("/api/v1/teams").json()
    roster = member.get(f"/api/v1/teams/{teams[0]['id']}/members").json()
    assert "wangwu" in {m["handle"] for m in roster}
    assert member.get("/feedback").status_code == 200  # the public board
    refused = member.get("/outbox", headers={"Accept": "text/html"})
    assert refused.status_code == 403 and "<table" not in refused.text
    assert member.get("/feedback/settings", headers={"Accept": "text/html"}).status_code == 403


def test_a_member_never_sees_another_workspace(demo: Runtime) -> None:
    with transaction(demo.factory) as session:
        other = team_service.create_workspace(session, key="other", name="另一个社区")
        team = team_service.create_team(
            session, workspace=other, key="t", name="别队", timezone="Asia/Shanghai"
        )
        team_service.create_member(
            session, workspace=other, handle="stranger", display_name="陌生人", team=team
        )
        session.flush()
        other_team = team.id
    member = member_client(demo, "wangwu")
    assert other_team not in {t["id"] for t in member.get("/api/v1/teams").json()}
    for url in (
        f"/api/v1/teams/{other_team}/members",
        f"/api/v1/duty/teams/{other_team}/rotations",
        f"/duty?team={other_team}",
    ):
        assert member.get(url).status_code == 404, url


def test_401_and_403_say_it_in_chinese_then_english(demo: Runtime) -> None:
    anonymous = TestClient(create_app(demo, start_background=False))
    unauthorised = anonymous.get("/api/v1/me").json()
    assert unauthorised["error"] == "core.http.401"
    assert unauthorised["message"].startswith("请先登录控制台")
    assert "Sign in to the dashboard" in unauthorised["message"]
    member = member_client(demo, "wangwu")
    forbidden = member.get("/api/v1/outbox").json()
    assert forbidden == {
        "error": "core.error.forbidden",
        "message": "需要有权限的人才能这样做：这里只有管理员可以操作。Only an admin can do this.",
    }
    page = member.get("/outbox", headers={"Accept": "text/html"})
    assert page.status_code == 403 and "Only an admin can do this." in page.text
