"""actions: deleting a member row no longer deletes the items they own or asked for

``action_item.owner_id`` and ``requester_id`` were ``ON DELETE CASCADE``: removing a member row
silently took their items, and with them what others had asked of them. Now ``RESTRICT``: the
database refuses to delete a member who still owns or requested items. People leave by being
deactivated (the row stays) and their items are handed over (``actions.departures``, or
``/转交销项``); a workspace's deletion removes its items first (``WorkspaceDeleting``). RESTRICT
rather than SET NULL: an item always has someone to finish it and someone to check it, so
neither column has a "nobody" state to handle on every path that reads them.

Revision ID: actions_0002
Revises: actions_0001
Create Date: 2026-12-01 04:55:00
"""

from __future__ import annotations

from alembic import op

revision = "actions_0002"
down_revision = "actions_0001"
branch_labels = None
depends_on = None

_COLUMNS = ("owner_id", "requester_id")


def _refer(ondelete: str) -> None:
    with op.batch_alter_table("action_item") as batch_op:
        for column in _COLUMNS:
            name = f"fk_action_item_{column}_member"
            batch_op.drop_constraint(name, type_="foreignkey")
            batch_op.create_foreign_key(name, "member", [column], ["id"], ondelete=ondelete)


def upgrade() -> None:
    _refer("RESTRICT")


def downgrade() -> None:
    _refer("CASCADE")
