"""Delivery to QQ: outages and retries, tokens, passive-reply dedupe, proactive limits, fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from teamassist.adapters.qq.sender import QQSender
from teamassist.adapters.web.models import WebMessage
from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.enums import ChannelPurpose, Platform
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.outbox.senders import OutgoingMessage
from teamassist.team import service as team_service
from teamassist.team.models import Channel
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.qq.conftest import QQHarness, make_harness
from tests.support.chat import RecordingSender


def _row(qq: QQHarness, outbox_id: int) -> OutboxMessage:
    with qq.runtime.factory() as session:
        row = session.get(OutboxMessage, outbox_id)
        assert row is not None
        return row


def _queue_notice(qq: QQHarness, key: str, address: str = "channel:ch-public") -> int:
    with transaction(qq.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        row = outbox_service.enqueue(
            session,
            key=key,
            platform=Platform.QQ.value,
            address=address,
            reply=Reply(title="值班提醒", body=f"notice {key}"),
            now=qq.clock(),
            workspace_id=workspace.id,
        )
        assert row is not None
        session.flush()
        return row.id


def test_outage_keeps_the_reply_queued_and_delivers_it_once_when_qq_is_back(
    qq: QQHarness,
) -> None:
    qq.fake.fail(503, times=2, path="/messages")
    qq.post(fakeqq.group_at_message(event_id="G:e1", message_id="gm1", text="/帮助"))

    first = qq.deliver()
    [row] = qq.outbox()
    assert first.retried == 1 and row.status == OutboxStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at > qq.clock()  # backoff
    assert qq.deliver().sent == 0  # not due yet: nothing is sent early

    qq.clock.set(qq.clock() + timedelta(minutes=5))
    assert qq.deliver().retried == 1  # still down
    qq.clock.set(qq.clock() + timedelta(minutes=5))
    assert qq.deliver().sent == 1  # back
    qq.clock.set(qq.clock() + timedelta(hours=1))
    qq.deliver()

    [call] = qq.fake.messages()
    assert call.body["msg_id"] == "gm1" and call.body["msg_seq"] == row.id
    assert _row(qq, row.id).status == OutboxStatus.SENT and _row(qq, row.id).attempts == 3


def test_token_endpoint_outage_is_retried(qq: QQHarness) -> None:
    qq.fake.fail(502, path="/app/getAppAccessToken")
    notice = _queue_notice(qq, "n1")

    assert qq.deliver().retried == 1
    qq.clock.set(qq.clock() + timedelta(minutes=5))
    assert qq.deliver().sent == 1
    assert _row(qq, notice).status == OutboxStatus.SENT


def test_a_wrong_token_url_is_named_and_the_notice_waits_for_it(qq: QQHarness) -> None:
    """Tester s29 F-14: auth_base given as a base URL (404 from the server there) read as
    "QQ refused the credentials" and the notice died on its first try; the app id and secret
    were right. It names the URL and the setting, and the notice is tried again."""
    qq.fake.fail(404, path="/app/getAppAccessToken")
    notice = _queue_notice(qq, "n1")

    stats = qq.deliver()

    row = _row(qq, notice)
    assert (stats.retried, stats.dead, row.status) == (1, 0, OutboxStatus.PENDING)
    error = row.last_error or ""
    assert "no QQ token endpoint at" in error and "qq.auth_base" in error, error
    assert "refused the credentials" not in error
    qq.clock.set(qq.clock() + timedelta(minutes=5))
    assert qq.deliver().sent == 1  # once the endpoint answers, it goes


def test_wrong_credentials_give_up_at_once(
    sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ
) -> None:
    harness = make_harness(sqlite_url, clock, fake_qq)
    try:
        fake_qq.secret = "rotated-on-the-platform"
        notice = _queue_notice(harness, "n1")

        stats = harness.deliver()

        assert stats.dead == 1 and _row(harness, notice).status == OutboxStatus.DEAD
        assert "refused the credentials" in (_row(harness, notice).last_error or "")
    finally:
        harness.runtime.close()


def test_token_is_cached_and_refreshed_after_401(qq: QQHarness) -> None:
    _queue_notice(qq, "n1")
    _queue_notice(qq, "n2")
    qq.deliver()
    assert qq.fake.tokens_issued == 1  # one token for both

    qq.fake.tokens_issued += 1  # the platform rotated it: the cached one now gets 401
    _queue_notice(qq, "n3")
    assert qq.deliver().sent == 1
    assert qq.fake.tokens_issued == 3
    assert qq.fake.messages()[-1].headers["authorization"] == "QQBot token-3"


def test_a_retry_after_a_lost_answer_is_deduplicated_by_qq(qq: QQHarness) -> None:
    sender = qq.runtime.senders["qq"]
    assert isinstance(sender, QQSender)
    message = OutgoingMessage(
        outbox_id=41,
        platform="qq",
        address="group:G-OPENID-1",
        reply=Reply(body="你好"),
        idempotency_key="reply:qq:x:e1",
        reply_to="gm1",
    )

    assert sender.send(message) is not None
    assert sender.send(message) is None  # QQ answers 40054005: it already has it

    assert len(qq.fake.messages()) == 1


def test_an_expired_passive_reply_is_sent_proactively(qq: QQHarness) -> None:
    qq.fake.fail(400, code=304027, times=2, path="/v2/groups")  # msg_id too old, any format
    qq.post(fakeqq.group_at_message(event_id="G:e1", message_id="gm1", text="/帮助"))

    assert qq.deliver().sent == 1

    [call] = qq.fake.messages()
    assert "msg_id" not in call.body and "msg_seq" not in call.body
    assert call.body["msg_type"] == 2  # still markdown: not a format issue


def test_notices_to_a_qq_channel_are_proactive_markdown(qq: QQHarness) -> None:
    with transaction(qq.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team = team_service.default_team(session, workspace_id=workspace.id)
        team_service.create_channel(
            session,
            workspace=workspace,
            team=team,
            platform="qq",
            address="channel:ch-public",
            purpose=ChannelPurpose.PUBLIC.value,
        )
        notify.to_channels(
            session,
            team=team,
            purpose=ChannelPurpose.PUBLIC,
            reply=Reply(title="公告", body="今晚维护"),
            key="announce:1",
            now=qq.clock(),
        )

    qq.deliver()

    [call] = qq.fake.messages("/channels/ch-public/messages")
    assert "msg_id" not in call.body
    assert call.body["markdown"]["content"] == "**公告**\n\n今晚维护"


def test_over_the_daily_channel_limit_notices_go_to_the_fallback(
    sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ
) -> None:
    harness = make_harness(
        sqlite_url,
        clock,
        fake_qq,
        proactive_daily_limit_per_channel=2,
        fallback_channel="feishu:oc_fallback",
    )
    try:
        ids = [_queue_notice(harness, f"n{i}") for i in range(3)]

        harness.deliver()  # two go to QQ, the third is queued again for Feishu
        harness.deliver()  # the fallback row is delivered

        assert len(fake_qq.messages()) == 2
        third = _row(harness, ids[2])
        assert third.status == OutboxStatus.SENT and (third.external_id or "").startswith(
            "fallback:#"
        )
        fallback = _row(harness, int((third.external_id or "").split("#")[1]))
        assert (fallback.platform, fallback.address) == ("feishu", "oc_fallback")
        assert fallback.idempotency_key == "n2:qq-fallback"
        feishu = harness.runtime.senders["feishu"]
        assert isinstance(feishu, RecordingSender)
        assert [m.reply.body for m in feishu.sent] == ["notice n2"]

        # The next day (Beijing time) the channel takes proactive notices again.
        clock.set(datetime(2026, 6, 1, 16, 0, 1, tzinfo=UTC))
        _queue_notice(harness, "n-next-day")
        harness.deliver()
        assert len(fake_qq.messages()) == 3
    finally:
        harness.runtime.close()


def test_qq_refusing_a_proactive_message_routes_it_to_a_fallback_channel(
    sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ
) -> None:
    harness = make_harness(sqlite_url, clock, fake_qq)
    with harness.runtime.factory() as session:
        duty_room = session.scalar(select(Channel).where(Channel.address == "duty-room"))
        assert duty_room is not None
    harness.runtime.close()
    harness = make_harness(sqlite_url, clock, fake_qq, fallback_channel=str(duty_room.id))
    try:
        fake_qq.fail(400, code=304045, path="/v2/groups")  # "push msg limit exceeded"
        notice = _queue_notice(harness, "g1", address="group:G-OPENID-1")

        harness.deliver()
        harness.deliver()

        assert fake_qq.messages() == []
        assert (_row(harness, notice).external_id or "").startswith("fallback:#")
        with harness.runtime.factory() as session:
            [web] = session.scalars(select(WebMessage)).all()
            assert web.address == "duty-room"
        # QQ's word counts: the group's month is used up, the next notice goes straight over.
        second = _queue_notice(harness, "g2", address="group:G-OPENID-1")
        harness.deliver()
        assert fake_qq.messages() == []
        assert (_row(harness, second).external_id or "").startswith("fallback:#")
    finally:
        harness.runtime.close()


def test_without_a_fallback_the_notice_waits_for_the_limit_to_reset(
    sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ
) -> None:
    harness = make_harness(sqlite_url, clock, fake_qq, proactive_monthly_limit_per_group=1)
    try:
        _queue_notice(harness, "g1", address="group:G-OPENID-1")
        waiting = _queue_notice(harness, "g2", address="group:G-OPENID-1")

        harness.deliver()

        row = _row(harness, waiting)
        assert len(fake_qq.messages()) == 1
        assert row.status == OutboxStatus.PENDING
        assert "no qq.fallback_channel" in (row.last_error or "")
        # 2026-07-01 00:00 Asia/Shanghai
        assert row.next_attempt_at >= datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
    finally:
        harness.runtime.close()


def test_where_qq_refuses_markdown_replies_go_as_text(qq: QQHarness) -> None:
    qq.fake.markdown_refused.add("/channels/")
    qq.post(fakeqq.guild_at_message(event_id="e1", message_id="m1", text="/帮助"))
    qq.post(fakeqq.guild_at_message(event_id="e2", message_id="m2", text="/我是谁"))
    qq.post(fakeqq.group_at_message(event_id="g1", message_id="gm1", text="/帮助"))

    assert qq.deliver().sent == 3

    first, second = qq.fake.messages("/channels/ch-public/messages")
    assert "markdown" not in first.body and first.body["msg_id"] == "m1"
    assert "**" not in first.body["content"]  # plain text rendering
    assert second.body["msg_id"] == "m2"
    assert len(qq.fake.refused) == 1  # learnt once, not asked again
    [group] = qq.fake.messages("/v2/groups/G-OPENID-1/messages")
    assert group.body["msg_type"] == 2  # groups still get markdown


def test_webhook_to_reply_and_limits_with_fallback_on_every_backend(
    db_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ
) -> None:
    harness = make_harness(
        db_url,
        clock,
        fake_qq,
        proactive_daily_limit_per_channel=1,
        fallback_channel="feishu:oc_fallback",
    )
    try:
        harness.post(
            fakeqq.guild_at_message(event_id="e1", message_id="m1", text="/问题反馈 页面崩了 🚀")
        )
        first = _queue_notice(harness, "n1")
        second = _queue_notice(harness, "n2")
        harness.deliver()
        harness.deliver()

        reply, notice = fake_qq.messages("/channels/ch-public/messages")
        assert reply.body["msg_id"] == "m1" and "🚀" in reply.body["markdown"]["content"]
        assert "msg_id" not in notice.body
        assert (_row(harness, first).external_id or "").startswith("qqmsg-")
        assert (_row(harness, second).external_id or "").startswith("fallback:#")
    finally:
        harness.runtime.close()


def test_a_late_reply_beyond_the_proactive_limit_gives_up_instead_of_falling_back(
    sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ
) -> None:
    harness = make_harness(
        sqlite_url,
        clock,
        fake_qq,
        proactive_monthly_limit_per_group=0,
        fallback_channel="feishu:oc_fallback",
    )
    try:
        fake_qq.fail(400, code=304027, times=2, path="/v2/groups")  # reply window closed
        harness.post(fakeqq.group_at_message(event_id="G:e1", message_id="gm1", text="/帮助"))

        stats = harness.deliver()

        [row] = harness.outbox()
        assert stats.dead == 1 and row.status == OutboxStatus.DEAD
        assert "reply window has closed" in (row.last_error or "")
    finally:
        harness.runtime.close()


def _member_with_qq(qq: QQHarness, handle: str, tenant_key: str, user_key: str) -> int:
    with transaction(qq.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        member = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle=handle
        )
        assert member is not None
        team_service.add_identity(
            session, member=member, platform="qq", tenant_key=tenant_key, user_key=user_key
        )
        notify.to_member(
            session,
            member=member,
            reply=Reply(body="你被指派了一个反馈"),
            key="assign:1",
            now=qq.clock(),
        )
        return member.id


def test_a_direct_notice_reaches_a_c2c_user_proactively(qq: QQHarness) -> None:
    _member_with_qq(qq, "zhangsan", qq.fake.app_id, "UO-ZHANG")

    qq.deliver()

    [call] = qq.fake.messages("/v2/users/UO-ZHANG/messages")
    assert "msg_id" not in call.body and call.body["msg_type"] == 2


def test_a_direct_notice_to_a_guild_only_member_lands_in_their_web_inbox(qq: QQHarness) -> None:
    member_id = _member_with_qq(qq, "lisi", "g-1", "u-li")  # guild ids cannot be written to

    qq.deliver()
    qq.deliver()

    assert qq.fake.messages() == []
    with qq.runtime.factory() as session:
        [web] = session.scalars(select(WebMessage)).all()
        assert web.address == f"member:{member_id}"


def test_a_c2c_user_over_the_monthly_limit_gets_the_notice_in_their_web_inbox(
    sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ
) -> None:
    harness = make_harness(
        sqlite_url,
        clock,
        fake_qq,
        proactive_monthly_limit_per_user=0,
        fallback_channel="feishu:oc_shared",  # personal notices never go to a shared channel
    )
    try:
        member_id = _member_with_qq(harness, "wangwu", fake_qq.app_id, "UO-WANG")

        harness.deliver()
        harness.deliver()

        assert fake_qq.messages() == []
        with harness.runtime.factory() as session:
            [web] = session.scalars(select(WebMessage)).all()
            assert web.address == f"member:{member_id}"
    finally:
        harness.runtime.close()
