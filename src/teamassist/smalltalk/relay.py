"""Answer small talk in a platform's 1:1 chat without holding the dispatcher's transaction.

Inside the transaction the help hint is queued to the chat, held until the provider's timeout
has passed; after the commit (:func:`teamassist.chat.fallback.after_commit`) the provider is
asked, and its answer replaces the held hint, which is then released at once. A provider that
fails leaves the hint, released at once too; a process that dies in between leaves the hint,
released when its hold ends. So the person always gets exactly one reply.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from teamassist.chat.fallback import Answer, SmallTalk, after_commit
from teamassist.chat.types import ChatType, Reply, user_text
from teamassist.clock import Clock
from teamassist.config import ChatProviderSettings
from teamassist.database import run_transaction
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage, OutboxStatus
from teamassist.smalltalk import provider
from teamassist.team import service as team_service

HOLD_MARGIN = timedelta(seconds=10)  # beyond the provider's timeout, before the hint goes alone


class Relay:
    """The :class:`SmallTalk` handler of one runtime."""

    def __init__(
        self, settings: ChatProviderSettings, factory: sessionmaker[Session], clock: Clock
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.clock = clock

    def __call__(self, session: Session, query: SmallTalk) -> Answer | None:
        """Hold the hint and ask the provider after commit; None (the hint now) when the
        provider is off or the chat is not a platform's 1:1 chat."""
        message = query.ctx.message
        if (
            not self.settings.url
            or message.chat_type is not ChatType.DIRECT
            or message.platform.value in team_service.LOCAL_PLATFORMS
        ):
            return None
        key = f"smalltalk:{message.platform.value}:{message.tenant_key}:{message.event_id}"[:191]
        now = query.ctx.now
        hold = now + timedelta(seconds=self.settings.timeout_seconds) + HOLD_MARGIN
        queued = outbox_service.enqueue(
            session,
            key=key,
            platform=message.platform.value,
            address=message.chat_key,
            reply=query.hint,
            now=now,
            workspace_id=query.ctx.workspace.id,
            reply_to=message.message_id or None,
            not_before=hold,
        )
        if queued is None:
            return Answer(None)  # asked before (a replay): that turn is under way
        text = query.text
        user = f"{message.platform.value}:{query.ctx.member.id}"
        after_commit(session, lambda: self._answer(key, text, user))
        return Answer(None)

    def _answer(self, key: str, text: str, user: str) -> None:
        """Outside any transaction: ask, then swap the held hint for the answer and release."""
        answer = provider.complete(self.settings, text, user=user)
        values: dict[str, object] = {"next_attempt_at": self.clock()}
        if answer is not None:
            values["payload"] = Reply(body=user_text(answer)).model_dump(mode="json")

        def release(session: Session) -> None:
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.idempotency_key == key,
                    OutboxMessage.status == OutboxStatus.PENDING,
                )
                .values(**values)
            )

        run_transaction(self.factory, release)
