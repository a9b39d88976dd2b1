"""REST under /api/v1/announcements: the same service as /通知 and /群发, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from teamassist.actions.models import ActionItem
from teamassist.announcements.models import Announcement
from teamassist.chat.retention import purge
from teamassist.chat.types import plain_text
from teamassist.database import transaction
from teamassist.http.idempotency import IdempotencyKey, stored_key
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.team.models import Channel
from teamassist.web.app import create_app
from tests.conftest import load_demo
from tests.okr.support import set_clock
from tests.outreach.support import CORE_CHAT, ids, set_up_groups
from tests.support.chat import ChatDriver
from tests.support.web import give_account, sign_in


@pytest.fixture
def app_runtime(runtime: Runtime) -> Iterator[Runtime]:
    load_demo(runtime)
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime)
    yield runtime


def _client(runtime: Runtime, handle: str) -> TestClient:
    client = TestClient(create_app(runtime, start_background=False))
    client.__enter__()
    sign_in(client, handle, give_account(runtime, handle) if handle != "admin" else "admin")
    return client


def test_director_announces_and_reads_receipts(app_runtime: Runtime) -> None:
    people = ids(app_runtime)
    client = _client(app_runtime, "lihua")
    try:
        body = {
            "group": "产品核心群",
            "text": '周三 "评审" 取消',
            "kind": "bulk",
            "targets": [people["lisi"]],
            "due_at": "2026-12-04T17:30:00+08:00",
        }
        response = client.post(
            "/api/v1/announcements", json=body, headers={"Idempotency-Key": "k1"}
        )
        assert response.status_code == 201, response.text
        assert "Idempotency-Replayed" not in response.headers
        data = response.json()
        assert data["kind"] == "bulk" and data["text"] == '周三 "评审" 取消'
        assert [(r["label"], r["status"]) for r in data["receipts"]] == [("李四", "pending")]
        assert "已开销项" in data["receipts"][0]["action_note"]
        # A retried POST with the same key answers with the first one.
        again = client.post("/api/v1/announcements", json=body, headers={"Idempotency-Key": "k1"})
        assert again.json()["id"] == data["id"]
        # as the first time (201), but recognisable as a replay (session 16: it was not)
        assert again.status_code == 201, again.text
        assert again.headers["Idempotency-Replayed"] == "true"
        chat = ChatDriver(app_runtime)
        assert (
            len([m for m in chat.queued() if m.idempotency_key.startswith("announcements:")]) == 1
        )
        app_runtime.deliver()
        receipt = client.get(f"/api/v1/announcements/{data['id']}").json()
        assert [r["status"] for r in receipt["receipts"]] == ["sent"]
        # Errors: unknown group 404, a bulk target outside the group 422, past deadline 422.
        assert (
            client.post("/api/v1/announcements", json={"group": "无此群", "text": "x"}).status_code
            == 404
        )
        outside = {
            "group": "产品核心群",
            "text": "x",
            "kind": "bulk",
            "targets": [people["wangwu"]],
        }
        assert client.post("/api/v1/announcements", json=outside).status_code == 422
        past = {"group": "产品核心群", "text": "x", "due_at": "2026-11-01T10:00:00+08:00"}
        assert client.post("/api/v1/announcements", json=past).status_code == 422
        assert len(client.get("/api/v1/announcements").json()) == 1
    finally:
        client.__exit__(None, None, None)


def test_a_receipt_stays_sent_after_retention_purges_the_notice(app_runtime: Runtime) -> None:
    """Retention deletes delivered notices after ``chat.outbox_days``; the receipt read 发送失败
    for them (session 17's report) although the recipient had the message."""
    people = ids(app_runtime)
    client = _client(app_runtime, "lihua")
    try:
        body = {
            "group": "产品核心群",
            "text": "周五发版",
            "kind": "bulk",
            "targets": [people["lisi"]],
        }
        made = client.post("/api/v1/announcements", json=body)
        assert made.status_code == 201, made.text
        app_runtime.deliver()
        later = datetime(2027, 3, 1, tzinfo=UTC)
        with transaction(app_runtime.factory) as session:
            purged = purge(session, now=later, inbox_days=7, outbox_days=30)
        assert purged.outbox >= 1
        receipt = client.get(f"/api/v1/announcements/{made.json()['id']}").json()
        assert [(r["label"], r["status"]) for r in receipt["receipts"]] == [("李四", "sent")]
    finally:
        client.__exit__(None, None, None)


def test_a_member_may_not_announce_or_read_others(app_runtime: Runtime) -> None:
    director = _client(app_runtime, "lihua")
    member = _client(app_runtime, "zhangsan")
    try:
        made = director.post("/api/v1/announcements", json={"group": "产品核心群", "text": "hi"})
        assert made.status_code == 201, made.text
        refused = member.post("/api/v1/announcements", json={"group": "产品核心群", "text": "hi"})
        assert refused.status_code == 403
        assert member.get(f"/api/v1/announcements/{made.json()['id']}").status_code == 403
        assert member.get("/api/v1/announcements").json() == []
        chat = ChatDriver(app_runtime)
        assert [
            m.address for m in chat.queued() if m.idempotency_key.startswith("announcements:")
        ] == [CORE_CHAT]
    finally:
        director.__exit__(None, None, None)
        member.__exit__(None, None, None)


def test_dates_without_an_offset_and_dates_too_far(app_runtime: Runtime) -> None:
    """A tester's finds (session 12): a ``due_at`` without an offset answered 500 (naive
    datetime), and ``9999-12-31`` opened an action item per person due then, through REST and
    chat. A time without an offset is now the team's wall clock (as /api/v1/actions reads it);
    more than a year ahead is refused and changes nothing."""
    people = ids(app_runtime)
    client = _client(app_runtime, "lihua")
    try:
        body = {
            "group": "产品核心群",
            "text": "提交预算",
            "kind": "bulk",
            "targets": [people["lisi"]],
            "due_at": "2026-12-20T18:00:00",
            "send_at": "2026-12-01T09:00:00",
        }
        made = client.post("/api/v1/announcements", json=body)
        assert made.status_code == 201, made.text
        assert made.json()["due_at"].startswith("2026-12-20T10:00:00")  # 18:00 Beijing, in UTC
        for field, value in (
            ("due_at", "9999-12-31T23:59:59+14:00"),
            ("due_at", "9999-12-31T23:59:59-12:00"),  # past datetime's range in UTC
            ("due_at", "2027-12-02T09:00:00"),
            ("send_at", "9999-12-31T09:00:00"),
        ):
            far = client.post("/api/v1/announcements", json={**body, field: value})
            assert far.status_code == 422, (field, value, far.text)
            assert "2027-12-01" in far.json()["message"], far.text
        # a deadline before the send time (a tester's find: the items were due a day before
        # anyone was told) is refused too
        early = {**body, "due_at": "2026-12-05T00:00:00Z", "send_at": "2026-12-06T00:00:00Z"}
        refused = client.post("/api/v1/announcements", json=early)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "announcements.error.due_before_send"
        assert len(client.get("/api/v1/announcements").json()) == 1
    finally:
        client.__exit__(None, None, None)
    chat = ChatDriver(app_runtime)
    before = len(chat.queued())
    reply = chat.text("/群发 产品核心群 远期 截止 9999-12-31 18:00", as_="lihua")
    assert reply == "截止时间太远了：最晚 2027-12-01（一年以内）。这次没有发送。", reply
    assert len(chat.queued()) == before


def test_a_target_who_left_is_named_as_such(app_runtime: Runtime) -> None:
    """A fresh tester (session 12): a REST target who had left was answered "「全员群」里没有叫
    「#5」的成员"; chat says they have left, and so does REST now. Nothing is sent."""
    from teamassist.database import transaction
    from teamassist.team import people as team_people
    from teamassist.team.models import Member

    people = ids(app_runtime)
    with transaction(app_runtime.factory) as session:
        lisi = session.get(Member, people["lisi"])
        assert lisi is not None
        team_people.deactivate(session, member=lisi, now=app_runtime.clock())
    client = _client(app_runtime, "lihua")
    try:
        body = {"group": "产品核心群", "text": "hi", "kind": "bulk", "targets": [people["lisi"]]}
        refused = client.post("/api/v1/announcements", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "announcements.error.left"
        assert "李四" in refused.json()["message"]
        assert client.get("/api/v1/announcements").json() == []
    finally:
        client.__exit__(None, None, None)


def test_a_read_shows_the_mentions_by_name(app_runtime: Runtime) -> None:
    """A tester read an announcement through REST: each @mention showed as "@?" (its body's
    mention tokens were rendered without the people they name)."""
    # given 李华's /通知 that @s 李四
    ChatDriver(app_runtime).text("/通知 产品核心群 @lisi 请今天提交 Q4 预算", as_="lihua")
    client = _client(app_runtime, "lihua")
    try:
        # when it is read back through REST, as a list and one by one
        [listed] = client.get("/api/v1/announcements").json()
        one = client.get(f"/api/v1/announcements/{listed['id']}").json()
        # then the mention reads as the name
        for data in (listed, one):
            assert data["text"] == "@李四 请今天提交 Q4 预算", data["text"]
    finally:
        client.__exit__(None, None, None)


def test_a_due_date_alone_is_due_at_the_end_of_that_day(app_runtime: Runtime) -> None:
    """A tester's find (session 12): ``"due_at": "2026-12-09"`` was due at 00:00 while chat reads
    ``截止 2026-12-09`` as 18:00 on the team's wall clock (and /api/v1/actions's ``due`` too)."""
    people = ids(app_runtime)
    client = _client(app_runtime, "lihua")
    try:
        body = {
            "group": "产品核心群",
            "text": "提交周报",
            "kind": "bulk",
            "targets": [people["lisi"]],
            "due_at": "2026-12-09",
        }
        made = client.post("/api/v1/announcements", json=body)
        assert made.status_code == 201, made.text
        assert made.json()["due_at"].startswith("2026-12-09T10:00:00")  # 18:00 Beijing, in UTC
    finally:
        client.__exit__(None, None, None)
    chat = ChatDriver(app_runtime)
    # The same words to the same person within 10 minutes: a repeat whichever way it came
    # (tester F4, session 18), so confirmed.
    assert "已经发过了" in chat.text("/群发 产品核心群 @lisi 提交周报 截止 2026-12-09", as_="lihua")
    chat.text("/群发 产品核心群 @lisi 提交周报 截止 2026-12-09 确认重发", as_="lihua")
    with app_runtime.factory() as session:
        dues = session.scalars(
            select(ActionItem.due_at).where(ActionItem.source_kind == "announcement")
        ).all()
    assert len(dues) == 2 and set(dues) == {datetime(2026, 12, 9, 10, 0, tzinfo=UTC)}


def test_the_first_years_a_date_holds_are_past_not_out_of_range(app_runtime: Runtime) -> None:
    """A tester's find (session 12): ``0001-01-01T00:00+01:00`` answered the generic
    ``core.error.out_of_range`` (the UTC arithmetic overflowed); it is a past deadline."""
    client = _client(app_runtime, "lihua")
    try:
        body = {"group": "产品核心群", "text": "x", "due_at": "0001-01-01T00:00+01:00"}
        refused = client.post("/api/v1/announcements", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "announcements.error.past_due"
        assert refused.json()["message"] == "截止时间已经过去了，请写一个未来的时间。"
        assert client.get("/api/v1/announcements").json() == []
    finally:
        client.__exit__(None, None, None)


def test_rest_reads_mentions_and_targets_as_chat_does(app_runtime: Runtime) -> None:
    """Testers (session 13): REST kept "@李四" as literal text, refused ``targets: [4]`` for a
    group whose chat post accepts @李四, and took ``due`` (for ``due_at``) silently: 200 with no
    deadline. Now the text's @names are mentions and targets, a notice may target anyone of
    the workspace as chat's may, and an unknown key is a 422 naming it."""
    people = ids(app_runtime)
    client = _client(app_runtime, "lihua")
    try:
        body = {"group": "产品核心群", "text": "@李四 交材料", "due_at": "2026-12-04T18:00:00"}
        made = client.post("/api/v1/announcements", json=body)
        assert made.status_code == 201, made.text
        assert made.json()["text"] == "@李四 交材料"
        chat = ChatDriver(app_runtime)
        [post] = [m for m in chat.queued() if m.idempotency_key.startswith("announcements:")]
        assert f"<@m:{people['lisi']}>" in post.payload["body"]
        with app_runtime.factory() as session:
            owners = session.scalars(
                select(ActionItem.owner_id).where(ActionItem.source_kind == "announcement")
            ).all()
        assert owners == [people["lisi"]]
        # 王五 is not a core member: a group post may name them, as chat's @王五 may
        outside = {"group": "产品核心群", "text": "请看一下", "targets": [people["wangwu"]]}
        told = client.post("/api/v1/announcements", json=outside)
        assert told.status_code == 201, told.text
        typo = {"group": "产品核心群", "text": "交周报", "due": "2026-12-04"}
        refused = client.post("/api/v1/announcements", json=typo)
        assert refused.status_code == 422, refused.text
        assert ["body", "due"] in [d["loc"] for d in refused.json()["details"]], refused.json()
        assert len(client.get("/api/v1/announcements").json()) == 2
    finally:
        client.__exit__(None, None, None)


def test_rest_refuses_a_past_send_at_and_a_deadline_in_the_text(app_runtime: Runtime) -> None:
    """Session 14: a ``send_at`` in the past (or year 1) sent at once, silently, while a past
    ``due_at`` was refused; and a text ending in ``截止 周五`` went out as plain text with no
    deadline (REST's deadline is ``due_at``). Both are refused now and change nothing; a send
    time a little past (the client's clock) is now, and prose after 截止 stays text."""
    client = _client(app_runtime, "lihua")
    try:
        body = {"group": "产品核心群", "text": "交材料"}
        for send_at in ("2026-11-30T08:00:00+08:00", "0001-01-01T00:00:00+01:00"):
            refused = client.post("/api/v1/announcements", json={**body, "send_at": send_at})
            assert refused.status_code == 422, refused.text
            assert refused.json()["error"] == "announcements.error.past_send", refused.text
        in_text = client.post("/api/v1/announcements", json={**body, "text": "交材料 截止 周五"})
        assert in_text.status_code == 422, in_text.text
        assert in_text.json()["error"] == "announcements.error.rest_due_in_text"
        assert "due_at" in in_text.json()["message"]
        assert client.get("/api/v1/announcements").json() == []
        late = client.post(
            "/api/v1/announcements", json={**body, "send_at": "2026-11-30T08:58:00+08:00"}
        )
        assert late.status_code == 201, late.text
        prose = client.post(
            "/api/v1/announcements", json={**body, "text": "交材料 截止 日期另行通知"}
        )
        assert prose.status_code == 201, prose.text
    finally:
        client.__exit__(None, None, None)


def test_an_address_in_the_text_is_not_a_mention(app_runtime: Runtime) -> None:
    """Session 14: ``a@b.com`` in a text was read as a mention of ``b.com`` (refused as an
    unknown member); an @ inside a word is text, in REST and chat alike."""
    client = _client(app_runtime, "lihua")
    try:
        text = "有问题请发邮件到 admin@lisi.com"
        made = client.post("/api/v1/announcements", json={"group": "产品核心群", "text": text})
        assert made.status_code == 201, made.text
        assert made.json()["text"] == text
    finally:
        client.__exit__(None, None, None)
    chat = ChatDriver(app_runtime)
    reply = chat.text("/通知 产品核心群 联系 zhang.san@lisi 或 @lisi", as_="lihua")
    assert "已排队通知" in reply, reply
    [post] = chat.queued_texts(CORE_CHAT)[-1:]
    assert "zhang.san@lisi" in post, post


def test_an_empty_targets_list_is_refused_not_everyone(app_runtime: Runtime) -> None:
    """Tester M2 (session 16): ``"targets": []`` DMed the whole group (6 receipts), so a script
    whose filter came out empty broadcast to everyone. Only a left-out field means everyone."""
    client = _client(app_runtime, "admin")
    try:
        body = {"group": "开发者社区", "text": "空列表", "kind": "bulk", "targets": []}
        refused = client.post("/api/v1/announcements", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "announcements.error.no_targets"
        assert "targets 是空列表" in refused.json()["message"]
        assert client.get("/api/v1/announcements").json() == []
        assert not [
            m
            for m in ChatDriver(app_runtime).queued()
            if m.idempotency_key.startswith("announcements:")
        ]
        # left out: everyone in the group, as documented
        del body["targets"]
        sent = client.post("/api/v1/announcements", json=body)
        assert sent.status_code == 201, sent.text
        assert len(sent.json()["receipts"]) >= 2
    finally:
        client.__exit__(None, None, None)


def test_empty_targets_are_refused_before_the_group_is_looked_up(app_runtime: Runtime) -> None:
    """Tester F3 (session 16): ``{"group":"产品核心群","targets":[],"text":"hi"}`` for a group
    that does not exist answered 404 unknown group; the body's own fault comes first (422)."""
    client = _client(app_runtime, "admin")
    try:
        body = {"group": "没有这个群", "targets": [], "text": "hi"}
        refused = client.post("/api/v1/announcements", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "announcements.error.no_targets"
        assert "「没有这个群」" in refused.json()["message"]
    finally:
        client.__exit__(None, None, None)


def test_a_scheduled_bulk_dm_says_when_and_skips_who_left(app_runtime: Runtime) -> None:
    """Tester A2/A3 (session 16): the receipts of a bulk DM held for 12月4日 09:00 showed the
    creation time and 发送中 for every member; after /停用成员 @赵六 his copy went to the duty
    channel while his receipt still said 发送中."""
    people = ids(app_runtime)
    chat = ChatDriver(app_runtime)
    client = _client(app_runtime, "admin")
    try:
        body = {
            "group": "开发者社区",
            "text": "定时的",
            "kind": "bulk",
            "send_at": "2026-12-04T09:00:00+08:00",
        }
        made = client.post("/api/v1/announcements", json=body)
        assert made.status_code == 201, made.text
        number = made.json()["id"]
        assert {r["status"] for r in made.json()["receipts"]} == {"scheduled"}
        receipt = chat.text(f"/通知回执 {number}", as_="admin")
        assert f"群发 #{number}（「开发者社区」，已排期 2026年12月4日 09:00 发送）" in receipt
        assert "发送中 0" in receipt and "赵六：已排期" in receipt, receipt
        # 赵六 leaves before it goes out
        reply = chat.text("/停用成员 @zhaoliu", as_="admin")
        assert "已停用 赵六" in reply and "转给值班频道" not in reply, reply
        copies = [m for m in chat.queued() if "定时的" in str(m.payload)]
        assert f"announcements:{number}:m{people['zhaoliu']}" not in {
            m.idempotency_key for m in copies
        }
        assert all(m.channel_id is None for m in copies), "nothing for the duty channel"
        receipt = chat.text(f"/通知回执 {number}", as_="admin")
        assert "赵六：未发送（已停用）" in receipt and "未发送（发送前已停用） 1" in receipt
        [zhao] = [
            r
            for r in client.get(f"/api/v1/announcements/{number}").json()["receipts"]
            if r["member_id"] == people["zhaoliu"]
        ]
        assert zhao["status"] == "left"
        # once the time comes, the others' copies go out
        set_clock(app_runtime, "2026-12-04 09:01")
        app_runtime.deliver()
        receipt = chat.text(f"/通知回执 {number}", as_="admin")
        assert "已排期" not in receipt and f"已送达 {len(copies)}" in receipt, receipt
    finally:
        client.__exit__(None, None, None)


def test_an_idempotency_key_reused_with_another_body_is_refused(app_runtime: Runtime) -> None:
    """Session 14's testers: an ``Idempotency-Key`` reused with another body answered the first
    announcement as if it were a retry, and the second was never sent, without a word. The IETF
    draft "The Idempotency-Key HTTP Header Field" calls that an error (422)."""
    people = ids(app_runtime)
    director = _client(app_runtime, "lihua")
    try:
        body = {
            "group": "产品核心群",
            "text": "周五发版",
            "kind": "bulk",
            "targets": [people["lisi"]],
        }
        key = {"Idempotency-Key": "release-1"}
        first = director.post("/api/v1/announcements", json=body, headers=key)
        assert first.status_code == 201, first.text
        chat = ChatDriver(app_runtime)

        def sent() -> list[str]:
            return [
                m.idempotency_key for m in chat.queued() if "announcements:" in m.idempotency_key
            ]

        before = sent()
        # when the key comes again with another text, or to other people
        for changed in ({**body, "text": "周六发版"}, {**body, "targets": [people["zhangsan"]]}):
            reused = director.post("/api/v1/announcements", json=changed, headers=key)
            # then it is refused, said in Chinese, and nothing is sent or stored
            assert reused.status_code == 422, reused.text
            assert reused.json()["error"] == "core.error.idempotency_key_reused"
            assert "Idempotency-Key" in reused.json()["message"], reused.text
            assert f"#{first.json()['id']}" in reused.json()["message"], reused.text
        assert sent() == before
        assert [a["id"] for a in director.get("/api/v1/announcements").json()] == [
            first.json()["id"]
        ]
        # and the same body (keys in another order) is still a retry, answered with the first
        again = director.post(
            "/api/v1/announcements", json=dict(reversed(list(body.items()))), headers=key
        )
        assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
        assert sent() == before
    finally:
        director.__exit__(None, None, None)


def test_a_key_kept_from_before_the_store_still_answers_its_retry(app_runtime: Runtime) -> None:
    """A REST key stored in ``announcement.source_key`` before the one store was copied there
    by announcements_0004 with no stored answer (and no digest): its retry is answered with
    the announcement as it is now (201, replayed), nothing sent again, whatever the body."""
    people = ids(app_runtime)
    client = _client(app_runtime, "lihua")
    try:
        body = {
            "group": "产品核心群",
            "text": "旧的键",
            "kind": "bulk",
            "targets": [people["lisi"]],
        }
        made = client.post("/api/v1/announcements", json=body)
        assert made.status_code == 201, made.text
        made_id = made.json()["id"]
        with transaction(app_runtime.factory) as session:
            first = session.get(Announcement, made_id)
            assert first is not None
            session.add(
                IdempotencyKey(
                    workspace_id=first.workspace_id,
                    caller=f"m{people['lihua']}",
                    key=stored_key("old-key"),
                    resource=f"announcement:{made_id}",
                    label=f"#{made_id}",
                    created_at=first.created_at,
                )
            )
        again = client.post(
            "/api/v1/announcements",
            json={**body, "text": "别的"},
            headers={"Idempotency-Key": "old-key"},
        )
        assert (again.status_code, again.headers.get("Idempotency-Replayed")) == (201, "true")
        assert again.json()["id"] == made_id and again.json()["text"] == "旧的键", again.text
        assert [a["id"] for a in client.get("/api/v1/announcements").json()] == [made_id]
    finally:
        client.__exit__(None, None, None)


def test_an_idempotency_key_belongs_to_its_caller(app_runtime: Runtime) -> None:
    """Session 16: the key was looked up per workspace, so when two people picked the same
    key ("release-1") the second one's announcement was refused as a reused key (or, with the
    same author, answered with the first's) and never sent. Each caller has their own keys."""
    people = ids(app_runtime)
    body = {"group": "产品核心群", "text": "周五发版", "kind": "bulk", "targets": [people["lisi"]]}
    key = {"Idempotency-Key": "release-1"}
    made = []
    for handle in ("lihua", "admin"):
        client = _client(app_runtime, handle)
        try:
            answer = client.post("/api/v1/announcements", json=body, headers=key)
            assert answer.status_code == 201, answer.text
            assert "Idempotency-Replayed" not in answer.headers
            made.append(answer.json()["id"])
            # each caller's own retry still answers with their own announcement
            again = client.post("/api/v1/announcements", json=body, headers=key)
            assert (again.json()["id"], again.headers["Idempotency-Replayed"]) == (made[-1], "true")
        finally:
            client.__exit__(None, None, None)
    assert made[0] != made[1]
    chat = ChatDriver(app_runtime)
    # both were sent: the outbox holds a DM of each ("announcements:<id>:…")
    sent = {
        m.idempotency_key.split(":")[1]
        for m in chat.queued()
        if m.idempotency_key.startswith("announcements:")
    }
    assert sent == {str(i) for i in made}, sent


def test_the_same_announcement_twice_is_refused_unless_forced(app_runtime: Runtime) -> None:
    """Tester A4 (session 16): a second identical POST a second later went out again; an
    ``Idempotency-Key`` replay still answers with the first (201, replayed, nothing sent)."""
    client = _client(app_runtime, "admin")
    try:
        body = {"group": "开发者社区", "text": "周五前交周报", "kind": "bulk"}
        made = client.post("/api/v1/announcements", json=body, headers={"Idempotency-Key": "a4"})
        assert made.status_code == 201, made.text
        replay = client.post("/api/v1/announcements", json=body, headers={"Idempotency-Key": "a4"})
        assert replay.status_code == 201 and replay.headers["Idempotency-Replayed"] == "true"
        again = client.post("/api/v1/announcements", json=body)
        assert again.status_code == 422, again.text
        assert again.json()["error"] == "announcements.error.repeat"
        assert f"#{made.json()['id']}" in again.json()["message"]
        assert len(client.get("/api/v1/announcements").json()) == 1
        forced = client.post("/api/v1/announcements", json=body | {"force": True})
        assert forced.status_code == 201, forced.text
        assert forced.json()["id"] != made.json()["id"]
    finally:
        client.__exit__(None, None, None)


def _scheduled(client: TestClient, people: dict[str, int]) -> dict[str, Any]:
    """Tester A1's scheduled bulk DM, to two people, with a deadline."""
    body = {
        "group": "开发者社区",
        "text": "定时的",
        "kind": "bulk",
        "targets": [people["zhangsan"], people["lisi"]],
        "send_at": "2026-12-04T09:00:00+08:00",
        "due_at": "2026-12-04T18:00:00+08:00",
    }
    made = client.post("/api/v1/announcements", json=body)
    assert made.status_code == 201, made.text
    data: dict[str, Any] = made.json()
    return data


def _pending(runtime: Runtime, announcement_id: int) -> list[OutboxMessage]:
    with runtime.factory() as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.idempotency_key.startswith(f"announcements:{announcement_id}:")
                )
            )
        )


def test_a_scheduled_announcement_is_cancelled_and_never_sent(app_runtime: Runtime) -> None:
    """Tester A1 (session 16): ``DELETE /api/v1/announcements/3`` of a bulk DM held for
    2026-12-04 09:00 answered 405; no chat command, nothing could stop it. Cancel withdraws
    its pending notices and closes its action items in one transaction; receipts say 已取消."""
    people = ids(app_runtime)
    client = _client(app_runtime, "admin")
    try:
        made = _scheduled(client, people)
        assert len(_pending(app_runtime, made["id"])) == 2
        with app_runtime.factory() as session:
            items = session.scalars(
                select(ActionItem).where(ActionItem.source_kind == "announcement")
            ).all()
            assert len(items) == 2 and {i.state for i in items} == {"open"}
        # A plain member may not; the author (here an admin) may.
        member = _client(app_runtime, "wangwu")
        try:
            refused = member.post(f"/api/v1/announcements/{made['id']}/cancel")
            assert refused.status_code == 403, refused.text
        finally:
            member.__exit__(None, None, None)
        assert len(_pending(app_runtime, made["id"])) == 2
        done = client.post(f"/api/v1/announcements/{made['id']}/cancel")
        assert done.status_code == 200, done.text
        assert done.json()["cancelled_at"] is not None
        assert [r["status"] for r in done.json()["receipts"]] == ["cancelled", "cancelled"]
        assert _pending(app_runtime, made["id"]) == []
        with app_runtime.factory() as session:
            states = session.scalars(
                select(ActionItem.state).where(ActionItem.source_kind == "announcement")
            ).all()
            assert states == ["closed", "closed"]
            # Tester F3 (session 18): the owners were each sent "「通知 #3」已取消，你的以下销项
            # 随之关闭" about a 群发 they never received; nothing at all goes to them now.
            told = session.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.idempotency_key.startswith("actions.source_cancelled")
                )
            ).all()
            assert told == []
        assert [r["action_note"] for r in done.json()["receipts"]] == ["销项已随之关闭"] * 2
        again = client.post(f"/api/v1/announcements/{made['id']}/cancel")
        assert again.status_code == 409, again.text
        assert f"群发 #{made['id']} 已经取消过了" in again.json()["message"]
        # At its send time nothing goes out.
        set_clock(app_runtime, "2026-12-04 09:05")
        app_runtime.deliver()
        assert _pending(app_runtime, made["id"]) == []
        chat = ChatDriver(app_runtime)
        receipt = chat.text(f"/通知回执 {made['id']}", as_="admin")
        assert "取消，没有发出" in receipt and "张三：已取消；销项已随之关闭" in receipt, receipt
        # The chat reply names the kind: "#3 已经取消过了" lost its "#" in the web chat.
        twice = chat.text(f"/取消通知 {made['id']}", as_="admin")
        assert f"群发 #{made['id']} 已经取消过了" in twice, twice
    finally:
        client.__exit__(None, None, None)


def _quiet_core_chat(runtime: Runtime, client: TestClient) -> int:
    """Give the core group chat quiet hours 08:00–20:00 (the clock says 09:00 Beijing, so a
    notice now is held till 20:00); returns the chat's channel id."""
    with runtime.factory() as session:
        [channel_id] = session.scalars(select(Channel.id).where(Channel.address == CORE_CHAT)).all()
    quiet = {"quiet_start": "08:00", "quiet_end": "20:00"}
    assert client.patch(f"/api/v1/channels/{channel_id}", json=quiet).status_code == 200
    return channel_id


def test_a_notice_held_by_quiet_hours_can_still_be_cancelled(app_runtime: Runtime) -> None:
    """Tester F18 (session 18): a notice held by the chat's quiet hours past its send time had
    reached nobody, yet its receipt said 发送中 and ``/取消通知`` answered "已经…开始发送，不能再
    取消了". What counts is that no notice was tried, not the send time."""
    client = _client(app_runtime, "admin")
    try:
        _quiet_core_chat(app_runtime, client)
        made = client.post("/api/v1/announcements", json={"group": "产品核心群", "text": "静默中"})
        assert made.status_code == 201, made.text
        app_runtime.deliver()  # nothing goes: the quiet hours hold it
        [held] = _pending(app_runtime, made.json()["id"])
        assert (held.status, held.attempts) == ("pending", 0)
        set_clock(app_runtime, "2026-11-30 09:30")
        receipt = client.get(f"/api/v1/announcements/{made.json()['id']}").json()
        assert [r["status"] for r in receipt["receipts"]] == ["scheduled"]
        done = client.post(f"/api/v1/announcements/{made.json()['id']}/cancel")
        assert done.status_code == 200, done.text
        assert _pending(app_runtime, made.json()["id"]) == []
    finally:
        client.__exit__(None, None, None)


def test_a_confirmation_word_is_a_word_of_its_own_and_said(app_runtime: Runtime) -> None:
    """Tester F16 (session 18): 「确认重发」 was cut off the end of any 群发, even a first one
    whose sentence ended with it (…请找我确认重发), and the author was not told."""
    chat = ChatDriver(app_runtime)
    first = chat.text("/群发 开发者社区 @zhangsan 邮件没收到的同学请找我确认重发", as_="admin")
    assert "已排队群发" in first and "没有写进消息" not in first, first
    with app_runtime.factory() as session:
        [body] = session.scalars(select(Announcement.body)).all()
    assert plain_text(body).endswith("请找我确认重发"), body
    forced = chat.text("/群发 开发者社区 @zhangsan 请交周报 确认重发", as_="admin")
    assert "已排队群发" in forced and "没有写进消息" in forced, forced


def test_cancel_in_chat_and_too_late_or_claimed(app_runtime: Runtime) -> None:
    """``/取消通知 <编号>``: the same service; refused once the send time came, or while a
    delivery worker holds one of its notices (nothing withdrawn, nothing closed)."""
    people = ids(app_runtime)
    chat = ChatDriver(app_runtime)
    client = _client(app_runtime, "admin")
    try:
        first = _scheduled(client, people)
        second = _scheduled(client, people | {"lisi": people["wangwu"]})
    finally:
        client.__exit__(None, None, None)
    assert "只有群发 #" in chat.text(f"/取消通知 {first['id']}", as_="zhangsan")
    # Tester F5 (session 18): a member asking for receipts was told only a lead may "发通知和群发".
    asked = chat.text(f"/通知回执 {first['id']}", as_="zhangsan")
    assert "可以查看这条通知的回执" in asked and "发通知和群发" not in asked, asked
    # Tester F2: "/通知" alone was told 缺少参数「参数」.
    assert "缺少参数「群名」" in chat.text("/通知", as_="admin")
    reply = chat.text(f"/取消通知 {first['id']}", as_="admin")
    assert f"已取消群发 #{first['id']}" in reply and "2 条" in reply, reply
    assert "2 个销项已随之关闭" in reply and "不会再另行通知" in reply, reply
    assert "/取消通知" in chat.text("/帮助 取消通知", as_="admin")
    # A worker claimed one of the second's notices: the cancel is refused, all kept.
    with transaction(app_runtime.factory) as session:
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.idempotency_key.startswith(f"announcements:{second['id']}:")
            )
        ).first()
        assert row is not None
        row.status = "sending"
    refused = chat.text(f"/cancel-announcement {second['id']}", as_="admin")
    assert "不能再取消" in refused, refused
    assert len(_pending(app_runtime, second["id"])) == 2
    set_clock(app_runtime, "2026-12-04 09:00")
    assert "不能再取消" in chat.text(f"/取消通知 {second['id']}", as_="admin")


def test_rest_bulk_dm_leaves_its_choosing_mentions_out(app_runtime: Runtime) -> None:
    """Tester F5 (session 18), through REST: the same rule as chat's ``/群发``."""
    people = ids(app_runtime)
    client = _client(app_runtime, "lihua")
    try:
        body = {"group": "产品核心群", "kind": "bulk", "text": "@李四 @张三 交材料"}
        made = client.post("/api/v1/announcements", json=body)
        assert made.status_code == 201, made.text
        dms = [
            m
            for m in ChatDriver(app_runtime).queued()
            if m.idempotency_key.startswith("announcements:")
        ]
        assert sorted(m.idempotency_key for m in dms) == sorted(
            f"announcements:1:m{people[h]}" for h in ("lisi", "zhangsan")
        )
        assert {plain_text(m.payload["body"]) for m in dms} == {"交材料"}
        empty = client.post("/api/v1/announcements", json={**body, "text": "@李四"})
        assert empty.status_code == 422, empty.text
        assert "通知内容不能为空" in empty.text
        assert len(client.get("/api/v1/announcements").json()) == 1
    finally:
        client.__exit__(None, None, None)


def test_quiet_hours_name_when_a_notice_goes_and_changing_them_retimes_it(
    app_runtime: Runtime,
) -> None:
    """Tester F18's second half and F4 (session 18): the reply and the receipt of a notice held
    by the chat's quiet hours named its send time (16:15), not when it goes (23:00); clearing
    the hours did not release it. Now both name the end of the quiet hours, clearing them sends
    it on the next pass, and a new window holds what now falls inside it."""
    client = _client(app_runtime, "admin")
    chat = ChatDriver(app_runtime)
    try:
        channel_id = _quiet_core_chat(app_runtime, client)
        reply = chat.text("/通知 产品核心群 周会改到周四", as_="lihua")
        assert "静默结束后于 2026年11月30日 20:00 发出" in reply, reply
        receipt = chat.text("/通知回执 1", as_="lihua")
        assert "已排期 2026年11月30日 20:00 发送" in receipt, receipt
        [held] = _pending(app_runtime, 1)
        assert held.next_attempt_at == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
        rest = client.get("/api/v1/announcements/1").json()["receipts"]
        assert [r["goes_at"] for r in rest] == ["2026-11-30T12:00:00Z"], rest
        # A scheduled one at 10:00 waits for 20:00 as well, and stays at 10:00 once cleared.
        later = {
            "group": "产品核心群",
            "text": "十点的通知",
            "send_at": "2026-11-30T10:00:00+08:00",
        }
        assert client.post("/api/v1/announcements", json=later).status_code == 201
        [scheduled] = _pending(app_runtime, 2)
        assert scheduled.next_attempt_at == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
        cleared = client.patch(f"/api/v1/channels/{channel_id}", json={"clear_quiet": True})
        assert cleared.status_code == 200, cleared.text
        [released] = _pending(app_runtime, 1)
        assert released.next_attempt_at == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # now
        [scheduled] = _pending(app_runtime, 2)
        assert scheduled.next_attempt_at == datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
        app_runtime.deliver()
        assert [r.status for r in _pending(app_runtime, 1)] == ["sent"]
        assert "已送达 1" in chat.text("/通知回执 1", as_="lihua")
        # A new window 09:30–11:00 holds the 10:00 one till 11:00.
        window = {"quiet_start": "09:30", "quiet_end": "11:00"}
        assert client.patch(f"/api/v1/channels/{channel_id}", json=window).status_code == 200
        [scheduled] = _pending(app_runtime, 2)
        assert scheduled.next_attempt_at == datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    finally:
        client.__exit__(None, None, None)


def test_a_deadline_inside_the_quiet_hold_is_refused(app_runtime: Runtime) -> None:
    """Tester F12 (session 19): a notice held by the chat's quiet hours till 20:00 took a
    deadline of 19:00 without a word, so its action items were due before anyone read it.
    Chat and REST refuse it and name both times; nothing is queued; after the hold it goes."""
    client = _client(app_runtime, "admin")
    chat = ChatDriver(app_runtime)
    try:
        _quiet_core_chat(app_runtime, client)
        refused = chat.text("/通知 产品核心群 交周报 截止 2026-11-30 19:00", as_="lihua")
        assert "这次没有发送" in refused and "在群聊的静默时段里" in refused, refused
        assert "19:00" in refused and "20:00" in refused, refused
        body = {"group": "产品核心群", "text": "交周报", "due_at": "2026-11-30T19:00:00+08:00"}
        rest = client.post("/api/v1/announcements", json=body)
        assert rest.status_code == 422, rest.text
        assert rest.json()["error"] == "announcements.error.due_in_quiet"
        assert client.get("/api/v1/announcements").json() == []
        assert _pending(app_runtime, 1) == []
        taken = chat.text("/通知 产品核心群 交周报 截止 2026-11-30 21:00", as_="lihua")
        assert "已排队" in taken and "静默结束后于 2026年11月30日 20:00 发出" in taken, taken
    finally:
        client.__exit__(None, None, None)


def test_rest_ends_a_mention_at_a_glued_colon_as_chat_does(app_runtime: Runtime) -> None:
    """Outside tester F5 (session 22): 「@李四:交材料」 was one name 「李四:交材料」; the
    member names end it, for REST's text as for chat's."""
    people = ids(app_runtime)
    client = _client(app_runtime, "lihua")
    try:
        body = {"group": "产品核心群", "text": "@李四:交材料", "due_at": "2026-12-04T18:00:00"}
        made = client.post("/api/v1/announcements", json=body)
        assert made.status_code == 201, made.text
        with app_runtime.factory() as session:
            items = session.execute(
                select(ActionItem.owner_id, ActionItem.title).where(
                    ActionItem.source_kind == "announcement"
                )
            ).all()
        assert [tuple(row) for row in items] == [(people["lisi"], "交材料")]
    finally:
        client.__exit__(None, None, None)


def test_a_channel_made_without_a_team_is_the_first_teams_for_notices(
    app_runtime: Runtime,
) -> None:
    """Outside tester F6 (session 22): a channel POSTed without ``team_id`` counted as the
    first team's for its name (a second of that name there was refused) but /通知 could not
    reach it. Now /通知 finds it as the first team's group, by chat and REST alike."""
    client = _client(app_runtime, "admin")
    try:
        room = {"platform": "web", "address": "room-ws", "purpose": "team", "name": "外部群"}
        made = client.post("/api/v1/channels", json=room)
        assert made.status_code == 201 and made.json()["team_id"] is None, made.text
        again = client.post("/api/v1/channels", json={**room, "address": "room-2", "team_id": 1})
        assert again.status_code == 409, again.text
        assert again.json()["error"] == "core.error.channel_name_taken", again.json()
        said = ChatDriver(app_runtime).text("/通知 外部群 明天开会", as_="admin")
        assert "已排队通知" in said and "「外部群」的 1 个群聊" in said, said
        sent = client.post("/api/v1/announcements", json={"group": "外部群", "text": "后天开会"})
        assert sent.status_code == 201, sent.text
        posts = [m.address for m in ChatDriver(app_runtime).queued()]
        assert posts.count("room-ws") == 2, posts
    finally:
        client.__exit__(None, None, None)
