"""Issue 11 (sign-in): personal API tokens act as their member, within the member's workspace
and role; they are stored hashed, listed without the secret, and die when revoked."""

from __future__ import annotations

import hashlib
import json
import re

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from teamassist.database import transaction
from teamassist.i18n import t
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.token_models import PersonalToken
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in


def test_member_token_acts_as_the_member_and_is_revocable(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    password = give_account(sqlite_runtime, "lisi")
    app = create_app(sqlite_runtime, start_background=False)
    with TestClient(app) as browser:
        sign_in(browser, "lisi", password)
        made = browser.post("/api/v1/me/tokens", json={"name": "laptop"})
        assert made.status_code == 201, made.text
        raw = made.json()["token"]
        assert raw.startswith("tap_") and made.json()["prefix"] == raw[:10]
        listed = browser.get("/api/v1/me/tokens").json()
        assert [t["name"] for t in listed] == ["laptop"] and "token" not in listed[0]
        with sqlite_runtime.factory() as session:
            row = session.scalars(select(PersonalToken)).one()
            assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
        with TestClient(app) as script:
            bearer = {"Authorization": f"Bearer {raw}"}
            me = script.get("/api/v1/me", headers=bearer).json()
            assert me["handle"] == "lisi" and me["owner"] is False
            # the member's role, not more: the outbox is for admins
            refused = script.get("/api/v1/outbox", headers=bearer)
            assert refused.status_code == 403
            assert refused.json()["error"] == "core.error.forbidden"
            assert script.get("/api/v1/teams", headers=bearer).status_code == 200
            # a token makes no more tokens: a leaked one would outlive its own revocation
            # (tester s27 A-8); that takes a dashboard session
            minted = script.post("/api/v1/me/tokens", headers=bearer, json={"name": "x"})
            assert minted.status_code == 403, minted.text
            assert minted.json()["error"] == "signin.error.token_needs_session"
            assert "token" not in minted.json()
            assert [t["name"] for t in browser.get("/api/v1/me/tokens").json()] == ["laptop"]
            assert browser.delete(f"/api/v1/me/tokens/{made.json()['id']}").status_code == 204
            gone = script.get("/api/v1/me", headers=bearer)
            assert gone.status_code == 401
            assert (
                script.get("/api/v1/me", headers={"Authorization": "Bearer tap_x"}).status_code
                == 401
            )


def test_a_token_of_another_member_cannot_be_revoked(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    lisi, wangwu = give_account(sqlite_runtime, "lisi"), give_account(sqlite_runtime, "wangwu")
    app = create_app(sqlite_runtime, start_background=False)
    with TestClient(app) as one, TestClient(app) as other:
        sign_in(one, "lisi", lisi)
        sign_in(other, "wangwu", wangwu)
        token_id = one.post("/api/v1/me/tokens", json={"name": "ci"}).json()["id"]
        refused = other.delete(f"/api/v1/me/tokens/{token_id}")
        assert refused.status_code == 404
        assert refused.json()["error"] == "signin.error.unknown_token"
        assert [t["id"] for t in one.get("/api/v1/me/tokens").json()] == [token_id]


def test_dashboard_creates_shows_once_and_revokes(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    password = give_account(sqlite_runtime, "zhangsan")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as browser:
        sign_in(browser, "zhangsan", password)
        page = browser.post("/account/tokens", data={"name": "手机"})
        shown = re.search(r'data-testid="new-token">(tap_[^<]+)<', page.text)
        assert page.status_code == 200 and shown
        again = browser.get("/account").text
        assert "手机" in again and shown.group(1) not in again
        with sqlite_runtime.factory() as session:
            token_id = session.scalars(select(PersonalToken.id)).one()
        done = browser.post(f"/account/tokens/{token_id}/revoke", follow_redirects=False)
        assert done.status_code == 303
        assert "手机" not in browser.get("/account").text


def test_a_deactivated_members_token_stops_working(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    password = give_account(sqlite_runtime, "lisi")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as browser:
        sign_in(browser, "lisi", password)
        raw = browser.post("/api/v1/me/tokens", json={"name": "x"}).json()["token"]
        with transaction(sqlite_runtime.factory) as session:
            ws = team_service.get_workspace_by_key(session, key="demo")
            assert ws is not None
            member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle="lisi")
            assert member is not None
            member.active = False
        response = browser.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 401


def test_the_global_token_acts_for_the_first_workspace(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    sqlite_runtime.settings.web.api_token = SecretStr("global-token-123")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as script:
        me = script.get("/api/v1/me", headers={"Authorization": "Bearer global-token-123"})
        assert me.status_code == 200 and me.json()["workspace_key"] == "demo"
        wrong = script.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401


def test_a_token_asking_for_a_sign_in_link_never_gets_it_in_the_answer(
    sqlite_runtime: Runtime,
) -> None:
    """``/登录`` through ``POST /api/v1/chat`` with a personal token used to answer the link
    itself: open it, confirm, and the token had a 14-day dashboard session, and from it new
    tokens that outlive its revocation (tester s28 D-3, past 60b3b00's rule). The link now goes
    to the member privately, as for anyone speaking for them; a signed-in browser's web chat
    still shows it (the person at the screen is the member)."""
    load_demo(sqlite_runtime)
    password = give_account(sqlite_runtime, "lisi")
    app = create_app(sqlite_runtime, start_background=False)
    with TestClient(app) as browser, TestClient(app) as script:
        sign_in(browser, "lisi", password)
        raw = browser.post("/api/v1/me/tokens", json={"name": "ci"}).json()["token"]
        bearer = {"Authorization": f"Bearer {raw}"}
        with sqlite_runtime.factory() as session:
            queued_before = session.scalar(select(func.count()).select_from(OutboxMessage))
        answer = script.post("/api/v1/chat", headers=bearer, json={"text": "/登录"})
        assert answer.status_code == 200, answer.text
        said = answer.json()["reply"]["body"]
        assert "/auth/link/" not in answer.text
        assert said == t("signin.link_sent_privately")
        with sqlite_runtime.factory() as session:
            queued = session.scalars(
                select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1)
            ).one()
            assert session.scalar(select(func.count()).select_from(OutboxMessage)) == (
                (queued_before or 0) + 1
            )
            assert "/auth/link/" in json.dumps(queued.payload, ensure_ascii=False)
        # the browser's own web chat is the member at their screen: the link comes back
        own = browser.post("/api/v1/chat", json={"text": "/登录"})
        assert own.status_code == 200 and "/auth/link/" in own.text


def test_a_retry_key_never_replays_the_members_own_link_to_someone_else(
    sqlite_runtime: Runtime,
) -> None:
    """A retry is answered the stored reply; the member's own /登录 reply (in their signed-in
    browser) is a sign-in link. The same event id from their personal token or from the root
    token speaking as them was answered that link (tester s28 E-1): those are other callers'
    messages, keyed apart, and answered as such (the link sent privately)."""
    load_demo(sqlite_runtime)
    password = give_account(sqlite_runtime, "lisi")
    sqlite_runtime.settings.web.api_token = SecretStr("root-e1")
    app = create_app(sqlite_runtime, start_background=False)
    with TestClient(app) as browser, TestClient(app) as script:
        sign_in(browser, "lisi", password)
        raw = browser.post("/api/v1/me/tokens", json={"name": "ci"}).json()["token"]
        first = browser.post("/api/v1/chat", json={"text": "/登录", "event_id": "ev-1"})
        assert first.status_code == 200 and "/auth/link/" in first.text
        # her browser's own retry is a retry: the same answer
        again = browser.post("/api/v1/chat", json={"text": "/登录", "event_id": "ev-1"})
        assert again.json()["duplicate"] is True and "/auth/link/" in again.text
        for bearer, body in (
            (raw, {"text": "/登录", "event_id": "ev-1"}),
            ("root-e1", {"text": "/登录", "event_id": "ev-1", "as": "lisi"}),
        ):
            answer = script.post(
                "/api/v1/chat", headers={"Authorization": f"Bearer {bearer}"}, json=body
            )
            assert answer.status_code == 200, answer.text
            assert "/auth/link/" not in answer.text
            assert answer.json()["reply"]["body"] == t("signin.link_sent_privately")
