"""Dashboard and REST helpers for TestClient tests: accounts and signing in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from fastapi.testclient import TestClient

from teamassist.database import transaction
from teamassist.http import auth
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.web.app import create_app


def give_account(runtime: Runtime, handle: str, password: str | None = None) -> str:
    """A dashboard account for demo member ``handle``; returns its password."""
    password = password or f"pw-{handle}"
    with transaction(runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle=handle)
        auth.set_password(session, username=handle, password=password, member=member)
    return password


def sign_in(client: TestClient, username: str = "admin", password: str = "admin") -> str:
    """Sign in through the login form, as a browser does, and send the page's form token with
    every later request (as the dashboard's forms and HTMX do); returns the token."""
    response = client.post(
        "/login", data={"username": username, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    token = csrf_token(client)
    client.headers["X-CSRF-Token"] = token
    return token


def csrf_token(client: TestClient) -> str:
    """The form token the dashboard puts in its pages for the signed-in session."""
    match = re.search(r'<meta name="csrf-token" content="([^"]*)"', client.get("/").text)
    assert match and match.group(1), "no form token on the overview page"
    return match.group(1)


# What a browser sends with a form post: the form-post answers (a page, or back to one) differ
# from a script's (JSON) only by this.
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@contextmanager
def signed_in(runtime: Runtime, *handles: str) -> Iterator[dict[str, TestClient]]:
    """One client per demo member in ``handles``, each given an account (``give_account``) and
    signed in through the login form, all on one app; closed after."""
    app = create_app(runtime, start_background=False)
    with ExitStack() as stack:
        made: dict[str, TestClient] = {}
        for handle in handles:
            client = stack.enter_context(TestClient(app))
            sign_in(client, handle, give_account(runtime, handle))
            made[handle] = client
        yield made
