"""``team_0004`` on a database that already holds handles and team keys differing only by case
(possible before it on SQLite, and on MariaDB with a binary collation): it does not crash; the
later rows are renamed ``name-2``... deterministically, and each rename is logged. Each backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from tests.support.migrations import insert, older_install


def test_colliding_rows_are_renamed_not_refused(
    empty_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC).replace(tzinfo=None)
    with older_install(empty_url, "team_0004") as install:
        with install.engine.begin() as conn:
            if install.mariadb:
                # An install whose tables compare bytes (utf8mb4_bin) could hold both.
                conn.execute(
                    text(
                        "ALTER TABLE member MODIFY handle VARCHAR(64) COLLATE utf8mb4_bin NOT NULL"
                    )
                )
                conn.execute(
                    text("ALTER TABLE team MODIFY `key` VARCHAR(64) COLLATE utf8mb4_bin NOT NULL")
                )
            for ws_id, key in ((1, "a"), (2, "b")):
                insert(
                    conn,
                    "workspace",
                    id=ws_id,
                    key=key,
                    name=key,
                    kind="standalone",
                    created_at=now,
                    updated_at=now,
                )
            handles = [
                (1, 1, "Boss"),
                (2, 1, "boss"),
                (3, 1, "boss-2"),  # already taken by a row of its own: the rename skips it
                (4, 1, "BOSS"),
                (5, 1, "Änne"),
                (6, 1, "änne"),
                (7, 2, "boss"),  # another workspace: no collision
            ]
            for member_id, ws_id, handle in handles:
                insert(
                    conn,
                    "member",
                    id=member_id,
                    workspace_id=ws_id,
                    handle=handle,
                    display_name=handle,
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
            quote = "`" if install.mariadb else '"'
            for team_id, key in ((1, "Core"), (2, "core")):
                conn.execute(
                    text(
                        f"INSERT INTO team (id, workspace_id, {quote}key{quote}, name, timezone, "
                        "settings, created_at, updated_at) "
                        "VALUES (:id, 1, :key, :key, 'Asia/Shanghai', '{}', :now, :now)"
                    ),
                    {"id": team_id, "key": key, "now": now},
                )
        renames = install.upgrade(caplog)
        members = install.rows("SELECT id, handle, handle_key FROM member ORDER BY id")
        teams = install.rows("SELECT id, folded_key FROM team ORDER BY id")
    assert members == [
        (1, "Boss", "boss"),
        (2, "boss-3", "boss-3"),
        (3, "boss-2", "boss-2"),
        (4, "BOSS-4", "boss-4"),
        (5, "Änne", "änne"),
        (6, "änne-2", "änne-2"),
        (7, "boss", "boss"),
    ]
    assert teams == [(1, "core"), (2, "core-2")]
    assert len(renames) == 4, renames
    assert "member 2 in workspace 1: 'boss' folds like an earlier one; renamed to 'boss-3'" in (
        renames
    )
    assert "team 2 in workspace 1: 'core' folds like an earlier one; renamed to 'core-2'" in (
        renames
    )
