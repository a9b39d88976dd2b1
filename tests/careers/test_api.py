"""REST under /api/v1/career-plans and the dashboard pages: the director starts and reads, the
person writes, another member sees nothing; bad input is refused and changes nothing. Every
backend."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from docx import Document
from fastapi.testclient import TestClient
from pydantic import SecretStr

from teamassist.runtime import Runtime
from teamassist.team import people as team_people
from teamassist.web.app import create_app
from tests.careers.support import career_dms, career_items, plans, without_demo_plans
from tests.conftest import load_demo
from tests.okr.support import demo, set_clock
from tests.outreach.support import ids, set_up_groups
from tests.support.documents import without_pango
from tests.support.web import signed_in

DUE = "2026-12-31T18:00:00+08:00"
GOALS = [
    {"title": "主导一次架构评审", "evidence": "评审纪要", "target_date": "2027-06-30"},
    {"title": "带一名新人", "status": "in_progress"},
    {"title": "写一篇技术博客", "target_date": "2027-03-31", "status": "done"},
]


@pytest.fixture
def app_runtime(runtime: Runtime) -> Iterator[Runtime]:
    load_demo(runtime)
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)  # 李华 directs the demo team
    without_demo_plans(runtime)
    yield runtime


@pytest.fixture
def clients(app_runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    with signed_in(app_runtime, "lihua", "zhangsan", "lisi") as made:
        yield made


def _start(client: TestClient, *member_ids: int) -> dict[str, list[int]]:
    response = client.post(
        "/api/v1/career-plans", json={"member_ids": list(member_ids), "due_at": DUE}
    )
    assert response.status_code == 201, response.text
    result: dict[str, list[int]] = response.json()
    return result


def test_start_read_write_and_who_may(app_runtime: Runtime, clients: dict[str, TestClient]) -> None:
    director, person, other = clients["lihua"], clients["zhangsan"], clients["lisi"]
    people = ids(app_runtime)
    # Given the director starts plans for 张三 and 李四
    first = _start(director, people["zhangsan"], people["lisi"])
    assert len(first["started"]) == 2 and first["already"] == []
    # When she starts them again, nothing is doubled
    assert _start(director, people["zhangsan"], people["lisi"]) == {
        "started": [],
        "already": first["started"],
        "warnings": [],
    }
    assert len(career_dms(app_runtime)) == 2 and len(career_items(app_runtime)) == 2
    # and a member cannot start plans
    refused = person.post(
        "/api/v1/career-plans", json={"member_ids": [people["lisi"]], "due_at": DUE}
    )
    assert refused.status_code == 403, refused.text
    [mine] = person.get("/api/v1/career-plans").json()
    plan_id = mine["id"]
    assert mine["title"] == "个人职业发展规划-张三" and mine["editable"] is True
    assert mine["state"] == "started" and mine["year"] == 2026
    # Then the person writes, the director reads only, another member sees nothing
    written = person.put(
        f"/api/v1/career-plans/{plan_id}",
        json={"direction": "成为后端架构师", "strengths": "系统设计", "goals": GOALS},
    )
    assert written.status_code == 200, written.text
    assert [g["title"] for g in written.json()["goals"]] == [g["title"] for g in GOALS]
    assert written.json()["state"] == "written"
    read = director.get(f"/api/v1/career-plans/{plan_id}")
    assert read.status_code == 200 and read.json()["editable"] is False
    assert read.json()["direction"] == "成为后端架构师"
    assert (
        director.put(f"/api/v1/career-plans/{plan_id}", json={"direction": "改"}).status_code == 403
    )
    assert other.get(f"/api/v1/career-plans/{plan_id}").status_code == 404
    assert other.put(f"/api/v1/career-plans/{plan_id}", json={"direction": "改"}).status_code == 404
    assert other.get(f"/api/v1/career-plans/{plan_id}/document.md").status_code == 404
    assert other.get("/api/v1/career-plans/team").status_code == 403
    # the document, from the default template
    document = person.get(f"/api/v1/career-plans/{plan_id}/document.md")
    assert document.status_code == 200
    assert document.text.startswith("# 个人职业发展规划-张三")
    assert "| 1 | 主导一次架构评审 | 评审纪要 | 2027-06-30 | 计划中 |" in document.text
    assert director.get(f"/api/v1/career-plans/{plan_id}/document.md").status_code == 200
    # and as Word and PDF, for the same readers only
    word = director.get(f"/api/v1/career-plans/{plan_id}/document.docx")
    assert word.status_code == 200 and word.content.startswith(b"PK")
    texts = [p.text for p in Document(io.BytesIO(word.content)).paragraphs]
    assert "个人职业发展规划-张三" in texts
    pdf = person.get(f"/api/v1/career-plans/{plan_id}/document.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert other.get(f"/api/v1/career-plans/{plan_id}/document.docx").status_code == 404
    assert other.get(f"/api/v1/career-plans/{plan_id}/document.pdf").status_code == 404
    with pytest.MonkeyPatch.context() as patch:  # a server without pango: 503, said plainly
        without_pango(patch)
        missing = person.get(f"/api/v1/career-plans/{plan_id}/document.pdf")
    assert missing.status_code == 503 and "无法生成 PDF" in missing.json()["message"]
    # the director's list
    states = {r["member"]: r["state"] for r in director.get("/api/v1/career-plans/team").json()}
    assert states == {"张三": "written", "李四": "started"}


BAD_WRITES: list[dict[str, object]] = [
    {"goals": [*GOALS, {"title": "第四个目标"}]},  # at most three
    {"goals": [{"title": "x", "target_date": "2026-02-30"}]},  # no such day
    {"goals": [{"title": "x", "target_date": "2099-01-01"}]},  # far from the plan's year
    {"goals": [{"title": "x", "status": "finished"}]},  # not a status
    {"goals": [{"title": ""}]},
    {"direction": "新方向", "goals": [*GOALS, {"title": "第四个目标"}]},  # all or nothing
]


def test_bad_writes_are_refused_and_change_nothing(
    app_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(app_runtime)
    [plan_id] = _start(clients["lihua"], people["zhangsan"])["started"]
    person = clients["zhangsan"]
    person.put(f"/api/v1/career-plans/{plan_id}", json={"direction": "旧方向", "goals": GOALS[:1]})
    before = person.get(f"/api/v1/career-plans/{plan_id}").json()
    for body in BAD_WRITES:
        refused = person.put(f"/api/v1/career-plans/{plan_id}", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert person.get(f"/api/v1/career-plans/{plan_id}").json() == before, body


def test_starting_refuses_people_who_left_and_past_deadlines(
    app_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(app_runtime)
    with demo(app_runtime) as d:
        team_people.deactivate(d.session, member=d.member("wangwu"), now=app_runtime.clock())
    director = clients["lihua"]
    left = director.post(
        "/api/v1/career-plans",
        json={"member_ids": [people["zhaoliu"], people["wangwu"]], "due_at": DUE},
    )
    assert left.status_code == 409 and "王五 已经离开团队" in left.json()["message"]
    past = director.post(
        "/api/v1/career-plans",
        json={"member_ids": [people["zhaoliu"]], "due_at": "2026-11-01T18:00:00+08:00"},
    )
    assert past.status_code == 422, past.text
    assert director.get("/api/v1/career-plans/team").json() == []
    assert career_dms(app_runtime) == []


def test_the_team_template_is_checked_on_save(
    app_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(app_runtime)
    [plan_id] = _start(clients["lihua"], people["zhangsan"])["started"]
    director, person = clients["lihua"], clients["zhangsan"]
    broken = director.put("/api/v1/career-plans/template", json={"body": "# {{ titel }}"})
    assert broken.status_code == 422 and "titel" in broken.json()["message"]
    assert director.get("/api/v1/career-plans/template").json()["custom"] is False
    assert person.put("/api/v1/career-plans/template", json={"body": "# x"}).status_code == 403
    saved = director.put(
        "/api/v1/career-plans/template", json={"body": "# {{ title }}\n\n方向：{{ direction }}\n"}
    )
    assert saved.status_code == 200, saved.text
    person.put(f"/api/v1/career-plans/{plan_id}", json={"direction": "架构"})
    document = person.get(f"/api/v1/career-plans/{plan_id}/document.md").text
    assert document == "# 个人职业发展规划-张三\n\n方向：架构\n"
    assert director.delete("/api/v1/career-plans/template").status_code == 204
    assert "## 发展目标" in person.get(f"/api/v1/career-plans/{plan_id}/document.md").text


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # tester M3's requests: the line is the real one and the reason is said in Chinese
        ("# {{ title }}\n\n{{ titel }}", "模板第 3 行有错误：没有叫「titel」的字段（可用的有："),
        ("# x\n{{ name.__class__.__mro__ }}", "模板第 2 行有错误：不允许使用「__class__」"),
        ("# x\n{% for i in range(100000000) %}x{% endfor %}", "模板第 2 行有错误：循环次数太多"),
        ("# {{ title }\n", "模板第 1 行有错误：这里多了「}」"),
    ],
)
def test_a_template_error_is_said_in_chinese_with_its_line(
    app_runtime: Runtime, clients: dict[str, TestClient], body: str, said: str
) -> None:
    refused = clients["lihua"].put("/api/v1/career-plans/template?team_id=1", json={"body": body})
    assert refused.status_code == 422, refused.text
    message = refused.json()["message"]
    assert message.startswith(said), message
    assert message.endswith("没有保存任何修改。"), message  # tester F8, session 19
    assert "第 ? 行" not in message and "undefined" not in message and "unsafe" not in message
    assert clients["lihua"].get("/api/v1/career-plans/template").json()["custom"] is False


def test_pages_show_the_list_the_plan_and_its_form(
    app_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    people = ids(app_runtime)
    [plan_id, _] = _start(clients["lihua"], people["zhangsan"], people["lisi"])["started"]
    director, person, other = clients["lihua"], clients["zhangsan"], clients["lisi"]
    listing = director.get("/career-plans")
    assert listing.status_code == 200 and 'data-testid="team-plans"' in listing.text
    assert "张三" in listing.text and "已发起，未填写" in listing.text
    assert 'data-testid="team-plans"' not in person.get("/career-plans").text
    page = person.get(f"/career-plans/{plan_id}")
    assert page.status_code == 200 and 'data-testid="plan-form"' in page.text
    saved = person.post(
        f"/career-plans/{plan_id}",
        data={
            "direction": "成为架构师",
            "strengths": "",
            "notes": "",
            "goal_title": ["主导评审", "", ""],
            "goal_evidence": ["纪要", "", ""],
            "goal_date": ["2027-06-30", "", ""],
            "goal_status": ["in_progress", "planned", "planned"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    read = director.get(f"/career-plans/{plan_id}")
    assert 'data-testid="read-only"' in read.text and "成为架构师" in read.text
    assert 'data-testid="plan-form"' not in read.text
    assert other.get(f"/career-plans/{plan_id}").status_code == 404
    forged = director.post(
        f"/career-plans/{plan_id}", data={"direction": "改"}, follow_redirects=False
    )
    assert forged.status_code == 403
    bad = person.post(
        f"/career-plans/{plan_id}",
        data={"direction": "再改", "goal_title": ["x"], "goal_date": ["2026-02-30"]},
        follow_redirects=False,
    )
    assert bad.status_code in (400, 422)
    assert "再改" not in person.get(f"/career-plans/{plan_id}").text


def test_a_deadline_alone_or_without_offset_is_the_teams_wall_clock(
    app_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    """As chat reads ``截止 2026-12-31``: a date alone is 18:00 that day in the team's zone (it
    was midnight), and a time without an offset is the team's wall clock (it was refused)."""
    people = ids(app_runtime)
    director = clients["lihua"]
    for member, due in (("zhangsan", "2026-12-31"), ("lisi", "2026-12-31T18:00:00")):
        started = director.post(
            "/api/v1/career-plans", json={"member_ids": [people[member]], "due_at": due}
        )
        assert started.status_code == 201, started.text
    plans = director.get("/api/v1/career-plans/team").json()
    assert len(plans) == 2
    assert {p["due_at"][:19] for p in plans} == {"2026-12-31T10:00:00"}, plans


def test_the_first_years_a_date_holds_are_a_past_deadline(
    app_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    """``0001-01-01T00:00+01:00`` answered the generic ``core.error.out_of_range``."""
    people = ids(app_runtime)
    refused = clients["lihua"].post(
        "/api/v1/career-plans",
        json={"member_ids": [people["zhangsan"]], "due_at": "0001-01-01T00:00+01:00"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "careers.error.due_past"
    assert "0001-01-01 已经过去了" in refused.json()["message"]
    assert clients["lihua"].get("/api/v1/career-plans/team").json() == []


def test_the_last_years_a_date_holds_are_too_far(
    app_runtime: Runtime, clients: dict[str, TestClient]
) -> None:
    """Today's tester: ``9999-12-31T23:59:59-12:00`` answered the generic
    ``core.error.out_of_range`` (the zone arithmetic overflowed) where every other endpoint
    says "too far"."""
    people = ids(app_runtime)
    refused = clients["lihua"].post(
        "/api/v1/career-plans",
        json={"member_ids": [people["zhangsan"]], "due_at": "9999-12-31T23:59:59-12:00"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "careers.error.due_too_far"
    assert "9999-12-31 太远了" in refused.json()["message"]
    assert clients["lihua"].get("/api/v1/career-plans/team").json() == []


def test_the_owner_token_is_told_it_has_no_member(app_runtime: Runtime) -> None:
    """Tester F14 (session 19): ``GET /api/v1/career-plans/team`` with the install's root
    token answered 403 「只有规划的本人可以修改它」, about changing a plan it had only asked to
    list. A token with no member is told that, for the list and for starting plans alike."""
    app_runtime.settings.web.api_token = SecretStr("root-token-123")
    token = {"authorization": "Bearer root-token-123"}
    with TestClient(create_app(app_runtime, start_background=False)) as client:
        for response in (
            client.get("/api/v1/career-plans/team?team_id=1", headers=token),
            client.post("/api/v1/career-plans", headers=token, json={"due_at": DUE}),
        ):
            assert response.status_code == 403, response.text
            message = response.json()["message"]
            assert "不属于任何成员" in message and "修改" not in message, message
    assert plans(app_runtime) == []
