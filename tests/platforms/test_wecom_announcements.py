"""Issue 13: announcements to a WeCom group. WeCom robots only post (they receive nothing), so
the director gives the command on QQ: a signed C2C callback through the real QQ webhook, and
the fake WeCom robot records what the group receives (``<@userid>`` mentions); a 群发 to a
WeCom group DMs each member where they can be reached, never the robot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from teamassist.adapters import webhook_kit
from teamassist.adapters.web.models import WebMessage
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Channel
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo, make_runtime
from tests.okr.support import set_clock
from tests.outreach.support import CORE_CHAT, set_up_groups
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.fakes.wecom import FakeWeCom
from tests.platforms.qq.conftest import qq_settings

ROBOT_KEY = "KEY-core"
DIRECTOR = "UO-LIHUA"


@pytest.fixture(autouse=True)
def _answer_after_handling(monkeypatch: pytest.MonkeyPatch) -> None:
    # The webhook answers QQ after at most ACK_SECONDS and may go on handling the command; on a
    # loaded machine deliver() could then run before the command's notices are queued.
    monkeypatch.setattr(webhook_kit, "ACK_SECONDS", 120.0)


@pytest.fixture(scope="module")
def wecom() -> Iterator[FakeWeCom]:
    server = FakeWeCom({ROBOT_KEY}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def qq_fake() -> Iterator[fakeqq.FakeQQ]:
    fake = fakeqq.start()
    yield fake
    assert fake.server is not None
    fake.server.stop()


@dataclass
class Env:
    runtime: Runtime
    http: TestClient
    qq: fakeqq.FakeQQ
    wecom: FakeWeCom

    def dm(self, text: str, *, event_id: str) -> None:
        """The director writes ``text`` to the bot in her QQ private chat (signed by QQ)."""
        body = fakeqq.c2c_message(
            event_id=event_id, message_id=f"m-{event_id}", text=text, user_openid=DIRECTOR
        )
        headers = self.qq.signed_headers(body, int(self.runtime.clock().timestamp()))
        assert self.http.post("/qq/webhook", content=body, headers=headers).status_code == 200

    def answers(self) -> list[str]:
        calls = self.qq.messages(f"/v2/users/{DIRECTOR}/messages")
        return [json.dumps(c.body, ensure_ascii=False) for c in calls]


def _identity(runtime: Runtime, handle: str, platform: str, tenant: str, user_key: str) -> None:
    with transaction(runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        member = team_service.get_member_by_handle(
            session, workspace_id=workspace.id, handle=handle
        )
        assert member is not None
        team_service.add_identity(
            session, member=member, platform=platform, tenant_key=tenant, user_key=user_key
        )


@pytest.fixture
def env(
    sqlite_url: str, clock: FrozenClock, qq_fake: fakeqq.FakeQQ, wecom: FakeWeCom
) -> Iterator[Env]:
    """The demo team: 李华 directs it from QQ; 产品核心群 (张三, 李四 core) is a WeCom group
    with a robot; 李四's WeCom user id is ``lisi``."""
    qq_fake.calls.clear()
    wecom.reset()
    runtime = make_runtime(
        sqlite_url,
        clock,
        qq=qq_settings(qq_fake),
        wecom={"enabled": True, "api_base": wecom.url, "robots": {"core": ROBOT_KEY}},
    )
    load_demo(runtime)
    bind_tenant(runtime, "qq", qq_fake.app_id, kind="c2c")
    set_clock(runtime, "2026-11-30 09:00")
    set_up_groups(runtime, platform="wecom")
    with transaction(runtime.factory) as session:
        core = update(Channel).where(Channel.address == CORE_CHAT)
        session.execute(core.values(address="core"))  # the robot's name in the settings
    _identity(runtime, "lihua", "qq", qq_fake.app_id, DIRECTOR)
    _identity(runtime, "lisi", "wecom", "corp", "lisi")
    with TestClient(create_app(runtime, start_background=False)) as http:
        yield Env(runtime, http, qq_fake, wecom)
    runtime.close()


def test_notice_reaches_the_wecom_group_with_a_native_mention_once(env: Env) -> None:
    # when the director announces to the core group naming 李四, and QQ redelivers the event
    env.dm("/通知 产品核心群 @李四 请今天提交 Q4 预算", event_id="C2C:notice")
    env.dm("/通知 产品核心群 @李四 请今天提交 Q4 预算", event_id="C2C:notice")
    env.runtime.deliver()
    # then the robot posted once, mentioning 李四 by his WeCom user id
    [post] = env.wecom.received
    assert post.key == ROBOT_KEY and post.body["msgtype"] == "markdown"
    assert "<@lisi>" in post.markdown and "请今天提交 Q4 预算" in post.markdown
    # and the director got one answer on QQ
    [answer] = env.answers()
    assert "已排队通知 #1" in answer


def test_director_grammar_reaches_the_wecom_group_once(env: Env) -> None:
    # when the seed's form arrives twice under one event id
    text = "###产品核心群###@@@李四@@@$$$202612041800$$$提交Q4预算"
    env.dm(text, event_id="C2C:seed")
    env.dm(text, event_id="C2C:seed")
    env.runtime.deliver()
    # then the group got it once, with 李四's mention and the deadline in Beijing time
    [post] = env.wecom.received
    assert "<@lisi>" in post.markdown and "12月4日18:00提交Q4预算" in post.markdown
    assert len(env.answers()) == 1


def test_bulk_notice_to_a_wecom_group_dms_members_never_the_robot(env: Env) -> None:
    # when the director sends a 群发 to the core group (a robot cannot DM anyone)
    env.dm("/群发 产品核心群 明天放假", event_id="C2C:bulk")
    env.runtime.deliver()
    # then the robot posted nothing; 张三 and 李四 (no direct chat platform) got it in their
    # dashboard inbox, one each
    assert env.wecom.received == []
    with env.runtime.factory() as session:
        inbox = session.scalars(select(WebMessage).where(WebMessage.address.like("member:%")))
        texts = [json.dumps(m.payload, ensure_ascii=False) for m in inbox]
    assert len(texts) == 2 and all("明天放假" in t for t in texts)
    assert len(env.answers()) == 1
