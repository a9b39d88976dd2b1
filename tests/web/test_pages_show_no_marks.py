"""No dashboard page shows the chat layer's user-text marks (private-use characters that a
browser draws as boxes): pages are given plain text, which the templates escape."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from teamassist.chat.types import USER_CLOSE, USER_OPEN
from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.feedback.support import items
from tests.support.chat import ChatDriver
from tests.support.web import sign_in
from tests.web.test_member_scope import _walk


def _page_paths(runtime: Runtime, item_id: int) -> list[str]:
    """Every dashboard GET page without path parameters, and the feedback item page."""
    paths = [f"/feedback/items/{item_id}"]
    for router in runtime.web.pages:
        for path, route in _walk(router):
            if "GET" in (route.methods or set()) and "{" not in path:
                paths.append(path)
    return paths


def test_no_page_shows_user_text_marks(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    chat = ChatDriver(sqlite_runtime)
    chat.text("/问题反馈 登录页面<b>打不开</b> & 白屏", as_="zhangsan")
    item_id = items(sqlite_runtime)[-1].id
    app = create_app(sqlite_runtime, start_background=False)
    with TestClient(app) as client:
        sign_in(client, "admin", "admin")
        shown = []
        for path in _page_paths(sqlite_runtime, item_id):
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.headers["content-type"]:
                continue
            shown.append(path)
            marks = re.findall(f"[{USER_OPEN}{USER_CLOSE}]", response.text)
            assert marks == [], path
    assert "/feedback" in shown and f"/feedback/items/{item_id}" in shown
