"""No dashboard page shows the chat layer's user-text marks (private-use characters that a
browser draws as boxes): pages are given plain text, which the templates escape."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from teamassist.bidi import FSI, PDI
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


def test_a_web_channel_feed_shows_only_its_workspace(sqlite_runtime: Runtime) -> None:
    """Two workspaces each with a web channel called "public": a notice queued by one never
    appears in the other's feed (web_message is keyed by address alone)."""
    from teamassist.chat import notify
    from teamassist.chat.types import Reply
    from teamassist.database import transaction
    from teamassist.enums import Role
    from teamassist.http import auth
    from teamassist.team import service as team_service

    rt = sqlite_runtime
    load_demo(rt)
    with transaction(rt.factory) as session:
        other = team_service.create_workspace(session, key="other", name="另一个社区")
        team = team_service.create_team(
            session, workspace=other, key="core", name="核心", timezone="Asia/Shanghai"
        )
        boss = team_service.create_member(
            session, workspace=other, handle="boss", display_name="老板", team=team, role=Role.ADMIN
        )
        team_service.create_channel(
            session, workspace=other, platform="web", address="public", purpose="public", team=team
        )
        auth.set_password(session, username="boss", password="boss-pass-1", member=boss)
        demo_ws = team_service.get_workspace_by_key(session, key="demo")
        assert demo_ws is not None
        demo_team = team_service.default_team(session, workspace_id=demo_ws.id)
        notify.to_channels(
            session,
            team=demo_team,
            purpose="public",
            reply=Reply(body="演示社区的内部通知"),
            key="leak",
            now=rt.clock(),
        )
    rt.deliver()
    app = create_app(rt, start_background=False)
    with TestClient(app) as demo_admin, TestClient(app) as other_admin:
        sign_in(demo_admin, "admin", "admin")
        sign_in(other_admin, "boss", "boss-pass-1")
        assert "演示社区的内部通知" in demo_admin.get("/feeds?address=public").text
        assert "演示社区的内部通知" not in other_admin.get("/feeds?address=public").text


class _TextNodes(HTMLParser):
    """Every run of element text outside script, style, textarea and option, and every
    attribute value, of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.attributes: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.extend(value for _, value in attrs if value)
        if tag in ("script", "style", "textarea", "option"):
            self._raw = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is None:
            self.texts.append(data)


def test_no_page_lets_an_override_reach_past_its_text(sqlite_runtime: Runtime) -> None:
    """A tester's find (session 12): a title with an unpaired U+202E reversed the rest of its
    table row on the pages. Every page shows such text inside FSI … PDI, and no attribute (a
    form value) carries the wrapper."""
    rlo = "\u202e"
    load_demo(sqlite_runtime)
    chat = ChatDriver(sqlite_runtime)
    chat.text(f"/问题反馈 登录{rlo}页面打不开", as_="zhangsan")
    chat.text(f"/销项 @zhangsan 修复{rlo}登录页 2026-12-30", as_="lihua")
    item_id = items(sqlite_runtime)[-1].id
    app = create_app(sqlite_runtime, start_background=False)
    shown: list[str] = []
    with TestClient(app) as client:
        sign_in(client, "admin", "admin")
        for path in _page_paths(sqlite_runtime, item_id):
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.headers["content-type"]:
                continue
            nodes = _TextNodes()
            nodes.feed(response.text)
            for text in nodes.texts:
                if rlo in text:
                    shown.append(path)
                    # the override sits inside the isolate that ends before the next text
                    assert text.index(FSI) < text.index(rlo) < text.rindex(PDI), (path, text)
            assert not [a for a in nodes.attributes if FSI in a or PDI in a], path
    assert f"/feedback/items/{item_id}" in shown and "/feedback" in shown, shown
