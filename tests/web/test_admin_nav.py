"""Issue 11, found by a fresh tester: a member was shown the 平台绑定 (/bindings) and 工作区
(/workspace) links and got 403 on following them. Admin-only links are shown to admins only;
tester F19 (session 18) found the layout's own 通知队列 (/outbox) link still shown."""

from __future__ import annotations

from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.support.web import give_account, sign_in


def _nav(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200, page.text
    return page.text.split("<nav>", 1)[1].split("</nav>", 1)[0]


def test_a_member_sees_no_admin_only_link(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    password = give_account(sqlite_runtime, "zhangsan")
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client, "zhangsan", password)
        nav = _nav(client)
        assert 'href="/bindings"' not in nav and 'href="/workspace"' not in nav
        assert 'href="/outbox"' not in nav
        assert 'href="/team/members"' in nav  # members still see what they may open
        assert client.get("/bindings").status_code == 403
        # Typed by hand, the page refuses inside the dashboard's own error page, not JSON.
        refused = client.get("/outbox", headers={"accept": "text/html"})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html"), refused.text
        assert "只有管理员可以操作" in refused.text


def test_an_admin_sees_them(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        sign_in(client, "admin", "admin")
        nav = _nav(client)
        assert 'href="/bindings"' in nav and 'href="/workspace"' in nav
        assert 'href="/outbox"' in nav
        assert client.get("/bindings").status_code == 200
