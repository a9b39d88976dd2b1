"""team: folded handle and team keys, unique per workspace on every backend

``member.handle_key`` and ``team.folded_key`` hold NFKC + casefold + NFKC of the handle / team
key; the unique constraints move onto them (SQLite's ``lower()`` folds only ASCII, so Änne and
änne could both exist there, and MariaDB's collation equated accents on top). Rows that already
collide are not an error: the later ones (higher id) are renamed ``name-2``, ``name-3``...
(deterministically, to a name no other row folds to) and each rename is logged as a warning.

Revision ID: team_0004
Revises: team_0003
Create Date: 2026-12-01 00:30:00
"""

from __future__ import annotations

import logging
import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "team_0004"
down_revision = "team_0003"
branch_labels = None
depends_on = None

log = logging.getLogger("teamassist.migrations.team_0004")

FOLDED = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb"
)
LIMIT = 64  # member.handle and team.key are String(64)


def _fold(text: str) -> str:
    # Frozen copy of teamassist.team.names.fold as of this revision (migrations never change).
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _renamed(value: str, taken: set[str]) -> str:
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = value[: LIMIT - len(suffix)] + suffix
        if _fold(candidate) not in taken:
            return candidate
        n += 1


def _backfill(table: str, name_column: str, key_column: str) -> None:
    """Write the folded key of every row; rename later rows whose key is already taken."""
    bind = op.get_bind()
    # Core constructs, not SQL text: they quote ``key`` (a reserved word on MariaDB).
    rows_table = sa.table(
        table,
        sa.column("id"),
        sa.column("workspace_id"),
        sa.column(name_column),
        sa.column(key_column),
    )
    name, folded = rows_table.c[name_column], rows_table.c[key_column]
    rows = bind.execute(
        sa.select(rows_table.c.id, rows_table.c.workspace_id, name).order_by(rows_table.c.id)
    ).all()
    # Every key any row folds to as it stands: a renamed row must not take a later row's name.
    taken: dict[int, set[str]] = defaultdict(set)
    for _, workspace_id, value in rows:
        taken[workspace_id].add(_fold(value))
    seen: dict[int, set[str]] = defaultdict(set)
    for row_id, workspace_id, value in rows:
        key = _fold(value)
        if key in seen[workspace_id]:
            new_value = _renamed(value, taken[workspace_id])
            key = _fold(new_value)
            taken[workspace_id].add(key)
            log.warning(
                "%s %s in workspace %s: %r folds like an earlier one; renamed to %r",
                table,
                row_id,
                workspace_id,
                value,
                new_value,
            )
            bind.execute(
                sa.update(rows_table).where(rows_table.c.id == row_id).values({name: new_value})
            )
        seen[workspace_id].add(key)
        bind.execute(sa.update(rows_table).where(rows_table.c.id == row_id).values({folded: key}))


def upgrade() -> None:
    with op.batch_alter_table("member") as batch_op:
        batch_op.add_column(sa.Column("handle_key", FOLDED, nullable=True))
    with op.batch_alter_table("team") as batch_op:
        batch_op.add_column(sa.Column("folded_key", FOLDED, nullable=True))
    _backfill("member", "handle", "handle_key")
    _backfill("team", "key", "folded_key")
    # The new unique key first: on MariaDB the old one is the index the workspace_id foreign
    # key stands on, and it cannot go before another index covers workspace_id.
    with op.batch_alter_table("member") as batch_op:
        batch_op.alter_column("handle_key", existing_type=FOLDED, nullable=False)
        batch_op.create_unique_constraint(
            "uq_member_workspace_id_handle_key", ["workspace_id", "handle_key"]
        )
        batch_op.drop_constraint("uq_member_workspace_id_handle", type_="unique")
    with op.batch_alter_table("team") as batch_op:
        batch_op.alter_column("folded_key", existing_type=FOLDED, nullable=False)
        batch_op.create_unique_constraint(
            "uq_team_workspace_id_folded_key", ["workspace_id", "folded_key"]
        )
        batch_op.drop_constraint("uq_team_workspace_id_key", type_="unique")


def downgrade() -> None:
    # Renamed rows keep their new names: the old unique keys hold for them too.
    with op.batch_alter_table("team") as batch_op:
        batch_op.create_unique_constraint("uq_team_workspace_id_key", ["workspace_id", "key"])
        batch_op.drop_constraint("uq_team_workspace_id_folded_key", type_="unique")
        batch_op.drop_column("folded_key")
    with op.batch_alter_table("member") as batch_op:
        batch_op.create_unique_constraint(
            "uq_member_workspace_id_handle", ["workspace_id", "handle"]
        )
        batch_op.drop_constraint("uq_member_workspace_id_handle_key", type_="unique")
        batch_op.drop_column("handle_key")
