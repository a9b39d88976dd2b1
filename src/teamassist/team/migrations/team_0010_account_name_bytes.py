"""team: MariaDB compares a dashboard account's name byte for byte (local_account.username)

The folding rule of an account name is case and width only (``team_0009``:
``username_key``, NFKC + casefold, unique on every backend). MariaDB's unique key on the name
itself still compared it with the table's collation (utf8mb4_unicode_ci), which also ignores
accents: ``Änne`` beside ``Anne`` (two folded names) broke that key, an IntegrityError no
folded name explained, a 500 to whoever created the account. The column is utf8mb4_bin there
now, as the folded columns are; its unique key stays (weaker than the folded one, never the
one that refuses). SQLite and PostgreSQL compare bytes already: nothing to do.

Downgrade: the table's collation again; it fails (and changes nothing) while two accounts'
names differ only by accents, which the old key cannot hold.

Revision ID: team_0010
Revises: team_0009
Create Date: 2026-12-04 15:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "team_0010"
down_revision = "team_0009"
branch_labels = None
depends_on = None

BYTES = mysql.VARCHAR(64, collation="utf8mb4_bin")


def _mariadb() -> bool:
    return op.get_bind().dialect.name in {"mysql", "mariadb"}


def upgrade() -> None:
    if _mariadb():
        op.alter_column(
            "local_account",
            "username",
            existing_type=sa.String(64),
            type_=BYTES,
            existing_nullable=False,
        )


def downgrade() -> None:
    if _mariadb():
        op.alter_column(
            "local_account",
            "username",
            existing_type=BYTES,
            type_=sa.String(64),
            existing_nullable=False,
        )
