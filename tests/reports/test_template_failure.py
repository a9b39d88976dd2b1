"""A team's report template that fails when a pack is made (testers, session 16): members saw
the editor's "模板第 ? 行有错误…没有保存任何修改" and the template's owner was never told. Now
the member hears that the report was not made and who was told; the owner (the director) gets
the real error with its line."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist import documents
from teamassist.exceptions import Invalid
from teamassist.reports.models import ReportPack, ReportTemplate
from teamassist.runtime import Runtime
from teamassist.team.service import INBOX_PREFIX
from teamassist.web.app import create_app
from tests.okr.support import demo, set_clock
from tests.support.chat import ChatDriver
from tests.support.web import sign_in

# Saved when the team had more people, say: line 3 asks for a 100th member.
FAILING = "# {{ title }}\n\n{{ members[99].name }}\n"
TITLE = "OKR周报2026/09/21-09/27"


@pytest.fixture
def failing(sqlite_chat: ChatDriver) -> ChatDriver:
    """The demo team on Monday 2026-09-28, 李华 its director, its weekly template failing."""
    set_clock(sqlite_chat.runtime, "2026-09-28 09:00")
    with demo(sqlite_chat.runtime) as given:
        given.team.director_id = given.member("lihua").id
        given.session.add(
            ReportTemplate(
                workspace_id=given.team.workspace_id,
                team_id=given.team.id,
                kind="weekly",
                body=FAILING,
                updated_by_id=given.member("admin").id,
                updated_at=sqlite_chat.runtime.clock(),
            )
        )
    return sqlite_chat


def _packs(runtime: Runtime) -> int:
    with runtime.factory() as session:
        return session.scalar(select(func.count()).select_from(ReportPack)) or 0


def _to(chat: ChatDriver, handle: str) -> list[str]:
    """The template-failure notices queued for ``handle`` (on any of their addresses)."""
    with demo(chat.runtime) as given:
        member = given.member(handle)
        addresses = {i.user_key for i in member.identities} | {f"{INBOX_PREFIX}{member.id}"}
    return [
        text
        for address in addresses
        for text in chat.queued_texts(address)
        if "报告没有生成" in text
    ]


def test_a_member_is_told_who_was_told_and_the_director_gets_the_line(
    failing: ChatDriver,
) -> None:
    reply = failing.text("/生成报告", as_="zhangsan")
    assert reply == (
        f"「{TITLE}」没能生成：团队的报告模板有错误。已通知 李华 修改模板，修好后请再生成一次。"
    )
    assert _packs(failing.runtime) == 0
    [notice] = _to(failing, "lihua")
    assert "的周报模板生成「OKR周报2026/09/21-09/27」时出错，报告没有生成：第 3 行：" in notice
    assert "列表里没有第 100 项（下标 [99] 从 0 数起）" in notice and "是 张三 要的报告" in notice
    assert "?" not in notice and "没有保存任何修改" not in notice
    # The director asking gets the error at once.
    reply = failing.text("/生成报告", as_="lihua")
    assert reply.startswith(f"「{TITLE}」没能生成：你负责的报告模板有错误（第 3 行：")


def test_a_template_over_a_limit_is_said_so_not_called_a_mistake(failing: ChatDriver) -> None:
    # Tester s28 E-5: a pack stopped by the time limit answered 「…模板有错误」
    with demo(failing.runtime) as given:
        row = given.session.scalars(select(ReportTemplate)).one()
        row.body = "# {{ title }}\n{% for i in range(30000) %}{% endfor %}"
    reply = failing.text("/生成报告", as_="zhangsan")
    assert reply == (
        f"「{TITLE}」没能生成：团队的报告模板超出了生成的限制"
        "（循环次数太多（每次生成最多 20000 步））。已通知 李华 简化模板，改好后请再生成一次。"
    )
    assert _packs(failing.runtime) == 0 and len(_to(failing, "lihua")) == 1


def test_rest_answers_409_and_the_director_is_told(failing: ChatDriver) -> None:
    runtime = failing.runtime
    with TestClient(create_app(runtime, start_background=False)) as api:
        sign_in(api)
        response = api.post("/api/v1/reports/packs", json={"kind": "weekly"})
    assert response.status_code == 409, response.text
    assert response.json() == {
        "error": "reports.error.template_failed",
        "message": (
            f"「{TITLE}」没能生成：团队的报告模板有错误。已通知 李华 修改模板，修好后请再生成一次。"
        ),
    }
    assert _packs(runtime) == 0
    assert len(_to(failing, "lihua")) == 1


def test_an_error_while_rendering_names_its_line() -> None:
    for source, line in (("a\n{{ 1 / 0 }}\n", 2), ("a\nb\n{% for x in 3 %}{% endfor %}", 3)):
        with pytest.raises(Invalid) as refused:
            documents.render_markdown(
                source, {}, package="teamassist.reports", error_key="reports.error.template"
            )
        assert refused.value.params["line"] == line
