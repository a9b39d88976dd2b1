"""Career plans as documents through the ``Documents`` port, end to end against the fake
Feishu Open API through lark-oapi (every backend): starting a round makes each person's
``个人职业发展规划-{姓名}`` docx from the team's template in ``<team>/职业发展规划/<year>``, the
person an editor and the director a viewer, once however often it is retried or started again;
the person's DM waits for the document and carries its link, once. When Feishu gives up, or the
person is not on Feishu, the DM carries the plan's dashboard page instead. A QQ-only team gets
the plan's own dashboard page, which only its person and the director may open."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from teamassist.adapters.feishu.workspace import PLATFORM
from teamassist.careers.models import CareerPlan
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team.models import Member
from tests.okr.support import set_clock
from tests.platforms.fakes.feishu import FakeFeishu
from tests.support.chat import ChatDriver
from tests.support.web import signed_in
from tests.workspace.feishu_team import OPEN_IDS, FeishuTeam, feishu_runtime

START = "/职业规划 发起 @张三 截止 2027-01-29 18:00 请写规划"


def _plan_id(runtime: Runtime) -> int:
    with runtime.factory() as session:
        return session.scalars(select(CareerPlan.id).where(CareerPlan.year == 2027)).one()


def _dms(runtime: Runtime) -> list[OutboxMessage]:
    """The queued career-plan DMs (every one, to count them)."""
    with runtime.factory() as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(OutboxMessage.idempotency_key.like("careers.started:%"))
            )
        )


def _text(team: FeishuTeam, token: str) -> str:
    blocks = team.fake.workspace.blocks[token]
    return "\n".join(e["text_run"]["content"] for b in blocks for e in b["text"]["elements"])


def _docs(team: FeishuTeam) -> list[dict[str, str]]:
    return [f for f in team.fake.workspace.files.values() if f["type"] == "docx"]


def test_a_round_makes_one_shared_doc_and_the_dm_links_it(team: FeishuTeam) -> None:
    ws = team.fake.workspace
    # Given Feishu makes the document but loses its answer
    ws.fail("/docx/v1/documents", 500, {"code": 1000004, "msg": "internal error"}, after=True)
    # When the director 李华 starts 张三's plan
    set_clock(team.runtime, "2027-01-04 09:00")
    reply = team.chat.text(START, as_="lihua")
    assert "张三" in reply, reply
    # Then no DM yet: the document does not exist, and the DM would carry the wrong link
    assert _dms(team.runtime) == []
    # When the outbox runs (and retries after the lost answer)
    team.deliver()
    team.clock.set(team.clock() + timedelta(minutes=5))
    team.deliver()
    # Then one docx 个人职业发展规划-张三 in 开发者社区/职业发展规划/2027, from the template
    docs = _docs(team)
    assert len(docs) == 1, [(op.status, op.attempts, op.last_error) for op in team.ops()]
    [doc] = docs
    assert doc["name"] == "个人职业发展规划-张三"
    folders = {f["token"]: f for f in ws.files.values() if f["type"] == "folder"}
    year = folders[doc["parent_token"]]
    assert year["name"] == "2027" and folders[year["parent_token"]]["name"] == "职业发展规划"
    assert "个人职业发展规划-张三" in _text(team, doc["token"])
    # And 张三 may edit it, 李华 read it, each shared once
    shares = [(s["member_id"], s["perm"]) for s in ws.shares[doc["token"]]]
    assert sorted(shares) == [("ou_lihua", "view"), ("ou_zhang", "edit")]
    # And one DM, to 张三 on Feishu, links the Feishu doc (not the dashboard page)
    [dm] = _dms(team.runtime)
    body = str(dm.payload["body"])
    assert dm.address == "ou_zhang" and doc["url"] in body, body
    assert "/career-plans/" not in body.split("填写：")[1].splitlines()[0]
    assert all(op.status == "sent" for op in team.ops()), [
        (op.status, op.last_error) for op in team.ops()
    ]
    # When the round is started again and the outbox runs again: nothing more
    team.chat.text(START, as_="lihua")
    team.deliver()
    assert len(_docs(team)) == 1 and len(_dms(team.runtime)) == 1
    creates = [c for c in ws.of("POST", "/docx/v1/documents") if c.path.endswith("/documents")]
    assert len(creates) == 1  # the retry found the lost one instead of making another


def test_feishu_giving_up_sends_the_dm_with_the_plan_page(team: FeishuTeam) -> None:
    ws = team.fake.workspace
    # Given the app lacks the docx scope (a permanent refusal)
    ws.denied["/docx/v1/documents"] = ["docx:document"]
    # When the round starts and the outbox runs
    set_clock(team.runtime, "2027-01-04 09:00")
    team.chat.text(START, as_="lihua")
    team.deliver()
    # Then no document, the admins are told, and 张三's DM links the plan's dashboard page
    assert _docs(team) == []
    assert [op.status for op in team.ops() if op.payload["title"] == "document"] == ["dead"]
    assert any("99991672" in t for t in team.chat.queued_texts("ou_admin"))
    plan_id = _plan_id(team.runtime)
    [dm] = _dms(team.runtime)
    assert f"/career-plans/{plan_id}" in str(dm.payload["body"])
    # When an admin grants the scope and retries the operation: the doc, and still one DM
    ws.denied.clear()
    with transaction(team.runtime.factory) as session:
        [op] = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.platform == PLATFORM, OutboxMessage.status == "dead"
            )
        )
        op.status, op.attempts, op.next_attempt_at = "pending", 0, team.clock()
    team.deliver()
    assert len(_docs(team)) == 1 and len(_dms(team.runtime)) == 1


def test_a_person_not_on_feishu_gets_the_plan_page_at_once(
    fake: FakeFeishu, db_url: str, clock: FrozenClock
) -> None:
    # Given 张三 has no Feishu identity on the Feishu team
    fake.reset()
    open_ids = {k: v for k, v in OPEN_IDS.items() if k != "zhangsan"}
    runtime = feishu_runtime(fake, db_url, clock, tenant="feishu", open_ids=open_ids)
    try:
        # When his plan starts
        set_clock(runtime, "2027-01-04 09:00")
        ChatDriver(runtime).text(START, as_="lihua")
        # Then his DM (to the dashboard inbox) links the plan's page at once: a Feishu doc he
        # could not open would be the wrong link
        [dm] = _dms(runtime)
        assert f"/career-plans/{_plan_id(runtime)}" in str(dm.payload["body"])
        # And the docx is still made, for the director to read
        runtime.deliver()
        [doc] = [f for f in fake.workspace.files.values() if f["type"] == "docx"]
        assert [(s["member_id"], s["perm"]) for s in fake.workspace.shares[doc["token"]]] == [
            ("ou_lihua", "view")
        ]
        assert len(_dms(runtime)) == 1
    finally:
        runtime.close()


def test_a_qq_team_gets_the_plan_page_for_its_person_only(
    fake: FakeFeishu, db_url: str, clock: FrozenClock
) -> None:
    fake.reset()
    runtime = feishu_runtime(fake, db_url, clock, tenant="qq", open_ids={})
    try:
        # Given a QQ-only team; when the director starts 张三's plan and the outbox runs
        set_clock(runtime, "2027-01-04 09:00")
        ChatDriver(runtime).text(START, as_="lihua")
        runtime.deliver()
        # Then 张三's one DM links the plan's dashboard page, and nothing went to Feishu
        plan_id = _plan_id(runtime)
        [dm] = _dms(runtime)
        assert f"/career-plans/{plan_id}" in str(dm.payload["body"])
        with runtime.factory() as session:
            queued = session.scalar(select(func.count()).where(OutboxMessage.platform == PLATFORM))
            team_id = session.get_one(CareerPlan, plan_id).team_id
            zhang = session.scalars(select(Member).where(Member.handle == "zhangsan")).one()
            assert dm.address.endswith(str(zhang.id)) or dm.platform != "web"
        assert queued == 0 and not fake.workspace.calls
        # And the page is the document: 张三 and 李华 open it, 李四 does not learn it exists
        page = f"/career-plans/{plan_id}?team={team_id}"
        with signed_in(runtime, "zhangsan", "lihua", "lisi") as clients:
            mine = clients["zhangsan"].get(page)
            assert mine.status_code == 200 and "个人职业发展规划-张三" in mine.text
            assert clients["lihua"].get(page).status_code == 200
            assert clients["lisi"].get(page).status_code == 404
    finally:
        runtime.close()
