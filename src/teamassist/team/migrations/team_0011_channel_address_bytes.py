"""team: MariaDB compares a channel's address byte for byte (channel.address)

A channel's address is a platform's chat id (QQ, Feishu), a WeCom robot's configured name, or
a web channel's key. MariaDB's unique key (workspace, platform, address, purpose) compared it
with the table's collation (utf8mb4_unicode_ci), ignoring case and accents: `core-duty` then
`CORE-DUTY` was 409 there and two channels on SQLite and PostgreSQL (tester s26 A-10). The
column is utf8mb4_bin there now: a platform's id is the platform's, compared as it is on the
other backends; a web channel's key is folded by the service before it is stored, so its case
is one rule everywhere. SQLite and PostgreSQL compare bytes already: nothing to do.

Downgrade: the table's collation again; it fails (and changes nothing) while two channels'
addresses differ only by case or accents, which the old key cannot hold.

Revision ID: team_0011
Revises: team_0010
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "team_0011"
down_revision = "team_0010"
branch_labels = None
depends_on = None

BYTES = mysql.VARCHAR(200, collation="utf8mb4_bin")


def _mariadb() -> bool:
    return op.get_bind().dialect.name in {"mysql", "mariadb"}


def upgrade() -> None:
    if _mariadb():
        op.alter_column(
            "channel", "address", existing_type=sa.String(200), type_=BYTES, existing_nullable=False
        )


def downgrade() -> None:
    if _mariadb():
        op.alter_column(
            "channel", "address", existing_type=BYTES, type_=sa.String(200), existing_nullable=False
        )
