"""``team_0008`` on a database whose channels already share names in a team (possible before
it: the service's check let two creates at one instant through, and older versions checked
nothing): it does not crash and deletes nothing; the oldest channel keeps the name, each later
one is renamed ``name-2``... and logged; nameless and blank names stay as they are; afterwards
the unique key refuses a duplicate. Each backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from tests.support.migrations import insert, older_install


def test_channels_sharing_a_name_are_renamed_not_refused(
    empty_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC).replace(tzinfo=None)
    stamps = {"created_at": now, "updated_at": now}
    with older_install(empty_url, "team_0008") as install:
        with install.engine.begin() as conn:
            insert(conn, "workspace", id=1, key="w", name="w", kind="standalone", **stamps)
            quote = "`" if install.mariadb else '"'
            for team_id in (1, 2):
                conn.execute(
                    text(
                        f"INSERT INTO team (id, workspace_id, {quote}key{quote}, folded_key, "
                        "name, timezone, settings, created_at, updated_at) VALUES "
                        "(:id, 1, :key, :key, :key, 'Asia/Shanghai', '{}', :now, :now)"
                    ),
                    {"id": team_id, "key": f"t{team_id}", "now": now},
                )
            channels = [
                (1, 1, "全员群"),
                (2, 1, " 全员群 "),  # blanks around: the same name to /通知
                (3, None, "全员群"),  # no team: the first team's
                (4, 2, "全员群"),  # another team: its own
                (5, 1, "全员群-2"),  # taken already: the rename skips it
                (6, 1, "ＡＢ"),
                (7, 1, "ab"),  # folds like ＡＢ
                (8, 1, ""),
                (9, 1, ""),  # nameless twice: no notice names them
                (10, 1, "   "),  # blank (stored before 1194170): nameless too
            ]
            for channel_id, channel_team, name in channels:
                insert(
                    conn,
                    "channel",
                    id=channel_id,
                    workspace_id=1,
                    team_id=channel_team,
                    platform="web",
                    address=f"room-{channel_id}",
                    purpose="team",
                    name=name,
                    enabled=True,
                    **stamps,
                )
        renamed = install.upgrade(caplog)
        assert install.rows("SELECT id, name, name_team_id, name_key FROM channel ORDER BY id") == [
            (1, "全员群", 1, "全员群"),
            (2, "全员群-3", 1, "全员群-3"),
            (3, "全员群-4", 1, "全员群-4"),
            (4, "全员群", 2, "全员群"),
            (5, "全员群-2", 1, "全员群-2"),
            (6, "ＡＢ", 1, "ab"),
            (7, "ab-2", 1, "ab-2"),
            (8, "", None, None),
            (9, "", None, None),
            (10, "   ", None, None),
        ]
        assert len(renamed) == 3 and "renamed to '全员群-3'" in renamed[0], renamed
        install.refuses(
            "channel",
            id=11,
            workspace_id=1,
            team_id=1,
            platform="web",
            address="room-11",
            purpose="team",
            name="全员群",
            name_team_id=1,
            name_key="全员群",
            enabled=True,
            **stamps,
        )
