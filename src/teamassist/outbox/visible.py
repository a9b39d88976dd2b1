"""The notice queue as an admin sees it (``GET /api/v1/outbox`` and the /outbox page).

An admin reads addresses, keys and delivery states, but not what the workspace export withholds
(:class:`teamassist.events.ExportWithheld`): a notice relayed to an anonymous 找组织 sender is
addressed to them and keyed with their member id, so the rows a rule drops are left out here
too, and the columns a rule blanks are shown empty. The same answer serves both, so the export
and this view cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from teamassist.outbox.models import OutboxMessage
from teamassist.team.archive import withheld_rules
from teamassist.team.models import Workspace


@dataclass(frozen=True)
class Notice:
    """One outgoing notice as shown (a withheld key, address or error is None)."""

    id: int
    idempotency_key: str | None
    platform: str
    address: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def visible_notices(
    session: Session,
    *,
    workspace: Workspace,
    status: str | None = None,
    outbox_id: int | None = None,
    limit: int = 100,
) -> list[Notice]:
    """The newest ``limit`` notices of ``workspace`` (optionally of one ``status``, or the one
    ``outbox_id``) that the export's rules keep, newest first, withheld columns as None."""
    rules = withheld_rules(session, workspace).get(OutboxMessage.__tablename__, [])
    dropped = [rule.where for rule in rules if not rule.columns]
    blanking = [rule for rule in rules if rule.columns]
    # CASE, not NOT(...): a rule that is NULL for a row does not match it (as in the export).
    marks = [case((rule.where, 1), else_=0).label(f"_blank_{i}") for i, rule in enumerate(blanking)]
    query = select(OutboxMessage, *marks).where(OutboxMessage.workspace_id == workspace.id)
    if dropped:
        query = query.where(case((or_(*dropped), 1), else_=0) == 0)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if outbox_id is not None:
        query = query.where(OutboxMessage.id == outbox_id)
    found: list[Notice] = []
    for row in session.execute(query.order_by(OutboxMessage.id.desc()).limit(limit)):
        message: OutboxMessage = row[0]
        blanked = {
            name
            for rule, matched in zip(blanking, row[1:], strict=True)
            if matched
            for name in rule.columns
        }
        found.append(
            Notice(
                id=message.id,
                idempotency_key=None if "idempotency_key" in blanked else message.idempotency_key,
                platform=message.platform,
                address=None if "address" in blanked else message.address,
                status=message.status,
                attempts=message.attempts,
                next_attempt_at=message.next_attempt_at,
                last_error=None if "last_error" in blanked else message.last_error,
                created_at=message.created_at,
                sent_at=message.sent_at,
            )
        )
    return found
