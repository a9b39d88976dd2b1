"""Delivers notices addressed to the web platform into the dashboard's feeds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from teamassist.adapters.web.models import WebMessage
from teamassist.clock import Clock, utcnow
from teamassist.database import transaction
from teamassist.enums import Platform
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.senders import OutgoingMessage


class WebSender:
    """Writes each notice once into ``web_message``."""

    platform = Platform.WEB.value

    def __init__(self, factory: sessionmaker[Session], clock: Clock = utcnow) -> None:
        self.factory = factory
        self.clock = clock

    def send(self, message: OutgoingMessage) -> str | None:
        """Store the notice for the dashboard; a retried send finds the first copy. A notice
        whose outbox row is gone (its workspace was deleted meanwhile) is not stored."""
        with transaction(self.factory) as session:
            existing = session.scalar(
                select(WebMessage.id).where(WebMessage.outbox_id == message.outbox_id)
            )
            if existing is not None:
                return str(existing)
            notice = session.execute(
                select(OutboxMessage.workspace_id).where(OutboxMessage.id == message.outbox_id)
            ).first()
            if notice is None:
                return None
            row = WebMessage(
                outbox_id=message.outbox_id,
                workspace_id=notice.workspace_id,
                address=message.address,
                payload=message.reply.model_dump(mode="json"),
                created_at=self.clock(),
            )
            session.add(row)
            session.flush()
            return str(row.id)
