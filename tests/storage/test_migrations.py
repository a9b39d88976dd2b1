"""The Alembic migrations create exactly what the models describe, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from teamassist import migrate
from teamassist.announcements.models import Announcement
from teamassist.bootstrap import import_models, include_name
from teamassist.database import Base, make_engine, make_session_factory, transaction
from teamassist.http.idempotency import stored_key
from teamassist.team import service as team_service
from tests.support.databases import BACKENDS, MigratedDatabase, require_backend


def test_migrations_match_models(db_url: str) -> None:
    import_models()
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": include_name})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    # Type-only differences of our UTCDateTime decorator are not schema drift.
    real = [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_type")]
    assert real == []


def test_constraint_names_fit_mysql() -> None:
    import_models()
    names = [c.name for t in Base.metadata.tables.values() for c in t.constraints if c.name]
    names += [i.name for t in Base.metadata.tables.values() for i in t.indexes if i.name]
    too_long = [str(n) for n in names if len(str(n)) > 64]
    assert too_long == []


def test_migrations_are_reversible(tmp_path: object) -> None:
    from pathlib import Path

    from sqlalchemy import inspect

    from teamassist import migrate

    url = f"sqlite:///{Path(str(tmp_path)) / 'rev.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    try:
        leftover = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert leftover == set()
    migrate.upgrade(url)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_announcement_keys_move_to_the_store(backend: str) -> None:
    """announcements_0004 on each backend, in a database of its own (the session's is shared):
    a REST announcement's key kept in ``announcement.source_key`` (``rest:<workspace>:<caller>:
    <key>``, with ``source_digest``) is copied into the one store, ``idempotency_key``, with no
    digest and no stored answer; a chat event's key is not; ``source_digest`` goes and the rows
    stay. Down brings the column back (the copies stay), up again copies nothing twice."""
    require_backend(backend)
    scratch = MigratedDatabase(backend)
    try:
        url = scratch.fresh_url()
        migrate.downgrade(url, "announcements_0003")
        engine = make_engine(url)
        try:
            with transaction(make_session_factory(engine)) as session:
                workspace = team_service.create_workspace(session, key="ws", name="ws")
                team = team_service.create_team(
                    session, workspace=workspace, key="ws", name="ws", timezone="Asia/Shanghai"
                )
                ids = (workspace.id, team.id)
            with engine.begin() as connection:
                for source_key, digest in (
                    (f"rest:{ids[0]}:m1:release-1", "0" * 64),
                    ("feishu:ev-1", None),
                ):
                    connection.execute(
                        text(
                            "INSERT INTO announcement (workspace_id, team_id, kind, group_name,"
                            " body, source_key, source_digest, send_at, created_at) VALUES"
                            " (:w, :t, 'notice', '核心群', '周五发版', :k, :d, :at, :at)"
                        ),
                        {
                            "w": ids[0],
                            "t": ids[1],
                            "k": source_key,
                            "d": digest,
                            "at": datetime(2026, 12, 2, 8, 0),
                        },
                    )
                first = connection.execute(
                    text("SELECT id FROM announcement WHERE source_key LIKE 'rest:%'")
                ).scalar_one()
        finally:
            engine.dispose()

        def read(sql: str) -> list[tuple[object, ...]]:
            engine = make_engine(url)
            try:
                with engine.connect() as connection:
                    return [tuple(r) for r in connection.execute(text(sql))]
            finally:
                engine.dispose()

        def columns() -> set[str]:
            engine = make_engine(url)
            try:
                return {c["name"] for c in inspect(engine).get_columns("announcement")}
            finally:
                engine.dispose()

        store = (
            "SELECT workspace_id, caller, " + ("`key`" if backend == "mysql" else '"key"') + ","
            " digest, resource, label, status, answer FROM idempotency_key"
        )
        migrate.upgrade(url)
        assert "source_digest" not in columns()
        key = stored_key("release-1")  # core_0009: compared exactly on every backend
        copied = [(ids[0], "m1", key, None, f"announcement:{first}", f"#{first}", None, None)]
        assert read(store) == copied
        assert len(read("SELECT id FROM announcement")) == 2
        migrate.downgrade(url, "announcements_0003")
        assert "source_digest" in columns()
        migrate.upgrade(url)
        assert read(store) == copied
    finally:
        scratch.drop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_cancelled_announcement_migration_goes_down_and_up(backend: str) -> None:
    """announcements_0003 (``cancelled_at``, ``cancelled_by_id`` and its foreign key) on each
    backend: down to announcements_0002 drops them and keeps the rows, up brings them back."""
    require_backend(backend)
    scratch = MigratedDatabase(backend)
    try:
        url = scratch.fresh_url()
        engine = make_engine(url)
        try:
            with transaction(make_session_factory(engine)) as session:
                workspace = team_service.create_workspace(session, key="ws", name="ws")
                team = team_service.create_team(
                    session, workspace=workspace, key="ws", name="ws", timezone="Asia/Shanghai"
                )
                now = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
                session.add(
                    Announcement(
                        workspace_id=workspace.id,
                        team_id=team.id,
                        kind="bulk",
                        group_name="ws",
                        body="定时的",
                        send_at=now,
                        created_at=now,
                        cancelled_at=now,
                    )
                )
        finally:
            engine.dispose()

        def columns() -> set[str]:
            engine = make_engine(url)
            try:
                return {c["name"] for c in inspect(engine).get_columns("announcement")}
            finally:
                engine.dispose()

        def bodies() -> list[object]:
            engine = make_engine(url)
            try:
                with engine.connect() as connection:
                    return list(connection.execute(text("SELECT body FROM announcement")).scalars())
            finally:
                engine.dispose()

        assert {"cancelled_at", "cancelled_by_id"} <= columns()
        migrate.downgrade(url, "announcements_0002")
        assert not {"cancelled_at", "cancelled_by_id"} & columns()
        assert bodies() == ["定时的"]
        migrate.upgrade(url)
        assert {"cancelled_at", "cancelled_by_id"} <= columns()
        assert bodies() == ["定时的"]
    finally:
        scratch.drop()
