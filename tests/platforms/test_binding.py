"""Binding QQ guilds and Feishu tenants to workspaces with ``/绑定``, through signed webhooks
against the fake platforms; what an unbound tenant is told; two workspaces kept apart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from teamassist.adapters.feishu.webhook import EVENTS_PATH
from teamassist.chat.render import to_plain
from teamassist.chat.types import Reply
from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.feedback.models import FeedbackItem
from teamassist.outbox.models import OutboxMessage
from teamassist.ports import Directory
from teamassist.runtime import Runtime
from teamassist.team import binding, directory
from teamassist.team import service as team_service
from teamassist.team.models import (
    BindingCode,
    Member,
    PlatformIdentity,
    PlatformTenant,
    Team,
    Workspace,
)
from teamassist.web.app import create_app
from tests.conftest import make_runtime
from tests.platforms.fakes import feishu as fk
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.fakes.feishu import FakeChat, FakeFeishu
from tests.platforms.qq.conftest import qq_settings

OTHER_TENANT = "tenant-other"


@dataclass
class Install:
    """One install with QQ and Feishu enabled and two workspaces, 阿尔法 and 贝塔."""

    runtime: Runtime
    http: TestClient
    qq: fakeqq.FakeQQ
    feishu: FakeFeishu
    clock: FrozenClock
    n: int = 0

    def qq_say(self, text: str, *, guild: str = "g-1", **kw: Any) -> None:
        self.n += 1
        body = fakeqq.guild_at_message(
            event_id=f"e{self.n}", message_id=f"m{self.n}", text=text, guild_id=guild, **kw
        )
        ts = int(self.clock().timestamp())
        response = self.http.post(
            "/qq/webhook", content=body, headers=self.qq.signed_headers(body, ts)
        )
        assert response.status_code == 200

    def qq_group_say(self, text: str, *, group: str, **kw: Any) -> None:
        self.n += 1
        body = fakeqq.group_at_message(
            event_id=f"e{self.n}", message_id=f"m{self.n}", text=text, group_openid=group, **kw
        )
        ts = int(self.clock().timestamp())
        response = self.http.post(
            "/qq/webhook", content=body, headers=self.qq.signed_headers(body, ts)
        )
        assert response.status_code == 200

    def feishu_say(self, text: str, **kw: Any) -> None:
        self.n += 1
        kw.setdefault("message_id", f"om_{self.n}")
        body, headers = fk.signed(fk.message_event(text, **kw), timestamp=self.clock().timestamp())
        assert self.http.post(EVENTS_PATH, content=body, headers=headers).status_code == 200

    def replies(self) -> list[str]:
        """Every reply queued so far, as plain text, oldest first."""
        with self.runtime.factory() as session:
            rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            return [to_plain(Reply.model_validate(r.payload)) for r in rows]

    def code(self, workspace: str, platform: str | None = None) -> str:
        with transaction(self.runtime.factory) as session:
            ws = team_service.get_workspace_by_key(session, key=workspace)
            assert ws is not None
            return binding.create_code(
                session, workspace=ws, now=self.clock(), platform=platform
            ).code

    def bound_to(self, platform: str, tenant: str) -> str | None:
        with self.runtime.factory() as session:
            ws = team_service.resolve_workspace(session, platform=platform, tenant_key=tenant)
            return ws.key if ws else None

    def count(self, model: type) -> int:
        with self.runtime.factory() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def feishu() -> Iterator[FakeFeishu]:
    server = FakeFeishu().start()
    yield server
    server.stop()


@pytest.fixture
def install(
    sqlite_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ, feishu: FakeFeishu
) -> Iterator[Install]:
    runtime = make_runtime(
        sqlite_url,
        clock,
        qq=qq_settings(fake_qq),
        feishu={
            "enabled": True,
            "app_id": f"cli_{uuid.uuid4().hex[:12]}",
            "app_secret": fk.APP_SECRET,
            "encrypt_key": fk.ENCRYPT_KEY,
            "verification_token": fk.VERIFICATION_TOKEN,
            "domain": feishu.url,
            "bot_open_id": "ou_bot",
        },
    )
    with transaction(runtime.factory) as session:
        for key, name, team in (
            ("alpha", "阿尔法社区", "阿尔法团队"),
            ("beta", "贝塔公司", "贝塔团队"),
        ):
            ws = team_service.create_workspace(session, key=key, name=name)
            team_service.create_team(
                session, workspace=ws, key="core", name=team, timezone="Asia/Shanghai"
            )
    with TestClient(create_app(runtime, start_background=False)) as http:
        yield Install(runtime, http, fake_qq, feishu, clock)
    runtime.close()


def test_an_unbound_guild_is_told_about_binding_once_a_day_and_nothing_runs(
    install: Install,
) -> None:
    install.qq_say("/问题反馈 登录不了")
    install.qq_say("/帮助")
    install.qq_say("大家好")  # chatter in a group: never answered
    # one hint for the chat that day, nothing recorded, nobody enrolled
    [hint] = install.replies()
    assert "/绑定" in hint and "绑定码" in hint
    assert install.count(FeedbackItem) == 0 and install.count(Member) == 0
    assert install.bound_to("qq", "g-1") is None
    # a day later the chat is told again, once
    install.clock.set(install.clock() + timedelta(days=1, minutes=1))
    install.qq_say("/帮助")
    install.qq_say("/帮助")
    assert len(install.replies()) == 2


def test_a_guild_admin_binds_the_guild_with_a_code(install: Install) -> None:
    code = install.code("alpha")
    # a member who is no admin of the guild is refused, and the code is not spent
    install.qq_say(f"/绑定 {code}", author_id="u-member", roles=["1"])
    assert "只有本群/频道的管理员" in install.replies()[-1]
    assert install.bound_to("qq", "g-1") is None
    # the guild's 管理员 binds it; the reply names the workspace, and who becomes admin of
    # which team (tester s27 A-7: nothing said that every later group admin would be one)
    install.qq_say(f"/绑定 {code.lower()}", author_id="u-boss", author_name="老板", roles=["2"])
    said = install.replies()[-1]
    assert "已绑定到工作区「阿尔法社区」" in said
    assert "本群的群主和管理员" in said and "不能给有网页后台账号的管理员降级" in said, said
    assert install.bound_to("qq", "g-1") == "alpha"
    with install.runtime.factory() as session:
        tenant = session.scalar(select(PlatformTenant))
        assert tenant is not None and tenant.kind == "guild" and tenant.bound_by_id is not None
        boss = session.get(Member, tenant.bound_by_id)
        assert boss is not None and boss.display_name == "老板"
        team = session.scalar(select(Team).where(Team.workspace_id == tenant.workspace_id))
        assert team is not None
        assert team_service.role_of(session, team=team, member=boss) is Role.ADMIN
        assert f"你已成为「{team.name}」的管理员" in said, said
        # only the hash of the code is stored, and it is spent
        row = session.scalar(select(BindingCode))
        assert row is not None and code not in row.code_hash and row.used_at is not None
    # the guild now works: a command runs in 阿尔法
    install.qq_say("/我是谁", author_id="u-boss", author_name="老板", roles=["2"])
    assert "阿尔法团队" in install.replies()[-1]
    # the spent code binds nothing else
    install.qq_say(f"/绑定 {code}", guild="g-2", author_id="u-x", roles=["4"])
    assert "已经用过了" in install.replies()[-1]
    assert install.bound_to("qq", "g-2") is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("NOTACODE", "绑定码不对"),
        ("", "请在 /绑定 后面写上"),
    ],
)
def test_wrong_codes_change_nothing(install: Install, code: str, expected: str) -> None:
    install.qq_say(f"/绑定 {code}".strip(), roles=["4"])
    assert expected in install.replies()[-1]
    assert install.bound_to("qq", "g-1") is None and install.count(Member) == 0


def test_an_expired_code_and_a_code_for_another_platform_are_refused(install: Install) -> None:
    old = install.code("alpha")
    feishu_only = install.code("alpha", platform="feishu")
    install.clock.set(install.clock() + binding.CODE_TTL + timedelta(seconds=1))
    install.qq_say(f"/绑定 {old}", roles=["4"])
    assert "已经过期" in install.replies()[-1]
    fresh_feishu_only = install.code("alpha", platform="feishu")
    install.qq_say(f"/绑定 {fresh_feishu_only}", author_id="u-2", roles=["4"])
    assert "只能在 feishu 上使用" in install.replies()[-1]
    assert install.bound_to("qq", "g-1") is None
    assert feishu_only != fresh_feishu_only
    with install.runtime.factory() as session:
        assert session.scalar(select(func.count()).where(BindingCode.used_at.is_not(None))) == 0


def test_a_code_of_one_workspace_cannot_bind_a_tenant_of_another(install: Install) -> None:
    install.qq_say(f"/绑定 {install.code('beta')}", roles=["4"])
    assert install.bound_to("qq", "g-1") == "beta"
    alpha_code = install.code("alpha")
    install.qq_say(f"/绑定 {alpha_code}", roles=["4"])
    assert "已经绑定到另一个工作区" in install.replies()[-1]
    assert install.bound_to("qq", "g-1") == "beta"
    with install.runtime.factory() as session:
        spent = session.scalar(select(func.count()).where(BindingCode.used_at.is_not(None)))
        assert spent == 1  # beta's; alpha's stays unused


def test_a_qq_group_owner_binds_the_group(install: Install) -> None:
    install.qq_group_say(f"/绑定 {install.code('alpha')}", group="G-9", member_role="owner")
    assert "阿尔法社区" in install.replies()[-1]
    with install.runtime.factory() as session:
        tenant = session.scalar(select(PlatformTenant))
        assert tenant is not None and (tenant.tenant_key, tenant.kind) == ("G-9", "group")


def test_two_guilds_in_two_workspaces_see_only_their_own(install: Install) -> None:
    install.qq_say(f"/绑定 {install.code('alpha')}", guild="g-1", author_id="u-a", roles=["4"])
    install.qq_say(f"/绑定 {install.code('beta')}", guild="g-2", author_id="u-b", roles=["4"])
    install.qq_say("/问题反馈 阿尔法的问题", guild="g-1", author_id="u-a1", author_name="甲")
    install.qq_say("/问题反馈 贝塔的问题", guild="g-2", author_id="u-b1", author_name="乙")
    with install.runtime.factory() as session:
        by_ws = _feedback_by_workspace(session)
        assert by_ws == {"alpha": ["阿尔法的问题"], "beta": ["贝塔的问题"]}
        assert _names(session, "alpha") == {"甲", "张三"} and _names(session, "beta") == {
            "乙",
            "张三",
        }


def _feedback_by_workspace(session: Any) -> dict[str, list[str]]:
    rows = session.execute(
        select(Workspace.key, FeedbackItem.text)
        .join(Team, Team.workspace_id == Workspace.id)
        .join(FeedbackItem, FeedbackItem.team_id == Team.id)
        .order_by(FeedbackItem.id)
    ).all()
    found: dict[str, list[str]] = {}
    for key, text in rows:
        found.setdefault(key, []).append(text)
    return found


def _names(session: Any, workspace: str) -> set[str]:
    ws = team_service.get_workspace_by_key(session, key=workspace)
    assert ws is not None
    return {m.display_name for m in team_service.get_members(session, workspace_id=ws.id)}


def test_a_qq_guild_and_a_feishu_tenant_in_two_workspaces_are_isolated(install: Install) -> None:
    install.qq.guild_channels["g-1"] = [("ch-public", "公共频道", 0), ("ch-voice", "语音", 2)]
    install.feishu.users.update({"ou_owner": "飞书群主", "ou_li": "飞书李四"})
    install.feishu.chats["oc_group"] = FakeChat(
        name="贝塔团队群", owner_id="ou_owner", members=[("ou_owner", "飞书群主")]
    )
    # QQ's guild goes to 阿尔法, Feishu's tenant to 贝塔; each by its platform's admin
    install.qq_say(f"/绑定 {install.code('alpha')}", roles=["4"], author_name="QQ站长")
    beta_code = install.code("beta", platform="feishu")
    install.feishu_say(f"/绑定 {beta_code}", sender="ou_li")  # not the chat's owner
    assert "只有本群/频道的管理员" in install.replies()[-1]
    install.feishu_say(f"/绑定 {beta_code}", sender="ou_owner")
    assert "已绑定到工作区「贝塔公司」" in install.replies()[-1]
    assert install.bound_to("feishu", fk.TENANT_KEY) == "beta"
    # people on each platform report feedback
    install.qq_say("/问题反馈 QQ 上的问题", author_id="u-q", author_name="QQ用户")
    install.feishu_say("/问题反馈 飞书上的问题", sender="ou_li")
    with install.runtime.factory() as session:
        assert _feedback_by_workspace(session) == {
            "alpha": ["QQ 上的问题"],
            "beta": ["飞书上的问题"],
        }
        assert _names(session, "alpha") == {"QQ站长", "QQ用户"}
        assert _names(session, "beta") == {"飞书群主", "飞书李四"}
        # each sees only its platform's chats
        port = install.runtime.ports.get(Directory)
        alpha = team_service.get_workspace_by_key(session, key="alpha")
        beta = team_service.get_workspace_by_key(session, key="beta")
        assert alpha is not None and beta is not None
        alpha_chats = directory.platform_chats(session, port, workspace_id=alpha.id)
        beta_chats = directory.platform_chats(session, port, workspace_id=beta.id)
        assert [(b.platform, c.address, c.name) for b, c in alpha_chats] == [
            ("qq", "channel:ch-public", "公共频道")
        ]
        assert [(b.platform, c.address, c.name) for b, c in beta_chats] == [
            ("feishu", "oc_group", "贝塔团队群")
        ]
        # the Feishu chat owner who bound the tenant is 贝塔's admin
        owner = session.scalar(
            select(Member).join(PlatformIdentity).where(PlatformIdentity.user_key == "ou_owner")
        )
        team = team_service.default_team(session, workspace_id=beta.id)
        assert owner is not None
        assert team_service.role_of(session, team=team, member=owner) is Role.ADMIN
    # a message from a Feishu tenant nobody bound gets the hint, not 贝塔's data
    install.feishu_say("/帮助", sender="ou_x", tenant_key=OTHER_TENANT, chat_id="oc_other")
    assert "/绑定" in install.replies()[-1]
    assert install.bound_to("feishu", OTHER_TENANT) is None


def test_a_code_typed_in_full_width_binds(install: Install) -> None:
    """A Chinese input method in full-width mode types ＡＢ１２: the same code (breaker)."""
    code = install.code("alpha")
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code)
    install.qq_say(f"/绑定 {wide}", roles=["4"])
    assert install.bound_to("qq", "g-1") == "alpha", install.replies()[-1]
