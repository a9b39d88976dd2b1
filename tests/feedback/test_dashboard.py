"""The feedback dashboard over HTTP: board filters with HTMX results and the CSV link, the item
page with its history, the desk's actions with the chat's permission rules, the report page."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from teamassist.runtime import Runtime
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.feedback.support import events, given_nobody_on_duty, items, outbox_keys
from tests.support.chat import ChatDriver
from tests.support.web import sign_in


def _sign_in(client: TestClient, username: str = "admin", password: str = "admin") -> None:
    sign_in(client, username, password)


@pytest.fixture
def web(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    """The demo on SQLite, signed in as the demo admin."""
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        _sign_in(client)
        yield client


def _runtime(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _say(client: TestClient, text: str, as_: str) -> str:
    return ChatDriver(_runtime(client)).text(text, as_=as_)


def _row_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="fb-row[^"]*" data-id="(\d+)"', html)]


def test_board_nav_and_filters(web: TestClient) -> None:
    given_nobody_on_duty(_runtime(web))
    _say(web, "/问题反馈 支付 100% 卡住 😭", "zhangsan")
    _say(web, "/产品建议 增加 Dark Mode", "lisi")
    _say(web, "/问题反馈 登录失败 <script>alert(1)</script>", "lisi")
    new = [i.id for i in items(_runtime(web))][-3:]

    page = web.get("/feedback")
    assert page.status_code == 200
    assert 'href="/feedback"' in page.text  # the nav entry "反馈"
    assert "反馈看板" in page.text
    assert set(new) <= set(_row_ids(page.text))
    # the text is shown escaped, never run
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text

    def ids(**params: str) -> list[int]:
        response = web.get("/feedback", params=params, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "<html" not in response.text  # HTMX gets the results table alone
        return [i for i in _row_ids(response.text) if i in new]

    assert ids(q="100%") == [new[0]]
    assert ids(q="dark mode") == [new[1]]
    assert ids(kind="suggestion") == [new[1]]
    assert ids(reporter="lisi") == [new[2], new[1]]
    assert ids(owner="admin", date_from="2026-06-01", date_to="2026-06-01") == new[::-1]
    assert ids(status="open,acknowledged", kind="bug", date_from="2026-06-01") == [new[2], new[0]]
    assert ids(date_from="2026-06-02") == []


def test_board_explains_bad_filters_instead_of_failing(web: TestClient) -> None:
    response = web.get(
        "/feedback",
        params={"date_from": "yesterday", "status": "lost", "owner": "nobody", "kind": "x"},
    )
    assert response.status_code == 200
    assert "看不懂" in response.text
    assert "没有「lost」这个状态" in response.text
    assert "没有找到成员「nobody」" in response.text
    assert "没有「x」这个类型" in response.text
    assert _row_ids(response.text) == []


def test_board_pages_and_csv_link_keep_the_filters(web: TestClient) -> None:
    given_nobody_on_duty(_runtime(web))
    for n in range(30):
        _say(web, f"/问题反馈 第 {n} 个问题", "zhangsan")
    first = web.get("/feedback", params={"reporter": "zhangsan", "q": "问题"})
    assert "共 30 条，第 1 / 2 页" in first.text
    assert len(_row_ids(first.text)) == 25
    second = web.get("/feedback", params={"reporter": "zhangsan", "q": "问题", "page": "2"})
    assert len(_row_ids(second.text)) == 5
    assert "page=1" in second.text  # the previous-page link keeps the filters
    # a page past the end says so (a tester saw "第 3 / 2 页") and links the last page
    third = web.get("/feedback", params={"reporter": "zhangsan", "q": "问题", "page": "3"})
    assert "第 3 / 2 页" not in third.text
    assert "共 30 条，没有第 3 页（只有 2 页）。" in third.text
    assert "回到第 2 页" in third.text and "page=2" in third.text
    link = re.search(r'class="fb-csv" href="([^"]+)"', first.text)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith("/api/v1/feedback/items.csv?")
    response = web.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 30
    assert {r["reporter"] for r in rows} == {"张三"}


def test_item_page_shows_text_as_written_and_history(web: TestClient) -> None:
    given_nobody_on_duty(_runtime(web))
    _say(web, "/问题反馈 第一行\n  第二行 <b>粗</b> 😭", "zhangsan")
    item_id = items(_runtime(web))[-1].id
    _say(web, f"/确认反馈 {item_id} 在看了", "admin")
    page = web.get(f"/feedback/items/{item_id}")
    assert page.status_code == 200
    text = re.search(r'data-testid="fb-text">(.*?)</div>', page.text, re.S)
    assert text is not None
    assert text.group(1) == "第一行\n  第二行 &lt;b&gt;粗&lt;/b&gt; 😭"
    assert "张三" in page.text and "王管理" in page.text
    assert "确认了反馈" in page.text and "在看了" in page.text
    assert 'data-action="resolve"' in page.text  # the admin may act
    assert web.get("/feedback/items/999999").status_code == 404


def test_actions_call_the_flows_and_tell_the_reporter(web: TestClient) -> None:
    given_nobody_on_duty(_runtime(web))
    _say(web, "/问题反馈 页面白屏", "zhangsan")
    item_id = items(_runtime(web))[-1].id

    done = web.post(
        f"/feedback/items/{item_id}/acknowledge", data={"note": ""}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/feedback/items/{item_id}?done=1"
    web.post(f"/feedback/items/{item_id}/assign", data={"owner": "lihua"})
    resolved = web.post(f"/feedback/items/{item_id}/resolve", data={"note": "已修复"})
    assert "已更新" in resolved.text
    item = next(i for i in items(_runtime(web)) if i.id == item_id)
    assert item.status == "resolved"
    assert item.resolution_note == "已修复"
    assert events(_runtime(web), item_id) == ["acknowledged", "assigned", "resolved"]
    keys = outbox_keys(_runtime(web))
    assert any(k.startswith(f"feedback.resolved:{item_id}:") for k in keys)
    assert any(k.startswith(f"feedback.assigned:{item_id}:") for k in keys)

    reopened = web.post(f"/feedback/items/{item_id}/reopen", data={"note": "又出现了"})
    assert reopened.status_code == 200
    assert events(_runtime(web), item_id)[-1] == "reopened"


def test_bad_actions_change_nothing_and_say_why(web: TestClient) -> None:
    given_nobody_on_duty(_runtime(web))
    _say(web, "/问题反馈 页面白屏", "zhangsan")
    item_id = items(_runtime(web))[-1].id
    web.post(f"/feedback/items/{item_id}/resolve", data={})
    before = outbox_keys(_runtime(web))

    again = web.post(f"/feedback/items/{item_id}/resolve", data={"note": "再解决一次"})
    assert again.status_code == 409
    assert "没有做任何修改" in again.text
    unknown = web.post(f"/feedback/items/{item_id}/reopen", data={"note": "x" * 501})
    assert unknown.status_code == 400
    nobody = web.post(f"/feedback/items/{item_id}/assign", data={"owner": "ghost"})
    assert nobody.status_code == 404  # closed or not, an unknown owner is refused first
    odd = web.post(f"/feedback/items/{item_id}/explode", data={})
    assert odd.status_code == 400
    assert "没有这个操作" in odd.text
    assert web.post("/feedback/items/424242/resolve", data={}).status_code == 404

    item = next(i for i in items(_runtime(web)) if i.id == item_id)
    assert item.status == "resolved" and item.resolution_note is None
    assert events(_runtime(web), item_id) == ["resolved"]
    assert outbox_keys(_runtime(web)) == before


def test_only_the_desk_may_act(sqlite_runtime: Runtime) -> None:
    """A plain member who is not on duty and does not own the item gets the chat's refusal."""
    load_demo(sqlite_runtime)
    given_nobody_on_duty(sqlite_runtime)
    ChatDriver(sqlite_runtime).text("/问题反馈 页面白屏", as_="zhangsan")
    item_id = items(sqlite_runtime)[-1].id
    from teamassist.database import transaction
    from teamassist.http import auth
    from teamassist.team import service as team_service

    with transaction(sqlite_runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        lisi = team_service.get_member_by_handle(session, workspace_id=ws.id, handle="lisi")
        auth.set_password(session, username="lisi", password="pw-lisi", member=lisi)
        zhangsan = team_service.get_member_by_handle(session, workspace_id=ws.id, handle="zhangsan")
        auth.set_password(session, username="zhangsan", password="pw-zs", member=zhangsan)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        _sign_in(client, "lisi", "pw-lisi")
        # issue #10 E: lisi neither reported nor works the item, so he may not even read it
        # (this test used to assert he saw the page without the buttons)
        page = client.get(f"/feedback/items/{item_id}")
        assert page.status_code == 403 and "页面白屏" not in page.text
        assert "需要有权限的人" in page.text
        refused = client.post(f"/feedback/items/{item_id}/resolve", data={})
        assert refused.status_code == 403
        assert "需要有权限的人" in refused.text
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        _sign_in(client, "zhangsan", "pw-zs")  # the reporter reads it, without the buttons
        page = client.get(f"/feedback/items/{item_id}")
        assert page.status_code == 200 and "页面白屏" in page.text
        assert 'data-action="resolve"' not in page.text
        assert "只有值班人员" in page.text
    assert items(sqlite_runtime)[-1].status == "open"


def test_pages_need_sign_in(sqlite_runtime: Runtime) -> None:
    load_demo(sqlite_runtime)
    with TestClient(create_app(sqlite_runtime, start_background=False)) as client:
        for path in ("/feedback", "/feedback/report", "/feedback/items/1"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303
            assert response.headers["location"] == "/login"
        assert client.post("/feedback/items/1/resolve", follow_redirects=False).status_code == 303


def test_report_page_embeds_the_chart_data(web: TestClient) -> None:
    response = web.get(
        "/feedback/report", params={"date_from": "2026-05-25", "date_to": "2026-06-01"}
    )
    assert response.status_code == 200
    assert "/static/vendor/chart.umd.min.js" in response.text
    for canvas in ("chart-per-day", "chart-medians", "chart-load"):
        assert f'id="{canvas}"' in response.text
    raw = re.search(r'id="report-data">(.*?)</script>', response.text, re.S)
    assert raw is not None
    data = json.loads(raw.group(1))
    assert data["days"][0] == "2026-05-25" and data["days"][-1] == "2026-06-01"
    assert len(data["days"]) == 8
    # the demo's four items: 3 bugs (one on 05-31, two on 06-01) and 1 suggestion (05-31)
    bugs = next(s for s in data["per_day"] if s["kind"] == "bug")
    suggestions = next(s for s in data["per_day"] if s["kind"] == "suggestion")
    assert sum(bugs["counts"]) + sum(suggestions["counts"]) == data["total"] == 4
    assert web.get("/static/feedback-report.js").status_code == 200
    assert web.get("/static/feedback.css").status_code == 200
    bad = web.get("/feedback/report", params={"date_from": "2026-07-01", "date_to": "2026-06-01"})
    assert "开始日期晚于结束日期" in bad.text


def test_item_page_shows_duplicates_and_plus_ones(web: TestClient) -> None:
    given_nobody_on_duty(_runtime(web))
    _say(web, "/问题反馈 上传失败", "zhangsan")
    _say(web, "/问题反馈 上传又失败了", "lisi")
    original, copy = [i.id for i in items(_runtime(web))][-2:]
    assert "合并" in _say(web, f"/重复反馈 {copy} {original}", "admin")
    page = web.get(f"/feedback/items/{original}")
    assert f'href="/feedback/items/{copy}"' in page.text  # the duplicate merged into it
    assert re.search(r"相同反馈（\+1）</dt><dd>1</dd>", page.text)
    assert "+1" in web.get("/feedback", params={"q": "上传"}).text  # the board's badge
    dup = web.get(f"/feedback/items/{copy}")
    assert f'href="/feedback/items/{original}"' in dup.text
    assert "重复" in dup.text and 'data-action="reopen"' in dup.text
