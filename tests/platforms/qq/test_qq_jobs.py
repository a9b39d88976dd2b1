"""The quiet window on QQ: the guild is muted for everyone while it lasts."""

from __future__ import annotations

from datetime import UTC, datetime

from teamassist.database import transaction
from teamassist.enums import ChannelPurpose
from teamassist.team import service as team_service
from tests.platforms.qq.conftest import QQHarness

# 00:00 on 2026-06-02 in Asia/Shanghai, and the window's end at 08:00.
MIDNIGHT = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
EIGHT = datetime(2026, 6, 2, 0, 0, tzinfo=UTC)


def _qq_channel(qq: QQHarness, start: str | None = "00:00", end: str | None = "08:00") -> None:
    with transaction(qq.runtime.factory) as session:
        workspace = team_service.get_workspace_by_key(session, key="demo")
        assert workspace is not None
        team_service.create_channel(
            session,
            workspace=workspace,
            team=team_service.default_team(session, workspace_id=workspace.id),
            platform="qq",
            address="channel:ch-public",
            purpose=ChannelPurpose.PUBLIC.value,
            quiet_start=start,
            quiet_end=end,
        )


def _mutes(qq: QQHarness) -> list[tuple[str, object]]:
    return [(c.path, c.body) for c in qq.fake.calls if c.path.endswith("/mute")]


def test_the_guild_is_muted_at_the_window_start_until_its_end_and_unmuted_after(
    qq: QQHarness,
) -> None:
    qq.fake.channel_guilds["ch-public"] = "g-42"
    _qq_channel(qq)

    qq.clock.set(MIDNIGHT)
    qq.runtime.scheduler.tick()
    qq.clock.set(MIDNIGHT.replace(minute=30))
    qq.runtime.scheduler.tick()  # inside the window: nothing more

    assert _mutes(qq) == [
        ("/guilds/g-42/mute", {"mute_end_timestamp": str(int(EIGHT.timestamp()))})
    ]

    qq.clock.set(EIGHT)
    qq.runtime.scheduler.tick()

    assert _mutes(qq)[1:] == [("/guilds/g-42/mute", {"mute_seconds": "0"})]
    assert all("None" not in str(body) for _, body in _mutes(qq))  # the adapter's bug


def test_no_mute_outside_windows_or_without_a_window(qq: QQHarness) -> None:
    _qq_channel(qq, start=None, end=None)

    qq.clock.set(MIDNIGHT)
    qq.runtime.scheduler.tick()

    assert _mutes(qq) == []


def test_a_failed_mute_is_retried_on_the_next_tick(qq: QQHarness) -> None:
    _qq_channel(qq)
    qq.fake.fail(503, path="/mute")

    qq.clock.set(MIDNIGHT)
    report = qq.runtime.scheduler.tick()
    assert [key for key, *_ in report.failed] == ["qq.guild_quiet"]

    qq.clock.set(MIDNIGHT.replace(minute=1))
    qq.runtime.scheduler.tick()

    assert len(_mutes(qq)) == 1  # the fake recorded only the successful one
