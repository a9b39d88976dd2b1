"""Core: an Idempotency-Key is stored as the SHA-256 of its text, compared exactly

``idempotency_key.key`` held the key as sent; under MariaDB's utf8mb4 collation two keys that
differ only in case or accents were one key (and two on PostgreSQL and SQLite: tester s28
E-3). Keys are now stored as ``h`` + the SHA-256 (hex) of their text
(``http.idempotency.stored_key``), which compares the same under every collation; the rows
kept so far are rewritten so. Down writes nothing back (a hash cannot be undone): the keys
stored by then no longer match their retries, which then make anew.

Revision ID: core_0009
Revises: core_0008
Create Date: 2026-12-04 22:35:00
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "core_0009"
down_revision = "core_0008"
branch_labels = None
# after announcements_0004, which copies the announcements' keys (as sent) into the store
depends_on = "announcements_0004"

_STORE = sa.table(
    "idempotency_key",
    sa.column("id", sa.Integer),
    sa.column("workspace_id", sa.Integer),
    sa.column("caller", sa.String),
    sa.column("key", sa.String),
)


def _stored(key: str) -> bool:
    return key.startswith("h") and len(key) == 65


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_STORE.c.id, _STORE.c.workspace_id, _STORE.c.caller, _STORE.c.key)
    ).all()
    hashed_already = {(w, c, k) for _id, w, c, k in rows if _stored(k)}
    for row_id, workspace_id, caller, key in rows:
        if _stored(key):
            continue
        hashed = "h" + hashlib.sha256(key.encode()).hexdigest()
        if (workspace_id, caller, hashed) in hashed_already:
            # copied again by announcements_0004 after a way down and up: the row is there
            bind.execute(sa.delete(_STORE).where(_STORE.c.id == row_id))
            continue
        bind.execute(sa.update(_STORE).where(_STORE.c.id == row_id).values(key=hashed))
        hashed_already.add((workspace_id, caller, hashed))


def downgrade() -> None:
    pass
