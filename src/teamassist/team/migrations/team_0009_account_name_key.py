"""team: a dashboard account's folded name, unique on every backend (local_account.username_key)

``http.auth.set_password`` read every account to compare names folded by case and width
(``6bd6634``, tester s24 F10: ``Admin`` made a second, member-less account beside ``admin``),
and two creates at one instant both passed. ``username_key`` holds NFKC + casefold of the name
and is unique: the lookup is one indexed read and the database refuses the second create.

Accounts whose names already fold alike (possible before ``6bd6634`` on SQLite and PostgreSQL)
are not an error, and none is deleted or refused: the oldest (the lowest id) keeps its name,
each later one is renamed ``name-2``, ``name-3``... (to a name no account folds to) and each
rename is logged as a warning naming both, as team_0004 and team_0008 rename handles and
channel names. Its password, member and sessions stay; only the name to sign in with changes.
Refusing the upgrade instead would stop ``serve`` (its schema check) until someone edits rows
by hand, with no command to do it; deleting would take away a sign-in.

Revision ID: team_0009
Revises: team_0008
Create Date: 2026-12-04 12:50:00
"""

from __future__ import annotations

import logging
import unicodedata

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "team_0009"
down_revision = "team_0008"
branch_labels = None
depends_on = None

log = logging.getLogger("teamassist.migrations.team_0009")

FOLDED = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb"
)
LIMIT = 64  # local_account.username is String(64)
UNIQUE = "uq_local_account_username_key"


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


def _backfill() -> None:
    bind = op.get_bind()
    account = sa.table(
        "local_account", sa.column("id"), sa.column("username"), sa.column("username_key")
    )
    rows = bind.execute(sa.select(account.c.id, account.c.username).order_by(account.c.id)).all()
    # Every key any account folds to as it stands: a rename must not take a later name.
    taken = {_fold(name) for _, name in rows}
    seen: dict[str, str] = {}
    for row_id, name in rows:
        key = _fold(name)
        values: dict[str, str] = {}
        if key in seen:
            new_name = _renamed(name, taken)
            log.warning(
                "local_account %s: the name %r folds like the older account %r's; "
                "renamed to %r (its password, member and sessions stay)",
                row_id,
                name,
                seen[key],
                new_name,
            )
            name, key = new_name, _fold(new_name)
            taken.add(key)
            values["username"] = name
        seen[key] = name
        values["username_key"] = key
        bind.execute(sa.update(account).where(account.c.id == row_id).values(values))


def upgrade() -> None:
    with op.batch_alter_table("local_account") as batch_op:
        batch_op.add_column(sa.Column("username_key", FOLDED, nullable=True))
    _backfill()
    with op.batch_alter_table("local_account") as batch_op:
        batch_op.alter_column("username_key", existing_type=FOLDED, nullable=False)
        batch_op.create_unique_constraint(UNIQUE, ["username_key"])


def downgrade() -> None:
    # Renamed accounts keep their new names.
    with op.batch_alter_table("local_account") as batch_op:
        batch_op.drop_constraint(UNIQUE, type_="unique")
        batch_op.drop_column("username_key")
