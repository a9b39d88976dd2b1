"""``teamassist doctor``: rows stored twice before today's rules, listed and left alone (session
25: concurrent `/值班换班` stored identical swaps and `/值班代班` overlapping covers before the
rotation lock, `team add` made teams of one name before its check). The rows are written as
the old code wrote them, past the checks; the doctor names each group once (its ids, oldest
first), not the rows that are fine, and changes nothing. The finders on every backend; the
command on SQLite."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from teamassist.cli import app
from teamassist.database import transaction
from teamassist.duty.models import Override, Rotation, Swap
from teamassist.duty.rotation import day_start
from teamassist.events import Double, StoredDoubles, ask
from teamassist.runtime import Runtime
from teamassist.team.models import Channel, Team, Workspace
from tests.duty.test_swap_races import _tech
from tests.team.support import demo

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (date(2026, 6, d) for d in (2, 3, 4, 5))


def _store_old_doubles(rt: Runtime) -> dict[str, list[int]]:
    """What concurrent senders left before the locks, and rows that are fine beside them."""
    with transaction(rt.factory) as session:
        d = demo(session)
        tech = _tech(session)
        now = rt.clock()
        zhangsan, lisi, wangwu = d["zhangsan"].id, d["lisi"].id, d["wangwu"].id
        trades = [
            Swap(
                rotation_id=tech.id,
                member_a_id=zhangsan,
                date_a=THURSDAY,
                member_b_id=lisi,
                date_b=TUESDAY,
                created_at=now,
            )
            for _ in range(3)
        ]
        alone = Swap(  # another shift: fine
            rotation_id=tech.id, member_a_id=wangwu, date_a=WEDNESDAY, member_b_id=zhangsan
        )
        friday = day_start(FRIDAY, datetime.min.time().replace(hour=3), d.team.timezone)
        covers = [
            Override(rotation_id=tech.id, start_at=friday, end_at=friday + hours, member_id=wangwu)
            for hours in (timedelta(hours=24), timedelta(hours=12))
        ]
        saturday = Override(  # starts where the longer one ends: fine
            rotation_id=tech.id,
            start_at=friday + timedelta(hours=24),
            end_at=friday + timedelta(hours=48),
            member_id=lisi,
        )
        teams = [
            Team(workspace_id=d.workspace.id, key=key, name=name, settings={})
            for key, name in (("second", "第二团队"), ("second-2", " 第二团队 "), ("x", "ＡＢＣ"))
        ]
        session.add_all([*trades, alone, *covers, saturday, *teams])
        session.flush()
        return {
            "swaps": [s.id for s in trades],
            "covers": sorted(o.id for o in covers),
            "teams": [t.id for t in teams[:2]],
        }


def _counts(rt: Runtime) -> tuple[int, ...]:
    """Rows of each kind, and the live swaps."""
    live = select(func.count()).select_from(Swap).where(Swap.cancelled_at.is_(None))
    with rt.factory() as session:
        counts = [
            session.scalar(select(func.count()).select_from(m)) for m in (Swap, Override, Team)
        ]
        return (*(c or 0 for c in counts), session.scalar(live) or 0)


def _doubles(rt: Runtime) -> list[Double]:
    with transaction(rt.factory, read_only=True) as session:
        return [double for answer in ask(session, StoredDoubles()) for double in answer]


def test_each_group_of_doubles_is_named_once_and_nothing_changes(demo_runtime: Runtime) -> None:
    rt = demo_runtime
    assert _doubles(rt) == []
    ids = _store_old_doubles(rt)
    before = _counts(rt)

    found = {double.kind: double for double in _doubles(rt)}

    assert sorted(found) == ["duty.override", "duty.swap", "team.name"]
    assert found["duty.swap"].ids == tuple(ids["swaps"])
    assert found["duty.override"].ids == tuple(ids["covers"])
    assert found["team.name"].ids == tuple(ids["teams"])
    swap_ids = "、".join(f"#{i}" for i in ids["swaps"])
    assert f"3 条换班给出了同一个班次：{swap_ids}（张三 的 2026-06-04 交给 李四）" in (
        found["duty.swap"].line
    )
    assert "2 条代班或暂停的时间重叠" in found["duty.override"].line
    assert "从 2026-06-05 03:00 起" in found["duty.override"].line
    assert "「第二团队」" in found["team.name"].line and "「 第二团队 」" in found["team.name"].line
    assert "ＡＢＣ" not in found["team.name"].line
    assert _counts(rt) == before


def test_the_command_lists_them_and_exits_1_then_0_once_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_runtime: Runtime
) -> None:
    rt = demo_runtime
    if rt.engine.dialect.name != "sqlite":
        pytest.skip("the command is the same on every backend; the finders are tested above")
    monkeypatch.setenv("TEAMASSIST_DATABASE__URL", str(rt.engine.url))
    monkeypatch.setenv("TEAMASSIST_CONFIG", str(tmp_path / "teamassist.toml"))
    runner = CliRunner()
    clean = runner.invoke(app, ["doctor"])
    assert clean.exit_code == 0, clean.output
    assert "没有发现今天的规则之前存下的数据问题" in clean.output
    ids = _store_old_doubles(rt)
    before = _counts(rt)

    listed = runner.invoke(app, ["doctor"])

    assert listed.exit_code == 1, listed.output
    assert "发现 3 处今天的规则之前存下的数据问题" in listed.output
    assert "没有改动或删除任何数据" in listed.output
    assert listed.output.count("\n- ") == 3
    assert "/swaps/<编号>" in listed.output
    assert _counts(rt) == before
    # an admin cancels the extra swaps and covers and renames a team: nothing left to list
    with transaction(rt.factory) as session:
        for swap_id in ids["swaps"][1:]:
            row = session.get(Swap, swap_id)
            assert row is not None
            row.cancelled_at = rt.clock()
        for cover_id in ids["covers"][1:]:
            cover = session.get(Override, cover_id)
            assert cover is not None
            session.delete(cover)
        team = session.get(Team, ids["teams"][1])
        assert team is not None
        team.name = "第三团队"
    again = runner.invoke(app, ["doctor"])
    assert again.exit_code == 0, again.output


def test_rows_from_before_the_bounds_are_named_and_left_alone(demo_runtime: Runtime) -> None:
    """Tester s27 A-6 and A-9 left rows the new rules refuse but do not change: a job set to
    run every minute (before 92531a8: twelve times a day at most) and rotation and channel
    names with line breaks (before 2b46fb0). The doctor names each, and nothing else."""
    rt = demo_runtime
    with transaction(rt.factory) as session:
        d = demo(session)
        every_minute = [f"{h:02d}:{m:02d}" for h in range(2) for m in range(0, 60, 5)]
        crowded = Team(
            workspace_id=d.workspace.id,
            key="crowded",
            name="吵闹的团队",
            settings={"schedule": {"duty.morning_notice": every_minute, "okr.x": ["09:00"] * 20}},
        )
        twelve = Team(
            workspace_id=d.workspace.id,
            key="twelve",
            name="整点团队",
            settings={"schedule": {"duty.morning_notice": every_minute[:12]}},
        )
        channel = Channel(
            workspace_id=d.workspace.id,
            team_id=d.team.id,
            platform="web",
            address="two-lines",
            purpose="team",
            name="频道\n第二行",
        )
        fine = Channel(
            workspace_id=d.workspace.id,
            team_id=d.team.id,
            platform="web",
            address="one-line",
            purpose="team",
            name="一行的频道",
        )
        rotation = Rotation(
            team_id=d.team.id, key="inj", name="值班\r\nBEGIN:VEVENT", created_at=rt.clock()
        )
        session.add_all([crowded, twelve, channel, fine, rotation])
        session.flush()
        ids = {"team": crowded.id, "channel": channel.id, "rotation": rotation.id}

    found = {double.kind: double for double in _doubles(rt)}

    assert sorted(found) == ["duty.rotation_name", "team.channel_name", "team.schedule"]
    assert found["team.schedule"].ids == (ids["team"],)
    assert "duty.morning_notice 一天要运行 24 次" in found["team.schedule"].line
    assert "整点团队" not in found["team.schedule"].line
    assert found["team.channel_name"].ids == (ids["channel"],)
    assert "例如「频道第二行」" in found["team.channel_name"].line
    assert found["duty.rotation_name"].ids == (ids["rotation"],)
    assert "改成「值班BEGIN:VEVENT」" in found["duty.rotation_name"].line
    assert all("\n" not in double.line for double in found.values())
    with rt.factory() as session:
        kept = session.get(Channel, ids["channel"])
        assert kept is not None and kept.name == "频道\n第二行"  # read only


def test_workspace_and_team_names_with_line_breaks_are_named_too(demo_runtime: Runtime) -> None:
    """Tester s28 E-16: a workspace 「演示社区\\r\\n伪造行」 and a team 「3\\n- 12-24 周四 @假人」
    (stored before 2b46fb0 put them under the one-line rule, as channels and rotations) were
    not listed, and the team's name printed as a fake roster line in /我是谁. The doctor names
    each in one line, with what it should read, and changes nothing."""
    rt = demo_runtime
    with transaction(rt.factory) as session:
        d = demo(session)
        workspace = session.get(Workspace, d.workspace.id)
        assert workspace is not None
        workspace.name = "演示社区\r\n伪造行"
        fake = Team(workspace_id=d.workspace.id, key="fake", name="3\n- 12-24 周四 @假人")
        session.add(fake)
        session.flush()
        ids = {"workspace": workspace.id, "team": fake.id}

    found = {double.kind: double for double in _doubles(rt)}

    assert sorted(found) == ["team.team_name", "team.workspace_name"]
    assert found["team.workspace_name"].ids == (ids["workspace"],)
    assert "应是「演示社区伪造行」" in found["team.workspace_name"].line
    assert found["team.team_name"].ids == (ids["team"],)
    assert f"团队 #{ids['team']}（fake）" in found["team.team_name"].line
    assert "应是「3- 12-24 周四 @假人」" in found["team.team_name"].line
    assert all("\n" not in double.line and "\r" not in double.line for double in found.values())
    with rt.factory() as session:
        kept = session.get(Team, ids["team"])
        assert kept is not None and kept.name == "3\n- 12-24 周四 @假人"  # read only


def test_a_team_key_with_an_invisible_character_is_named(demo_runtime: Runtime) -> None:
    """Tester s29 F-7: `he-xin-tuan-dui\u200b` (stored before keys with characters that draw
    nothing were refused) reads as team 1's key; the doctor names it, changing nothing."""
    rt = demo_runtime
    with transaction(rt.factory) as session:
        d = demo(session)
        ghost = Team(workspace_id=d.workspace.id, key="community\u200b", name="另一个")
        session.add(ghost)
        session.flush()
        ghost_id = ghost.id
    found = [double for double in _doubles(rt) if double.kind == "team.key"]
    assert [double.ids for double in found] == [(ghost_id,)]
    assert "（U+200B，" in found[0].line and "应是「community」" in found[0].line
    with rt.factory() as session:
        kept = session.get(Team, ghost_id)
        assert kept is not None and kept.key == "community\u200b"  # read only
