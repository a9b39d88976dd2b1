"""team: a team's channel names unique on every backend (channel.name_team_id, name_key)

``team.service`` refused a second channel of a team with a name another has (``55a7b87``), but
with no unique key two creates at one instant both passed (outside tester F6, session 22).
``name_team_id`` is the team a channel's name is unique in (its own; the workspace's first
team for a channel without a team, which notices treat as that team's) and ``name_key`` the
folded name (NFKC + casefold, as /通知 compares a group's name); both NULL for a channel with
no name or a blank one (nameless channels never collide). Unique: (workspace_id,
name_team_id, name_key).

Rows that already share a name in a team are not an error and are not deleted: the oldest (the
lowest id, the one /通知 reached first) keeps its name, each later one is renamed
``name-2``, ``name-3``... (to a name no channel of that team folds to) and each rename is
logged as a warning, so an admin sees two channels to tell apart rather than one gone.

Revision ID: team_0008
Revises: team_0007
Create Date: 2026-12-04 05:10:00
"""

from __future__ import annotations

import logging
import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "team_0008"
down_revision = "team_0007"
branch_labels = None
depends_on = None

log = logging.getLogger("teamassist.migrations.team_0008")

FOLDED = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb"
)
LIMIT = 200  # channel.name is String(200)
UNIQUE = "uq_channel_workspace_id_name_team_id_name_key"


def _fold(text: str) -> str:
    # Frozen copy of teamassist.team.names.fold as of this revision (migrations never change),
    # cut to the column as team.service cuts it.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())[:255]


def _renamed(value: str, taken: set[str]) -> str:
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = value[: LIMIT - len(suffix)] + suffix
        if _fold(candidate) not in taken:
            return candidate
        n += 1


def _backfill() -> None:
    bind = op.get_bind()
    team = sa.table("team", sa.column("id"), sa.column("workspace_id"))
    channel = sa.table(
        "channel",
        sa.column("id"),
        sa.column("workspace_id"),
        sa.column("team_id"),
        sa.column("name"),
        sa.column("name_team_id"),
        sa.column("name_key"),
    )
    firsts = sa.select(team.c.workspace_id, sa.func.min(team.c.id)).group_by(team.c.workspace_id)
    first: dict[int, int] = {row[0]: row[1] for row in bind.execute(firsts).all()}
    rows = bind.execute(
        sa.select(channel.c.id, channel.c.workspace_id, channel.c.team_id, channel.c.name)
        .where(channel.c.name.is_not(None))
        .order_by(channel.c.id)
    ).all()
    named = [
        (row_id, (workspace_id, team_id or first.get(workspace_id)), name.strip())
        for row_id, workspace_id, team_id, name in rows
        if name.strip()
    ]
    # Every key any row of a team folds to as it stands: a rename must not take a later name.
    taken: dict[tuple[int, int | None], set[str]] = defaultdict(set)
    for _, scope, name in named:
        taken[scope].add(_fold(name))
    seen: dict[tuple[int, int | None], set[str]] = defaultdict(set)
    for row_id, scope, name in named:
        key = _fold(name)
        values: dict[str, object] = {}
        if key in seen[scope]:
            new_name = _renamed(name, taken[scope])
            key = _fold(new_name)
            taken[scope].add(key)
            values["name"] = new_name
            log.warning(
                "channel %s in workspace %s: the name %r is an older channel's of its team; "
                "renamed to %r",
                row_id,
                scope[0],
                name,
                new_name,
            )
        seen[scope].add(key)
        values.update(name_team_id=scope[1], name_key=key)
        bind.execute(sa.update(channel).where(channel.c.id == row_id).values(values))


def upgrade() -> None:
    with op.batch_alter_table("channel") as batch_op:
        batch_op.add_column(sa.Column("name_team_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("name_key", FOLDED, nullable=True))
    _backfill()
    with op.batch_alter_table("channel") as batch_op:
        batch_op.create_unique_constraint(UNIQUE, ["workspace_id", "name_team_id", "name_key"])


def downgrade() -> None:
    # Renamed rows keep their new names.
    with op.batch_alter_table("channel") as batch_op:
        batch_op.drop_constraint(UNIQUE, type_="unique")
        batch_op.drop_column("name_key")
        batch_op.drop_column("name_team_id")
