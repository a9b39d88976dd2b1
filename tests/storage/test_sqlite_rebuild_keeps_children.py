"""A SQLite table rebuilt by a migration keeps the rows that reference it (session 26: upgrading
through ``actions_0002``, whose batch mode copies, drops and renames ``action_item``, deleted
every action item's history by ON DELETE CASCADE; see teamassist.migrations.foreign_keys)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from teamassist import migrate
from teamassist.actions.models import ActionEvent, ActionItem
from teamassist.database import make_engine
from teamassist.migrations.foreign_keys import sqlite_foreign_keys_off
from teamassist.team.models import Member, Team, Workspace

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def test_upgrading_through_a_table_rebuild_keeps_its_childrens_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ta.db"
    migrate.upgrade(url)
    migrate.downgrade(url, "actions_0001")  # before the rebuild of action_item
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            workspace = Workspace(key="w", name="w", kind="standalone")
            session.add(workspace)
            session.flush()
            team = Team(
                workspace_id=workspace.id, key="t", name="t", timezone="Asia/Shanghai", settings={}
            )
            owner = Member(workspace_id=workspace.id, handle="a", display_name="a", active=True)
            session.add_all([team, owner])
            session.flush()
            item = ActionItem(
                workspace_id=workspace.id,
                team_id=team.id,
                owner_id=owner.id,
                requester_id=owner.id,
                title="写接口文档",
                state="open",
                due_at=NOW,
            )
            session.add(item)
            session.flush()
            session.add(ActionEvent(item_id=item.id, actor_id=owner.id, kind="created", at=NOW))
        migrate.upgrade(url)
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(ActionItem)) == 1
            assert connection.scalar(select(func.count()).select_from(ActionEvent)) == 1
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1  # back on for the app
    finally:
        engine.dispose()


def test_keys_cannot_be_turned_off_inside_a_transaction(tmp_path: Path) -> None:
    """The PRAGMA would silently do nothing there: refused instead."""
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))  # begins
            with pytest.raises(ValueError), sqlite_foreign_keys_off(connection):
                pass
    finally:
        engine.dispose()
