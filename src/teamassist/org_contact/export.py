"""What a workspace export withholds so that no file names an anonymous sender.

An anonymous message's sender is known to ``org_message.sender_id`` alone, but other rows point
at them: the inbox row of the chat event that carried it (platform user id, name), the
acknowledgement queued back to their chat (``reply:{platform}:{tenant}:{event_id}``, see
``chat.dispatcher``), the relayed notices (``org_contact.message:{id}:m{member}`` to the
director, ``org_contact.reply:{id}:m{member}`` to the sender, whose address and key name them)
and those notices' web inbox copies (the export drops those with their outbox rows). The
export leaves those rows out and blanks the message's sender and event columns; named
messages export as they are.

Retention: the inbox row and the notices are kept as long as any others (``chat.inbox_days``,
``chat.outbox_days``, then ``chat.retention`` purges them); the row stays so a redelivered
event is still dropped.
"""

from __future__ import annotations

from sqlalchemy import String, and_, exists, func, literal, or_, select, tuple_, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from teamassist.chat.models import InboundEvent
from teamassist.events import ExportWithheld, Withheld
from teamassist.org_contact.models import OrgMessage, OrgReply
from teamassist.outbox.models import OutboxMessage

_KEY = 191  # outbox_service.enqueue keeps this much of a key


def _text(column: InstrumentedAttribute[int]) -> ColumnElement[str]:
    # Concatenated as it is: a CAST to a string takes the connection's collation on MariaDB,
    # which its LIKE against the column's own then refuses ("illegal mix of collations").
    return type_coerce(column, String)


def _anonymous(workspace_id: int) -> ColumnElement[bool]:
    return and_(OrgMessage.workspace_id == workspace_id, OrgMessage.anonymous.is_(True))


def _notices(workspace_id: int) -> ColumnElement[bool]:
    """Outbox rows that would name an anonymous sender (a condition on ``outbox_message``)."""
    key = OutboxMessage.idempotency_key
    acknowledged = func.substr(
        literal("reply:", String)
        + OrgMessage.inbound_platform
        + ":"
        + OrgMessage.inbound_tenant
        + ":"
        + OrgMessage.inbound_event_id,
        1,
        _KEY,
    )
    return or_(
        exists().where(
            _anonymous(workspace_id),
            key.like(literal("org_contact.message:", String) + _text(OrgMessage.id) + ":%"),
        ),
        exists().where(
            _anonymous(workspace_id),
            OrgReply.message_id == OrgMessage.id,
            key.like(literal("org_contact.reply:", String) + _text(OrgReply.id) + ":%"),
        ),
        exists().where(
            _anonymous(workspace_id),
            OrgMessage.inbound_event_id.is_not(None),
            key == acknowledged,
        ),
    )


def withheld(session: Session, query: ExportWithheld) -> tuple[Withheld, ...]:
    """The rules for ``query.workspace`` (answers :class:`~teamassist.events.ExportWithheld`)."""
    workspace_id = query.workspace.id
    events = select(
        OrgMessage.inbound_platform, OrgMessage.inbound_tenant, OrgMessage.inbound_event_id
    ).where(_anonymous(workspace_id), OrgMessage.inbound_event_id.is_not(None))
    return (
        Withheld(
            "org_message",
            OrgMessage.anonymous.is_(True),
            columns=("sender_id", "inbound_platform", "inbound_tenant", "inbound_event_id"),
        ),
        Withheld(
            "inbound_event",
            tuple_(InboundEvent.platform, InboundEvent.tenant_key, InboundEvent.event_id).in_(
                events
            ),
        ),
        # their web inbox copies (web_message) go with them: the export drops rows kept by id
        Withheld("outbox_message", _notices(workspace_id)),
    )
