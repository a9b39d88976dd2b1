"""Demo mode signs in a visitor who reads a page, never a form posted without a session
(tester s25 F-23: a cross-site POST with no cookie was signed in as the demo admin after the
CSRF check had let it through, and carried out)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.clock import FrozenClock
from teamassist.feedback.models import FeedbackItem
from teamassist.runtime import Runtime
from teamassist.team.token_models import PersonalToken
from teamassist.web.app import create_app
from tests.conftest import load_demo, make_runtime


@pytest.fixture
def demo(sqlite_url: str, clock: FrozenClock) -> Iterator[Runtime]:
    runtime = make_runtime(sqlite_url, clock, web={"demo_mode": True})
    load_demo(runtime)
    yield runtime
    runtime.close()


def _count(runtime: Runtime, entity: type[object]) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(entity)) or 0


@pytest.mark.parametrize("origin", ["https://evil.example", None])
def test_a_form_posted_without_a_session_is_not_signed_in(
    demo: Runtime, origin: str | None
) -> None:
    items, tokens = _count(demo, FeedbackItem), _count(demo, PersonalToken)
    headers = {"origin": origin} if origin else {}
    with TestClient(create_app(demo, start_background=False)) as client:
        chat = client.post(
            "/chat/send", data={"text": "/问题反馈 跨站"}, headers=headers, follow_redirects=False
        )
        token = client.post(
            "/account/tokens", data={"name": "evil"}, headers=headers, follow_redirects=False
        )
    assert (chat.status_code, chat.headers.get("location")) == (303, "/login")
    assert (token.status_code, token.headers.get("location")) == (303, "/login")
    assert (_count(demo, FeedbackItem), _count(demo, PersonalToken)) == (items, tokens)


def test_a_visitor_who_reads_a_page_is_signed_in_and_may_post(demo: Runtime) -> None:
    items = _count(demo, FeedbackItem)
    with TestClient(create_app(demo, start_background=False)) as client:
        page = client.get("/chat")
        assert page.status_code == 200
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        sent = client.post(
            "/chat/send", data={"text": "/问题反馈 演示里的反馈", "csrf_token": csrf}
        )
    assert sent.status_code == 200, sent.text
    assert _count(demo, FeedbackItem) == items + 1
