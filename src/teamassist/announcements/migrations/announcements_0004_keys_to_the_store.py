"""announcements: REST Idempotency-Keys move to the one store

A REST announcement's key was kept in ``announcement.source_key`` as
``rest:<workspace>:<caller>:<key>`` with ``source_digest``; every keyed create now uses the
HTTP kit's ``idempotency_key`` (core_0008), so the keys are copied there, with no digest (any
request with such a key is answered as its retry, as a row without a digest was before) and no
stored answer (the announcement is read as it is now). ``source_digest`` goes; ``source_key``
stays for the chat events it also holds. Going down leaves the copied keys in the store (an
upgrade again skips them).

Revision ID: announcements_0004
Revises: announcements_0003
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from alembic import op

import teamassist.database

revision = "announcements_0004"
down_revision = "announcements_0003"
branch_labels = None
depends_on = "core_0008"

_ANNOUNCEMENT = sa.table(
    "announcement",
    sa.column("id", sa.Integer),
    sa.column("source_key", sa.String),
    sa.column("created_at", teamassist.database.UTCDateTime()),
)
_STORE = sa.table(
    "idempotency_key",
    sa.column("workspace_id", sa.Integer),
    sa.column("caller", sa.String),
    sa.column("key", sa.String),
    sa.column("resource", sa.String),
    sa.column("label", sa.String),
    sa.column("created_at", teamassist.database.UTCDateTime()),
)


def upgrade() -> None:
    bind = op.get_bind()
    kept = bind.execute(
        sa.select(_ANNOUNCEMENT.c.id, _ANNOUNCEMENT.c.source_key, _ANNOUNCEMENT.c.created_at)
        .where(_ANNOUNCEMENT.c.source_key.like("rest:%"))
        .order_by(_ANNOUNCEMENT.c.id)
    ).all()
    # keys already there (copied by an earlier upgrade, then down and up again) stay as they are
    there = {
        (workspace_id, caller, key)
        for workspace_id, caller, key in bind.execute(
            sa.select(_STORE.c.workspace_id, _STORE.c.caller, _STORE.c.key)
        )
    }
    rows = []
    for announcement_id, source_key, created_at in kept:
        _rest, workspace, caller, key = source_key.split(":", 3)
        if not workspace.isdigit() or not key or (int(workspace), caller, key) in there:
            continue
        rows.append(
            {
                "workspace_id": int(workspace),
                "caller": caller[:40],
                "key": key[:120],
                "resource": f"announcement:{announcement_id}",
                "label": f"#{announcement_id}",
                "created_at": created_at
                if created_at.tzinfo is not None
                else created_at.replace(tzinfo=UTC),
            }
        )
    if rows:
        op.bulk_insert(_STORE, rows)
    with op.batch_alter_table("announcement") as batch_op:
        batch_op.drop_column("source_digest")


def downgrade() -> None:
    with op.batch_alter_table("announcement") as batch_op:
        batch_op.add_column(sa.Column("source_digest", sa.String(length=64), nullable=True))
