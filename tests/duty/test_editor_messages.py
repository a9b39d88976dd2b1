"""The dashboard says what the server said: every HTMX form shows a refusal (one handler in the
base layout), and the rotation editor's version list speaks the catalogue's words."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.duty import service
from teamassist.duty.pages.editor import change_label
from teamassist.duty.planning import RosterChange
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.duty.helpers import demo_team
from tests.support.web import sign_in


@pytest.fixture
def admin(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client)
        yield client


@pytest.mark.parametrize("path", ["/duty/editor", "/feedback", "/chat"])
def test_every_page_with_htmx_forms_carries_the_refusal_handler(
    admin: TestClient, path: str
) -> None:
    page = admin.get(path)
    assert page.status_code == 200, page.text
    assert '<script src="/static/htmx-errors.js"></script>' in page.text
    alert = re.search(r'<p id="request-error"[^>]*>', page.text)
    assert alert is not None and 'role="alert"' in alert.group(0) and "hidden" in alert.group(0)
    assert 'data-generic="操作没有成功。"' in alert.group(0)


def test_the_handler_swaps_fragments_and_shows_json_messages(admin: TestClient) -> None:
    script = admin.get("/static/htmx-errors.js")
    assert script.status_code == 200
    for needle in ("htmx:beforeSwap", "shouldSwap = true", "body.message", "htmx:sendError"):
        assert needle in script.text
    # the editor no longer needs its own per-form copy of the rule
    assert "hx-on::before-swap" not in admin.get("/duty/editor").text


def test_a_refusal_outside_the_editor_form_is_json_with_a_message(admin: TestClient) -> None:
    """What the handler shows for a refusal that is not a fragment (here: an unknown team)."""
    refused = admin.post("/duty/editor/preview", params={"team": 99999}, data={"action": "add"})
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/json")
    assert refused.json()["message"]


def test_the_version_list_shows_catalogue_labels(
    admin: TestClient, sqlite_runtime: Runtime
) -> None:
    team, people = demo_team(sqlite_runtime)
    with transaction(sqlite_runtime.factory) as session:
        rotation = service.get_rotation(session, team=team, name="tech")
        for action, who in (("add", "zhaoliu"), ("swap", "lisi")):
            ids = (people[who].id,) if action == "add" else (people["lisi"].id, people["wangwu"].id)
            service.change_roster(
                session,
                team=team,
                rotation=rotation,
                change=RosterChange(action=action, member_ids=ids),
                now=sqlite_runtime.clock(),
                by=None,
            )
    page = admin.get("/duty/editor")
    history = re.search(r'<ul class="history muted">(.*?)</ul>', page.text, re.S)
    assert history is not None
    items = history.group(1)
    assert "创建轮值" in items and "加入成员" in items and "两人互换位置" in items
    for raw in ("create", "add", "swap"):
        assert f"· {raw}<" not in items and f"· {raw} " not in items


@pytest.mark.parametrize(
    ("change", "label"),
    [
        ("create", "创建轮值"),
        ("add", "加入成员"),
        ("remove", "移出成员"),
        ("swap", "两人互换位置"),
        ("replan", "重新排班"),
        ("params", "修改参数"),
        ("imported-later", "imported-later"),  # unknown: shown as stored, the page still renders
    ],
)
def test_change_labels(change: str, label: str) -> None:
    assert change_label(change) == label


def test_sign_in_history_says_which_way_a_range_is_wrong(admin: TestClient) -> None:
    # a page's refusal is its HTML error page unless JSON is asked for (24db9a9)
    page = admin.get("/duty/sign-ins", params={"first": "2026-06-05", "last": "2026-06-01"})
    assert page.status_code == 400 and "2026-06-05 晚于结束 2026-06-01" in page.text
    admin.headers["Accept"] = "application/json"
    backwards = admin.get("/duty/sign-ins", params={"first": "2026-06-05", "last": "2026-06-01"})
    assert backwards.status_code == 400
    assert backwards.json()["error"] == "duty.error.date_range_backwards"
    assert "2026-06-05 晚于结束 2026-06-01" in backwards.json()["message"]
    too_long = admin.get("/duty/sign-ins", params={"first": "2024-01-01", "last": "2026-06-01"})
    assert too_long.status_code == 400
    assert too_long.json() == {
        "error": "duty.error.date_range_too_long",
        "message": "日期范围最多 400 天。",
    }
