"""reviews: a withdrawn request keeps what it was, so a re-enabled member gets it back

A departure turns a reviewer's nominated or invited requests into ``withdrawn``; re-enabling
the member could not restore them, since nothing said which they had been (tester F21,
session 18). ``withdrawn_from`` (nullable) keeps that status; older withdrawn rows keep NULL and
stay withdrawn.

Revision ID: reviews_0002
Revises: reviews_0001
Create Date: 2026-12-03 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reviews_0002"
down_revision = "reviews_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_request") as batch_op:
        batch_op.add_column(sa.Column("withdrawn_from", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_request") as batch_op:
        batch_op.drop_column("withdrawn_from")
