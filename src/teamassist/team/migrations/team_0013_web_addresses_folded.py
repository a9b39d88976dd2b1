"""team: web channels made before 2cb60ae get the address every lookup reads (folded, trimmed)

A web channel's address is ours, its feed's key: since ``2cb60ae`` it is stored folded (NFKC +
casefold) and since tester s28 E-8 trimmed, and every new channel is compared so. Channels made
before kept the address as typed (``Duty-Room``, ``ops-room ``), which a later create no longer
matched (a second channel of one key on SQLite and PostgreSQL) and MariaDB's PAD SPACE
collation did. This folds and trims them, and moves their feed along (the notices shown on
the dashboard, ``web_message``, and those still waiting in the outbox, by workspace).

On a collision (another web channel of the workspace with the same purpose already has the
folded address, which the unique key forbids) the channel keeps its address as it is and a
warning names both: the two feeds are one place to people and an admin decides which goes;
nothing is merged or deleted. Down changes nothing back (the typed spelling is gone).

Revision ID: team_0013
Revises: team_0012
Create Date: 2026-12-05 00:30:00
"""

from __future__ import annotations

import logging
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "team_0013"
down_revision = "team_0012"
branch_labels = None
# the feed rows carry their workspace from core_0006 on
depends_on = "core_0006"

log = logging.getLogger("teamassist.migrations.team_0013")

_CHANNEL = sa.table(
    "channel",
    sa.column("id", sa.Integer),
    sa.column("workspace_id", sa.Integer),
    sa.column("platform", sa.String),
    sa.column("address", sa.String),
    sa.column("purpose", sa.String),
)
_FEED = sa.table(
    "web_message",
    sa.column("workspace_id", sa.Integer),
    sa.column("address", sa.String),
)
_OUTBOX = sa.table(
    "outbox_message",
    sa.column("workspace_id", sa.Integer),
    sa.column("platform", sa.String),
    sa.column("address", sa.String),
)


def _folded(address: str) -> str:
    # Frozen copy of team.service's rule as of this revision: fold (names.fold), trimmed.
    text = address.strip()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).strip()[
        :200
    ]


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_CHANNEL.c.id, _CHANNEL.c.workspace_id, _CHANNEL.c.address, _CHANNEL.c.purpose)
        .where(_CHANNEL.c.platform == "web")
        .order_by(_CHANNEL.c.id)
    ).all()
    # (workspace, purpose, address) -> channel id, as the unique key holds them (MariaDB:
    # trailing blanks aside; a folded address has none)
    held = {(ws, purpose, address.rstrip()): row_id for row_id, ws, address, purpose in rows}
    for row_id, workspace_id, address, purpose in rows:
        new = _folded(address)
        if new == address:
            continue
        other = held.get((workspace_id, purpose, new))
        if other is not None and other != row_id:
            log.warning(
                "web channel %s in workspace %s keeps its address %r: %r is web channel %s's "
                "(same purpose); the two are one feed to people, an admin keeps one",
                row_id,
                workspace_id,
                address,
                new,
                other,
            )
            continue
        bind.execute(sa.update(_CHANNEL).where(_CHANNEL.c.id == row_id).values(address=new))
        held.pop((workspace_id, purpose, address.rstrip()), None)
        held[workspace_id, purpose, new] = row_id
        bind.execute(
            sa.update(_FEED)
            .where(_FEED.c.workspace_id == workspace_id, _FEED.c.address == address)
            .values(address=new)
        )
        bind.execute(
            sa.update(_OUTBOX)
            .where(
                _OUTBOX.c.workspace_id == workspace_id,
                _OUTBOX.c.platform == "web",
                _OUTBOX.c.address == address,
            )
            .values(address=new)
        )


def downgrade() -> None:
    pass
