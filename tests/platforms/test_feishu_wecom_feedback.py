"""One story across two platforms: a Feishu user reports a problem with /问题反馈; the reporter
gets a Feishu card, the team's WeCom robot gets the notice."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from teamassist.adapters.feishu.webhook import EVENTS_PATH
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.enums import ChannelPurpose
from teamassist.team import service as team_service
from teamassist.web.app import create_app
from tests.conftest import bind_tenant, load_demo, make_runtime
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes.feishu import FakeFeishu
from tests.platforms.fakes.wecom import FakeWeCom


def test_feedback_from_feishu_is_announced_by_the_wecom_robot(
    sqlite_url: str, clock: FrozenClock
) -> None:
    feishu, wecom = FakeFeishu().start(), FakeWeCom({"KEY-duty"}).start()
    try:
        runtime = make_runtime(
            sqlite_url,
            clock,
            feishu={
                "enabled": True,
                "app_id": f"cli_{uuid.uuid4().hex[:12]}",
                "app_secret": fk.APP_SECRET,
                "encrypt_key": fk.ENCRYPT_KEY,
                "verification_token": fk.VERIFICATION_TOKEN,
                "domain": feishu.url,
            },
            wecom={"enabled": True, "api_base": wecom.url, "robots": {"duty": "KEY-duty"}},
        )
        load_demo(runtime)
        bind_tenant(runtime, "feishu", fk.TENANT_KEY, kind="tenant")
        with transaction(runtime.factory) as session:
            workspace = team_service.get_workspace_by_key(session, key="demo")
            assert workspace is not None
            team_service.create_channel(
                session,
                workspace=workspace,
                platform="wecom",
                address="duty",
                purpose=ChannelPurpose.WEBHOOK.value,
                name="值班群机器人",
            )
        with TestClient(create_app(runtime, start_background=False)) as http:
            body, headers = fk.signed(
                fk.message_event(
                    "@_user_1 /问题反馈 登录页面一直转圈",
                    mentions=[("@_user_1", "ou_bot", "小助理")],
                ),
                timestamp=clock().timestamp(),
            )
            assert http.post(EVENTS_PATH, content=body, headers=headers).status_code == 200
            stats = runtime.deliver()
        assert stats.errors == [] and stats.sent >= 2
        # the reporter's answer: a card replying to their message in the Feishu group
        [answer] = [c for c in feishu.messages() if c.path.endswith("/om_in_1/reply")]
        text = answer.content["body"]["elements"][0]["content"]
        assert "「登录页面一直转圈」" in text and "反馈编号" in text
        # the robot's notice: markdown with the text of the report
        [notice] = wecom.received
        assert notice.key == "KEY-duty" and notice.markdown.startswith("**新的问题反馈**")
        assert "登录页面一直转圈" in notice.markdown
    finally:
        feishu.stop()
        wecom.stop()
