"""``team_0013`` on web channels made before ``2cb60ae`` (their address as typed, in any case,
with blanks around): each is folded and trimmed, its feed (``web_message``) and its waiting
notices moved along; one whose folded address another web channel of the workspace with the
same purpose has keeps its own, and a warning names both (tester s28 E-8). Each backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from teamassist import migrate
from tests.support.migrations import insert, older_install


def test_web_addresses_are_folded_and_their_feeds_follow(
    empty_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC).replace(tzinfo=None)
    stamps = {"created_at": now, "updated_at": now}
    with older_install(empty_url, "team_0013") as install:
        migrate.upgrade(empty_url, revision="core_0006")  # what team_0013 depends on
        channels = [
            (1, "web", "Duty-Room", "internal"),
            (2, "web", "ops-room ", "team"),  # a trailing blank
            (3, "web", "core", "core"),  # already right: untouched
            (4, "web", "CORE", "core"),  # folds onto 3 (same purpose): kept, warned
            (5, "web", "CORE", "public"),  # another purpose: folded beside 3
            (6, "qq", "GrpAbC", "team"),  # a platform's id: never folded
        ]
        with install.engine.begin() as conn:
            insert(conn, "workspace", id=1, key="w", name="w", kind="standalone", **stamps)
            for channel_id, platform, address, purpose in channels:
                insert(
                    conn,
                    "channel",
                    id=channel_id,
                    workspace_id=1,
                    platform=platform,
                    address=address,
                    purpose=purpose,
                    name="",
                    enabled=True,
                    **stamps,
                )
            for n, address in enumerate(("Duty-Room", "ops-room ", "other"), start=1):
                insert(
                    conn,
                    "web_message",
                    id=n,
                    outbox_id=n,
                    workspace_id=1,
                    address=address,
                    payload="{}",
                    created_at=now,
                )
            insert(
                conn,
                "outbox_message",
                id=1,
                idempotency_key="k1",
                workspace_id=1,
                platform="web",
                address="Duty-Room",
                payload="{}",
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        warned = install.upgrade(caplog)
        rows = install.rows("SELECT id, address FROM channel ORDER BY id")
        kept = "CORE"
        assert rows == [
            (1, "duty-room"),
            (2, "ops-room"),
            (3, "core"),
            (4, kept),
            (5, "core"),
            (6, "GrpAbC"),
        ]
        assert len(warned) == 1 and f"keeps its address {kept!r}" in warned[0], warned
        assert "web channel 3's" in warned[0]
        feed = install.rows("SELECT id, address FROM web_message ORDER BY id")
        assert feed == [(1, "duty-room"), (2, "ops-room"), (3, "other")]
        assert install.rows("SELECT address FROM outbox_message") == [("duty-room",)]
