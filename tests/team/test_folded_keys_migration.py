"""``team_0004`` on a database that already holds handles and team keys differing only by case
(possible before it on SQLite, and on MariaDB with a binary collation): it does not crash; the
later rows are renamed ``name-2``... deterministically, and each rename is logged. Each backend."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from teamassist import migrate
from teamassist.database import make_engine


def test_colliding_rows_are_renamed_not_refused(
    empty_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    migrate.upgrade(empty_url, revision="team_0003")
    engine = make_engine(empty_url)
    now = datetime(2026, 11, 30, tzinfo=UTC).replace(tzinfo=None)
    try:
        with engine.begin() as conn:
            if engine.dialect.name in {"mysql", "mariadb"}:
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
                conn.execute(
                    text(
                        "INSERT INTO workspace (id, `key`, name, kind, created_at, updated_at) "
                        "VALUES (:id, :key, :key, 'standalone', :now, :now)"
                        if engine.dialect.name in {"mysql", "mariadb"}
                        else 'INSERT INTO workspace (id, "key", name, kind, created_at, '
                        "updated_at) VALUES (:id, :key, :key, 'standalone', :now, :now)"
                    ),
                    {"id": ws_id, "key": key, "now": now},
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
                conn.execute(
                    text(
                        "INSERT INTO member (id, workspace_id, handle, display_name, active, "
                        "created_at, updated_at) VALUES (:id, :ws, :h, :h, :t, :now, :now)"
                    ),
                    {"id": member_id, "ws": ws_id, "h": handle, "t": True, "now": now},
                )
            quote = "`" if engine.dialect.name in {"mysql", "mariadb"} else '"'
            for team_id, key in ((1, "Core"), (2, "core")):
                conn.execute(
                    text(
                        f"INSERT INTO team (id, workspace_id, {quote}key{quote}, name, timezone, "
                        "settings, created_at, updated_at) "
                        "VALUES (:id, 1, :key, :key, 'Asia/Shanghai', '{}', :now, :now)"
                    ),
                    {"id": team_id, "key": key, "now": now},
                )
        with caplog.at_level(logging.WARNING, logger="teamassist.migrations.team_0004"):
            migrate.upgrade(empty_url)
        with engine.connect() as conn:
            members = conn.execute(
                text("SELECT id, handle, handle_key FROM member ORDER BY id")
            ).all()
            teams = conn.execute(text("SELECT id, folded_key FROM team ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [tuple(m) for m in members] == [
        (1, "Boss", "boss"),
        (2, "boss-3", "boss-3"),
        (3, "boss-2", "boss-2"),
        (4, "BOSS-4", "boss-4"),
        (5, "Änne", "änne"),
        (6, "änne-2", "änne-2"),
        (7, "boss", "boss"),
    ]
    assert [tuple(t) for t in teams] == [(1, "core"), (2, "core-2")]
    # Only this migration's own lines: the first upgrade (outside ``at_level``) logs alembic's
    # INFO lines into caplog whenever an earlier test in the run left the root logger at INFO.
    renames = [
        r.getMessage() for r in caplog.records if r.name == "teamassist.migrations.team_0004"
    ]
    assert len(renames) == 4, renames
    assert "member 2 in workspace 1: 'boss' folds like an earlier one; renamed to 'boss-3'" in (
        renames
    )
    assert "team 2 in workspace 1: 'core' folds like an earlier one; renamed to 'core-2'" in (
        renames
    )
