"""The demo's admin/admin outside demo mode on a server others reach: refused at sign-in
(session 26's worth-issue list: a demo loaded in demo mode and later served without it kept a
live default password)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select

from teamassist.i18n import t
from teamassist.runtime import Runtime
from teamassist.team.models import WebSession
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account


def _sessions(runtime: Runtime) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(WebSession)) or 0


def _sign_in(runtime: Runtime, password: str) -> tuple[int, str]:
    with TestClient(create_app(runtime, start_background=False)) as client:
        response = client.post(
            "/login", data={"username": "admin", "password": password}, follow_redirects=False
        )
    return response.status_code, response.text


@pytest.mark.parametrize(
    ("host", "public_url"),
    [("127.0.0.1", "https://team.example.com"), ("0.0.0.0", "http://127.0.0.1:8000")],
)
def test_the_demo_password_is_refused_where_others_reach_the_server(
    sqlite_runtime: Runtime, host: str, public_url: str
) -> None:
    runtime = sqlite_runtime
    load_demo(runtime)
    web = runtime.settings.web
    web.host, web.public_url, web.demo_mode = host, public_url, False
    before = _sessions(runtime)
    status, page = _sign_in(runtime, "admin")
    said = str(escape(t("web.login_demo_password").split(" / ")[0]))
    assert status == 403 and said in page, page[-1200:]
    assert _sessions(runtime) == before
    # a real password for the same account signs in
    real = give_account(runtime, "admin", "a-real-Password-42")
    assert _sign_in(runtime, real)[0] == 303
    assert _sessions(runtime) == before + 1


def test_the_demo_password_signs_in_on_this_machine_alone_or_in_demo_mode(
    sqlite_runtime: Runtime,
) -> None:
    runtime = sqlite_runtime
    load_demo(runtime)
    web = runtime.settings.web
    web.host, web.public_url, web.demo_mode = "127.0.0.1", "http://localhost:8000", False
    assert _sign_in(runtime, "admin")[0] == 303
    web.host, web.public_url, web.demo_mode = "0.0.0.0", "https://team.example.com", True
    assert _sign_in(runtime, "admin")[0] == 303
