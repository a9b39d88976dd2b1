"""The QQ directory through the fake OpenAPI: a mention of someone who never spoke to the bot
is enrolled under their guild nickname; platform roles become ours by the team's mapping; the
refresh job keeps names and roles current."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.enums import Role
from teamassist.ports import Directory
from teamassist.team import directory
from teamassist.team import service as team_service
from teamassist.team.directory_jobs import REFRESH_MINUTES
from teamassist.team.directory_jobs import jobs as directory_jobs
from teamassist.team.models import Member, PlatformIdentity, Team
from tests.platforms.fakes import qq as fakeqq
from tests.platforms.qq.conftest import QQHarness, make_harness
from tests.support.sweeps import claims, quiet_team, second_scheduler


def _identity(qq: QQHarness, user_key: str) -> PlatformIdentity | None:
    with qq.runtime.factory() as session:
        identity = session.scalar(
            select(PlatformIdentity).where(PlatformIdentity.user_key == user_key)
        )
        if identity is not None:
            session.expunge(identity.member)
            session.expunge(identity)
        return identity


def _last_reply(qq: QQHarness) -> str:
    qq.deliver()
    content: str = qq.fake.messages()[-1].body["markdown"]["content"]
    return content


def test_a_mention_of_a_guild_member_who_never_spoke_is_resolved(qq: QQHarness) -> None:
    qq.fake.guild_members["g-1"] = {"u-new": ("新人小王", ["1"])}
    # the guild's admin adds someone to the duty rotation who never wrote to the bot
    qq.post(
        fakeqq.guild_at_message(
            event_id="e1",
            message_id="m1",
            text="/值班人员增加 <@!u-new>",
            mentions=[("u-new", "小王")],
            author_id="u-boss",
            roles=["2"],
        )
    )
    reply = _last_reply(qq)
    assert "<@!u-new>" in reply and "找不到" not in reply
    identity = _identity(qq, "u-new")
    assert identity is not None and identity.tenant_key == "g-1"
    # enrolled under their guild nickname, never the raw id
    assert identity.member.display_name == "新人小王" and identity.display_name == "新人小王"
    assert identity.profile == {"name": "新人小王", "roles": [], "departments": []}
    assert any(c.path == "/guilds/g-1/members/u-new" for c in qq.fake.directory_calls)


def test_a_mention_the_platform_does_not_know_is_refused_by_name(qq: QQHarness) -> None:
    qq.post(
        fakeqq.guild_at_message(
            event_id="e1",
            message_id="m1",
            text="/值班人员增加 <@!u-ghost>",
            mentions=[("u-ghost", "幽灵")],
            author_id="u-boss",
            roles=["2"],
        )
    )
    reply = _last_reply(qq)
    assert "找不到成员「幽灵」" in reply and "u-ghost" not in reply
    assert _identity(qq, "u-ghost") is None


def test_guild_roles_map_to_ours_and_a_team_may_change_the_mapping(qq: QQHarness) -> None:
    qq.fake.guild_members["g-1"] = {  # (nick, roles)
        "u-owner": ("站长", ["4"]),
        "u-sub": ("子频道管理", ["5"]),
        "u-plain": ("普通人", ["1"]),
    }
    with transaction(qq.runtime.factory) as session:
        team = session.scalar(select(Team))
        assert team is not None
        # this team counts 子频道管理员 as leads
        team.settings = {
            **team.settings,
            "directory": {"roles": {"admin": ["qq:owner"], "lead": ["qq:channel_admin"]}},
        }
    # each writes to the bot for the first time
    for n, (user, role_id) in enumerate((("u-owner", "4"), ("u-sub", "5"), ("u-plain", "1"))):
        qq.post(
            fakeqq.guild_at_message(
                event_id=f"e{n}",
                message_id=f"m{n}",
                text="/我是谁",
                author_id=user,
                author_name=qq.fake.guild_members["g-1"][user][0],
                roles=[role_id],
            )
        )
    # the directory refresh maps what QQ says they hold
    with transaction(qq.runtime.factory) as session:
        team = session.scalar(select(Team))
        assert team is not None
        directory.refresh(session, qq.runtime.ports.get(Directory), team=team, now=qq.clock())
    with qq.runtime.factory() as session:
        team = session.scalar(select(Team))
        assert team is not None
        roles = {
            m.display_name: team_service.role_of(session, team=team, member=m)
            for m in session.scalars(
                select(Member).join(PlatformIdentity).where(PlatformIdentity.tenant_key == "g-1")
            )
        }
    assert roles == {"站长": Role.ADMIN, "子频道管理": Role.LEAD, "普通人": Role.MEMBER}


def test_the_refresh_job_updates_names_and_raises_roles(qq: QQHarness) -> None:
    qq.fake.guild_members["g-1"] = {"u-li": ("李四", ["1"])}
    qq.post(
        fakeqq.guild_at_message(
            event_id="e1", message_id="m1", text="/我是谁", author_id="u-li", author_name="李四"
        )
    )
    # on QQ they are renamed and made 管理员
    qq.fake.guild_members["g-1"]["u-li"] = ("李四（组长）", ["2"])
    qq.clock.set(qq.clock() + timedelta(days=1))
    with transaction(qq.runtime.factory) as session:
        team = session.scalar(select(Team))
        assert team is not None
        updated = directory.refresh(
            session, qq.runtime.ports.get(Directory), team=team, now=qq.clock()
        )
    assert updated >= 1
    identity = _identity(qq, "u-li")
    assert identity is not None
    assert identity.member.display_name == "李四（组长）"
    assert identity.profile is not None and identity.profile["roles"] == ["qq:admin"]
    assert identity.synced_at == qq.clock()
    with qq.runtime.factory() as session:
        team = session.scalar(select(Team))
        member = session.get(Member, identity.member_id)
        assert team is not None and member is not None
        assert team_service.role_of(session, team=team, member=member) is Role.ADMIN


def test_the_refresh_job_is_scheduled_for_every_team(qq: QQHarness) -> None:
    keys = [job.key for job in qq.runtime.scheduler.interval_jobs]
    assert "team.directory_refresh" in keys


@pytest.fixture
def qq_any(db_url: str, clock: FrozenClock, fake_qq: fakeqq.FakeQQ) -> Iterator[QQHarness]:
    """The QQ harness on every backend."""
    harness = make_harness(db_url, clock, fake_qq)
    yield harness
    harness.runtime.close()


def test_the_refresh_sweep_claims_only_teams_with_someone_to_sync(qq_any: QQHarness) -> None:
    # Given the demo team, whose people are on QQ, and a second team with nobody on a platform
    qq = qq_any
    quiet = quiet_team(qq.runtime)
    qq.fake.guild_members["g-1"] = {"u-li": ("李四", ["1"])}
    qq.post(
        fakeqq.guild_at_message(
            event_id="e1", message_id="m1", text="/我是谁", author_id="u-li", author_name="李四"
        )
    )
    qq.fake.guild_members["g-1"]["u-li"] = ("李四（组长）", ["2"])
    # When the sweep's slots come a day later, the second one run by two runners
    qq.clock.set(qq.clock() + timedelta(days=1))
    qq.runtime.scheduler.tick()
    qq.clock.set(qq.clock() + timedelta(minutes=REFRESH_MINUTES))
    qq.runtime.scheduler.tick()
    second_scheduler(qq.runtime, directory_jobs).tick()
    # Then the demo team was refreshed once, in the first slot; the quiet team never claimed
    swept = claims(qq.runtime, "team.directory_refresh")
    demo = _identity(qq, "u-li")
    assert demo is not None and demo.member.display_name == "李四（组长）"
    assert [team_id for team_id, _ in swept] == [_team_id(qq)]
    assert quiet not in {team_id for team_id, _ in swept}


def _team_id(qq: QQHarness) -> int:
    with qq.runtime.factory() as session:
        return session.scalars(select(Team.id).where(Team.key == "community")).one()
