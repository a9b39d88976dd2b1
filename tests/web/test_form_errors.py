"""A dashboard form refused for its input goes back to its page with the catalogue's reason, and
nothing changes (web/form_errors.py); REST clients and /api/ keep the JSON shape. One test per
kind of refusal: a field the route's types refuse (missing, too long), a domain error (422,
403, 404, 409), a body over ``web.max_form_bytes`` (413). Storage is not the subject: SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from teamassist.awards.models import AwardRound
from teamassist.careers.models import CareerPlan
from teamassist.i18n import t
from teamassist.reports import templates_store
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from tests.conftest import load_demo
from tests.okr.support import demo, set_clock
from tests.one_on_ones.support import make_director, meetings, pair_id
from tests.outreach.support import ids
from tests.support.web import BROWSER, signed_in


@pytest.fixture
def clients(sqlite_runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    """The demo on Sunday 2026-09-20 09:00 Beijing, 李华 directing; 李华 and 张三 signed in."""
    load_demo(sqlite_runtime)
    make_director(sqlite_runtime)
    set_clock(sqlite_runtime, "2026-09-20 09:00")
    with signed_in(sqlite_runtime, "lihua", "zhangsan") as made:
        # the pair's occurrences are planned when its page is first shown
        assert made["lihua"].get(f"/one-on-ones/{pair_id(sqlite_runtime)}").status_code == 200
        yield made


def _flash(client: TestClient, sent: Any) -> str:
    """The page the refused form was sent back to, followed, and its alert line."""
    assert sent.status_code == 303, sent.text
    page = client.get(sent.headers["location"], headers=BROWSER)
    assert page.status_code == 200, page.text
    assert page.text.count('data-testid="flash"') == 1
    return page.text.split('data-testid="flash"')[1].split("</p>")[0]


def _next_meeting(runtime: Runtime, pair: int) -> tuple[int, str]:
    [first, *_] = [m for m in meetings(runtime, pair) if m.status == "scheduled"]
    return first.id, first.start_at.isoformat()


def test_a_missing_field_goes_back_to_the_page_that_sent_it(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    # given 李华 on the pair page with 张三
    pair = pair_id(sqlite_runtime)
    meeting, before = _next_meeting(sqlite_runtime, pair)
    page = f"http://testserver/one-on-ones/{pair}?team=1&saved=1"
    # when the move form arrives without its time
    sent = clients["lihua"].post(
        f"/one-on-ones/{pair}/meetings/{meeting}/move?team=1",
        data={"note": "出差"},
        headers={**BROWSER, "Referer": page},
        follow_redirects=False,
    )
    # then the browser is back on the pair page (not told "saved"), which names the field
    assert sent.headers["location"] == f"/one-on-ones/{pair}?team=1"
    shown = _flash(clients["lihua"], sent)
    assert 'data-status="422"' in shown
    assert t("web.form.missing", field=t("web.form.field.start")) in shown
    assert _next_meeting(sqlite_runtime, pair) == (meeting, before)  # nothing moved


def test_an_impossible_date_is_refused_with_the_domain_text_and_nothing_moves(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    pair = pair_id(sqlite_runtime)
    meeting, before = _next_meeting(sqlite_runtime, pair)
    # when 李华 moves the next 1on1 to 30 February, without a Referer
    sent = clients["lihua"].post(
        f"/one-on-ones/{pair}/meetings/{meeting}/move?team=1",
        data={"start": "2026-02-30T10:00"},
        headers=BROWSER,
        follow_redirects=False,
    )
    # then the nearest page above the form's URL shows the catalogue's reason
    assert sent.headers["location"] == f"/one-on-ones/{pair}?team=1"
    shown = _flash(clients["lihua"], sent)
    assert t("one_on_ones.error.bad_when", value="2026-02-30T10:00") in shown
    assert _next_meeting(sqlite_runtime, pair) == (meeting, before)


def test_permission_not_found_and_conflict_go_back_with_their_reasons(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(sqlite_runtime)
    lihua, zhangsan = clients["lihua"], clients["zhangsan"]
    page = {**BROWSER, "Referer": "http://testserver/qualifications?team=1"}
    # a member sets a level: 403, back to the page with the reason
    sent = zhangsan.post(
        f"/qualifications/people/{people['zhangsan']}/level?team=1",
        data={"level": "P9", "evidence": "自评"},
        headers=page,
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/qualifications?team=1"
    assert 'data-status="403"' in _flash(zhangsan, sent)
    # the director names nobody the team has: 404
    sent = lihua.post(
        "/qualifications/people/999999/level?team=1",
        data={"level": "P3", "evidence": "x"},
        headers=page,
        follow_redirects=False,
    )
    shown = _flash(lihua, sent)
    assert 'data-status="404"' in shown and "#999999" in shown
    # the director closes a round when none is open: 409
    with demo(sqlite_runtime) as given:
        given.session.execute(delete(AwardRound))
    sent = lihua.post(
        "/awards/phase?team=1",
        data={"phase": "closed"},
        headers={**BROWSER, "Referer": "http://testserver/awards?team=1&done=voted"},
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/awards?team=1"
    shown = _flash(lihua, sent)
    assert 'data-status="409"' in shown and t("awards.error.no_round") in shown
    # and nothing of it reached the level REST reports
    assert zhangsan.get("/api/v1/qualifications/people/zhangsan").json()["level"] != "P9"


def test_an_oversized_template_and_an_oversized_body_go_back_to_the_editor(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    lihua = clients["lihua"]
    editor = {**BROWSER, "Referer": "http://testserver/reports/templates/weekly?team=1"}
    limit = templates_store.MAX_TEMPLATE
    # a text far over the template limit: the field's limit, with the length
    sent = lihua.post(
        "/reports/templates/weekly?team=1",
        data={"body": "周" * (limit + 5000)},
        headers=editor,
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/reports/templates/weekly?team=1"
    shown = _flash(lihua, sent)
    assert 'data-status="422"' in shown
    assert (
        t("web.form.too_long", field=t("web.form.field.body"), length=limit + 5000, limit=limit)
        in shown
    )
    # a body over web.max_form_bytes (1 MiB) is refused before it is read: 413
    sent = lihua.post(
        "/reports/templates/weekly?team=1",
        data={"body": "x" * 1_100_000},
        headers=editor,
        follow_redirects=False,
    )
    assert sent.status_code == 303
    shown = _flash(lihua, sent)
    assert 'data-status="413"' in shown and t("web.form.too_large", limit="1") in shown
    # nothing was stored
    with demo(sqlite_runtime) as given:
        assert templates_store.stored(given.session, team=given.team, name="weekly") is None


def test_the_flash_is_shown_once(sqlite_runtime: Runtime, clients: dict[str, TestClient]) -> None:
    pair = pair_id(sqlite_runtime)
    meeting, _ = _next_meeting(sqlite_runtime, pair)
    lihua = clients["lihua"]
    sent = lihua.post(
        f"/one-on-ones/{pair}/meetings/{meeting}/move?team=1",
        data={"start": "下下周"},
        headers=BROWSER,
        follow_redirects=False,
    )
    _flash(lihua, sent)
    again = lihua.get(sent.headers["location"], headers=BROWSER)
    assert 'data-testid="flash"' not in again.text


def test_scripts_and_the_api_keep_the_json_shape(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    pair = pair_id(sqlite_runtime)
    meeting, before = _next_meeting(sqlite_runtime, pair)
    lihua = clients["lihua"]
    move = f"/one-on-ones/{pair}/meetings/{meeting}/move?team=1"
    # a script posting the page's form (no text/html in Accept): JSON, with details
    missing = lihua.post(move, data={}, headers={"Accept": "application/json"})
    assert missing.status_code == 422
    assert missing.json()["error"] == "core.error.invalid_request"
    assert missing.json()["details"][0]["loc"] == ["body", "start"]
    bad = lihua.post(move, data={"start": "2026-02-30T10:00"})
    assert (bad.status_code, bad.json()["error"]) == (422, "one_on_ones.error.bad_when")
    # an /api/ route asked by a browser-like client: still JSON
    api = lihua.post(
        f"/api/v1/one-on-ones/{pair}/meetings/{meeting}/move",
        json={"start": "2026-02-30T10:00"},
        headers=BROWSER,
    )
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/json")
    # an oversized form body sent by a script: 413 in the JSON shape
    big = lihua.post(
        "/reports/templates/weekly?team=1",
        data={"body": "x" * 1_100_000},
        headers={"Accept": "application/json"},
    )
    assert (big.status_code, big.json()["error"]) == (413, "web.form.too_large")
    # an HTMX request keeps its answer too (htmx-errors.js shows it in place)
    htmx = lihua.post(move, data={"start": "x"}, headers={**BROWSER, "HX-Request": "true"})
    assert htmx.status_code == 422
    assert _next_meeting(sqlite_runtime, pair) == (meeting, before)


def test_a_refused_csrf_check_keeps_its_page(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    pair = pair_id(sqlite_runtime)
    lihua = clients["lihua"]
    lihua.headers.pop("X-CSRF-Token")
    sent = lihua.post(
        f"/one-on-ones/{pair}/agenda?team=1",
        data={"text": "伪造"},
        headers=BROWSER,
        follow_redirects=False,
    )
    assert sent.status_code == 403 and t("core.error.csrf") in sent.text


def test_a_date_alone_keeps_the_time_and_an_impossible_offset_is_refused(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    # given 李华's next 1on1 with 张三 (found by the tester: a date alone moved it to midnight,
    # and an offset the input never sends was cut off and ignored)
    pair = pair_id(sqlite_runtime)
    meeting, before = _next_meeting(sqlite_runtime, pair)
    move = f"/one-on-ones/{pair}/meetings/{meeting}/move?team=1"
    # when the form sends 2026-11-20T10:00+99:00: refused, nothing moved
    sent = clients["lihua"].post(
        move, data={"start": "2026-11-20T10:00+99:00"}, headers=BROWSER, follow_redirects=False
    )
    shown = _flash(clients["lihua"], sent)
    assert t("one_on_ones.error.bad_when", value="2026-11-20T10:00+99:00") in shown
    assert _next_meeting(sqlite_runtime, pair) == (meeting, before)
    # when it sends Friday 2026-11-20 alone: moved there at its own time of day
    sent = clients["lihua"].post(
        move, data={"start": "2026-11-20"}, headers=BROWSER, follow_redirects=False
    )
    assert sent.status_code == 303
    moved = next(m for m in meetings(sqlite_runtime, pair) if m.id == meeting)
    assert moved.start_at.date().isoformat() == "2026-11-20"
    assert moved.start_at.time().isoformat() == before[11:19]


def test_a_career_plan_field_too_long_is_named_as_people_read_it(
    sqlite_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    # given 张三's own career plan (the tester saw 「direction」太长了: the form's raw name)
    with sqlite_runtime.factory() as session:
        plan = session.scalar(
            select(CareerPlan.id)
            .join(Member, Member.id == CareerPlan.member_id)
            .where(Member.handle == "zhangsan")
            .limit(1)
        )
    assert plan is not None
    # when the direction is one character over the limit
    sent = clients["zhangsan"].post(
        f"/career-plans/{plan}?team=1",
        data={"direction": "方" * 4001},
        headers=BROWSER,
        follow_redirects=False,
    )
    # then the page names it 发展方向, with the length and the limit
    shown = _flash(clients["zhangsan"], sent)
    assert t("web.form.too_long", field="发展方向", length=4001, limit=4000) in shown
