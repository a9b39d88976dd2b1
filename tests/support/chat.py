"""A given/when/then driver for chat behaviour: say something as someone, look at the reply
and at the notices that were queued and delivered."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from teamassist.chat.render import to_plain
from teamassist.chat.types import ChatType, InboundMessage, Mention, Reply
from teamassist.enums import Platform
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.senders import OutgoingMessage
from teamassist.runtime import Runtime


@dataclass
class RecordingSender:
    """A sender for tests: records what it was asked to deliver; can be made to fail."""

    platform: str
    sent: list[OutgoingMessage] = field(default_factory=list)
    failing: bool = False

    def send(self, message: OutgoingMessage) -> str | None:
        from teamassist.outbox.senders import DeliveryError

        if self.failing:
            raise DeliveryError(f"{self.platform} is down")
        self.sent.append(message)
        return f"{self.platform}-{len(self.sent)}"

    def texts(self) -> list[str]:
        """Everything delivered, rendered as plain text."""
        return [to_plain(m.reply) for m in self.sent]


class ChatDriver:
    """Talks to the dispatcher the way a platform adapter does.

    A QQ or Feishu tenant it speaks from is bound to its workspace first, as an operator would
    have done (``bind_tenants=False`` leaves tenants as they are).
    """

    def __init__(
        self, runtime: Runtime, workspace_key: str = "demo", *, bind_tenants: bool = True
    ) -> None:
        self.runtime = runtime
        self.workspace_key = workspace_key
        self.bind_tenants = bind_tenants
        self.last: Reply | None = None

    def _bound(self, platform: Platform, tenant_key: str) -> None:
        from teamassist.database import transaction
        from teamassist.team import binding
        from teamassist.team import service as team_service

        if platform.value in team_service.LOCAL_PLATFORMS or not self.bind_tenants:
            return
        with transaction(self.runtime.factory) as session:
            if binding.tenant_binding(session, platform=platform.value, tenant_key=tenant_key):
                return
            workspace = team_service.get_workspace_by_key(session, key=self.workspace_key)
            assert workspace is not None, self.workspace_key
            binding.bind(
                session,
                workspace=workspace,
                platform=platform.value,
                tenant_key=tenant_key,
                kind="",
                now=self.runtime.clock(),
            )

    def say(
        self,
        text: str,
        *,
        as_: str,
        platform: Platform = Platform.WEB,
        chat_key: str | None = None,
        chat_type: ChatType = ChatType.DIRECT,
        mentions: list[Mention] | None = None,
        event_id: str | None = None,
        tenant_key: str | None = None,
        platform_admin: bool = False,
    ) -> Reply | None:
        """Send ``text`` as member/user ``as_``; returns the reply (None when there is none)."""
        message = InboundMessage(
            platform=platform,
            tenant_key=tenant_key if tenant_key is not None else self.workspace_key,
            chat_key=chat_key or f"{platform.value}:{as_}",
            chat_type=chat_type,
            sender_key=as_,
            sender_name=as_,
            text=text,
            mentions=mentions or [],
            sender_is_platform_admin=platform_admin,
        )
        if event_id:
            message.event_id = event_id
        self._bound(platform, message.tenant_key)
        self.last = self.runtime.dispatcher.handle(message).reply
        return self.last

    def text(self, text: str, *, as_: str, **kwargs: object) -> str:
        """Like :meth:`say`, returning the reply as plain text ('' when there is none)."""
        reply = self.say(text, as_=as_, **kwargs)  # type: ignore[arg-type]
        return to_plain(reply) if reply else ""

    def queued(self) -> list[OutboxMessage]:
        """Every notice in the outbox, oldest first."""
        with self.runtime.factory() as session:
            return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    def queued_texts(self, address: str | None = None) -> list[str]:
        """Plain text of queued notices (optionally only those for ``address``)."""
        return [
            to_plain(Reply.model_validate(m.payload))
            for m in self.queued()
            if address is None or m.address == address
        ]
