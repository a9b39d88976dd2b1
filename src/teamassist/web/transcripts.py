"""What the workspace export withholds of the chat transport: the message texts.

The inbox (``inbound_event``), the notice queue (``outbox_message``) and the web inboxes
(``web_message``) carry, verbatim, whatever anybody said to the assistant and every reply it
sent: private 1on1 notes, career plans, anonymous 找组织 letters. Each domain decides what of
its own rows an admin may read; a copy of the same text in the transport would bypass that, and
no domain can recognise its text there. So the export keeps these rows' metadata (who, when,
which platform, delivery state) and blanks every message text and payload column, for every
row alike. Answers :class:`teamassist.events.ExportWithheld` for the core domain, which owns
these tables; the outbox view applies the same answer (``teamassist.outbox.visible``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.adapters.web.models import WebMessage
from teamassist.chat.models import InboundEvent
from teamassist.events import ExportWithheld, Withheld
from teamassist.outbox.models import OutboxMessage


def withheld(_session: Session, _query: ExportWithheld) -> tuple[Withheld, ...]:
    """Blank the text columns of every transport row (answers ``ExportWithheld``).

    ``inbound_event``: ``message`` (the text and mentions as received), ``reply`` (what was
    answered) and ``error`` (an error text may quote the input); ``outbox_message`` and
    ``web_message``: ``payload`` (the notice as sent).
    """
    return (
        Withheld(
            InboundEvent.__tablename__,
            InboundEvent.id.is_not(None),
            columns=("message", "reply", "error"),
        ),
        Withheld(OutboxMessage.__tablename__, OutboxMessage.id.is_not(None), columns=("payload",)),
        Withheld(WebMessage.__tablename__, WebMessage.id.is_not(None), columns=("payload",)),
    )
