"""Deliver outbox notices to QQ: passive replies, proactive notices within QQ's limits, fallback.

* A reply (the outbox row has ``reply_to``) is a passive message: ``msg_id`` is the user's
  message and ``msg_seq`` the outbox row id, so a retry after a lost answer repeats the same
  pair and QQ's own dedupe drops the copy; distinct replies to one message get distinct seqs.
* Anything else is proactive and counted per destination and period (a day for guild channels,
  a month for groups and C2C users). Over the limit, or when QQ says the limit is reached, the
  notice is queued again for ``qq.fallback_channel`` and this row is recorded as sent with the
  external id ``fallback:#<outbox id>``; without a fallback it waits until the limit resets.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from teamassist.adapters.qq.client import QQApiError, QQClient
from teamassist.adapters.qq.config import QQSettings
from teamassist.adapters.qq.models import QQProactiveUsage
from teamassist.adapters.qq.protocol import C2C, CHANNEL, Address
from teamassist.adapters.qq.render import message_body
from teamassist.adapters.shared_outage import waiting_for_shared_state
from teamassist.clock import Clock, utcnow
from teamassist.database import transaction
from teamassist.enums import Platform
from teamassist.outbox import service as outbox_service
from teamassist.outbox.models import OutboxMessage
from teamassist.outbox.senders import DeliveryError, OutgoingMessage
from teamassist.shared_state import SharedStateUnavailable
from teamassist.team.models import Channel, PlatformIdentity

log = logging.getLogger(__name__)

FALLBACK_SUFFIX = ":qq-fallback"
# QQ answers this when the same msg_id + msg_seq was sent before: our earlier try got through.
DUPLICATE_SEQ_CODES = frozenset({40054005})


class QQSender:
    """The outbox's sender for ``platform == "qq"``."""

    platform = Platform.QQ.value

    def __init__(
        self,
        settings: QQSettings,
        factory: sessionmaker[Session],
        clock: Clock = utcnow,
        client: QQClient | None = None,
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.clock = clock
        self.client = client or QQClient(settings)
        self.zone = ZoneInfo(settings.limit_timezone)
        # Chat kinds where QQ refused markdown but took the same message as text (native markdown
        # in guild channels needs a permission many bots lack); remembered for this process.
        self.text_only: set[str] = set()
        # Chat kinds where QQ refused a keyboard but took the markdown without it (the bot's
        # keyboard permission is per scene); remembered for this process like ``text_only``.
        self.no_keyboard: set[str] = set()

    def send(self, message: OutgoingMessage) -> str | None:
        """Send one notice or raise :class:`DeliveryError`."""
        try:
            return self._send(message)
        except SharedStateUnavailable as exc:  # no token / no limit: the notice waits
            raise waiting_for_shared_state("qq", exc) from exc

    def _send(self, message: OutgoingMessage) -> str | None:
        address = self._address(message)
        if address is None:
            return self._fallback(message, None, "QQ cannot message this user directly", None)
        if message.reply_to:
            try:
                return self._post(address, message, self._passive(address, message))
            except QQApiError as exc:
                if exc.transient or exc.status in (401, 403):
                    raise _delivery_error(exc) from exc
                # The reply window closed (5 min in groups and channels, 60 in C2C) or the
                # message is gone: say it proactively instead.
                log.warning("passive reply to %s refused (%s); sending proactively", address, exc)
        return self._proactive(address, message)

    def _address(self, message: OutgoingMessage) -> Address | None:
        """Where to send; None for a member QQ offers no direct chat with.

        Channel rows carry ``channel:``/``group:``/``c2c:`` addresses (a bare id is a guild
        channel). A direct notice (``chat.notify.to_member``) carries the member's QQ user key:
        only a C2C identity (user_openid, scoped to this bot) can be written to; guild user ids
        and group member_openids cannot.
        """
        if ":" in message.address:
            try:
                return Address.parse(message.address)
            except ValueError as exc:
                raise DeliveryError(str(exc), transient=False) from exc
        with self.factory() as session:
            channel_id = session.scalar(
                select(OutboxMessage.channel_id).where(OutboxMessage.id == message.outbox_id)
            )
            if channel_id is not None:
                return Address(CHANNEL, message.address)
            c2c = session.scalar(
                select(PlatformIdentity.id).where(
                    PlatformIdentity.platform == self.platform,
                    PlatformIdentity.tenant_key == self.settings.app_id,
                    PlatformIdentity.user_key == message.address,
                )
            )
        return Address(C2C, message.address) if c2c is not None else None

    # -- passive -------------------------------------------------------------------------------

    @staticmethod
    def _passive(address: Address, message: OutgoingMessage) -> dict[str, object]:
        extra: dict[str, object] = {"msg_id": message.reply_to}
        if address.kind != CHANNEL:
            extra["msg_seq"] = message.outbox_id
        return extra

    def _post(
        self, address: Address, message: OutgoingMessage, extra: dict[str, object]
    ) -> str | None:
        """Send as markdown; when QQ refuses that but takes text, send text from now on."""
        markdown = self.settings.markdown and address.kind not in self.text_only
        if markdown and self._with_keyboard(address, message):
            try:
                return self._post_keyboard(address, message, extra)
            except _KeyboardRefused as refused:
                kind = address.kind
                log.warning("QQ refused a keyboard in %s (%s); buttons as text", kind, refused)
                self.no_keyboard.add(kind)
        body = message_body(message.reply, address, markdown=markdown)
        try:
            return self._post_body(address, {**body, **extra})
        except QQApiError as exc:
            if not markdown or exc.transient or exc.status in (401, 403):
                raise
            if exc.code in self.settings.proactive_limit_codes:
                raise
            first = exc
        text = message_body(message.reply, address, markdown=False)
        try:
            result = self._post_body(address, {**text, **extra})
        except QQApiError:
            raise first from None  # not a markdown problem: report QQ's first answer
        log.warning("QQ refused markdown in %s (%s); sending text there", address.kind, first)
        self.text_only.add(address.kind)
        return result

    def _with_keyboard(self, address: Address, message: OutgoingMessage) -> bool:
        return bool(
            self.settings.keyboard
            and message.reply.buttons
            and address.kind not in self.no_keyboard
        )

    def _post_keyboard(
        self, address: Address, message: OutgoingMessage, extra: dict[str, object]
    ) -> str | None:
        """Markdown with the buttons as a keyboard; :class:`_KeyboardRefused` when QQ refuses
        it for a reason that is not the delivery's (limits, outages, auth raise as they are)."""
        body = message_body(message.reply, address, markdown=True, buttons=True)
        try:
            return self._post_body(address, {**body, **extra})
        except QQApiError as exc:
            if exc.transient or exc.status in (401, 403):
                raise
            if exc.code in self.settings.proactive_limit_codes:
                raise
            raise _KeyboardRefused(exc) from exc

    def _post_body(self, address: Address, body: dict[str, object]) -> str | None:
        try:
            data = self.client.post_message(address.kind, address.target, body)
        except QQApiError as exc:
            if exc.code in DUPLICATE_SEQ_CODES:
                log.info("QQ already has this message (%s); counted as sent", exc)
                return None
            raise
        # A 202 (held for review) has no message id yet; the notice still counts as sent.
        found = data.get("id") if isinstance(data, dict) else None
        return str(found) if found else None

    # -- proactive -----------------------------------------------------------------------------

    def _proactive(self, address: Address, message: OutgoingMessage) -> str | None:
        period, limit, resets_at = self._period(address)
        if not self._reserve(str(address), period, limit):
            return self._fallback(
                message, address, f"proactive limit {limit} for {address} ({period})", resets_at
            )
        try:
            return self._post(address, message, {})
        except QQApiError as exc:
            self._release(str(address), period)
            if exc.code in self.settings.proactive_limit_codes:
                self._exhaust(str(address), period, limit)
                reason = f"QQ refused a proactive message: {exc}"
                return self._fallback(message, address, reason, resets_at)
            raise _delivery_error(exc) from exc

    def _period(self, address: Address) -> tuple[str, int, datetime]:
        local = self.clock().astimezone(self.zone)
        if address.kind == CHANNEL:
            reset = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self.zone)
            return local.date().isoformat(), self.settings.proactive_daily_limit_per_channel, reset
        first_next = date(local.year + local.month // 12, local.month % 12 + 1, 1)
        reset = datetime.combine(first_next, time(0), tzinfo=self.zone)
        limit = (
            self.settings.proactive_monthly_limit_per_user
            if address.kind == C2C
            else self.settings.proactive_monthly_limit_per_group
        )
        return f"{local.year:04d}-{local.month:02d}", limit, reset

    def _reserve(self, address: str, period: str, limit: int) -> bool:
        """Take one of the period's slots; False when they are all used."""
        if limit <= 0:
            return False
        with transaction(self.factory) as session:
            row_id = self._usage_row(session, address, period)
            taken = session.execute(
                update(QQProactiveUsage)
                .where(QQProactiveUsage.id == row_id, QQProactiveUsage.count < limit)
                .values(count=QQProactiveUsage.count + 1, updated_at=self.clock())
            ).rowcount  # type: ignore[attr-defined]
        return bool(taken == 1)

    def _release(self, address: str, period: str) -> None:
        with transaction(self.factory) as session:
            session.execute(
                update(QQProactiveUsage)
                .where(
                    QQProactiveUsage.address == address,
                    QQProactiveUsage.period == period,
                    QQProactiveUsage.count > 0,
                )
                .values(count=QQProactiveUsage.count - 1)
            )

    def _exhaust(self, address: str, period: str, limit: int) -> None:
        """QQ counts differently from us (other senders, other rules): believe QQ."""
        with transaction(self.factory) as session:
            session.execute(
                update(QQProactiveUsage)
                .where(
                    QQProactiveUsage.address == address,
                    QQProactiveUsage.period == period,
                    QQProactiveUsage.count < limit,
                )
                .values(count=limit)
            )

    def _usage_row(self, session: Session, address: str, period: str) -> int:
        query = select(QQProactiveUsage.id).where(
            QQProactiveUsage.address == address, QQProactiveUsage.period == period
        )
        row_id = session.scalar(query)
        if row_id is not None:
            return row_id
        try:
            with session.begin_nested():
                row = QQProactiveUsage(
                    address=address, period=period, count=0, updated_at=self.clock()
                )
                session.add(row)
            return row.id
        except IntegrityError:  # another worker created it first
            found = session.scalar(query)
            assert found is not None
            return found

    # -- fallback ------------------------------------------------------------------------------

    def _fallback(
        self,
        message: OutgoingMessage,
        address: Address | None,
        reason: str,
        resets_at: datetime | None,
    ) -> str:
        """Queue the notice elsewhere and return ``fallback:#<id>`` as this row's external id.

        A notice for one person (C2C, or a member QQ cannot reach directly) goes to their web
        inbox, never to a shared channel; anything else to ``qq.fallback_channel``.
        """
        retry_after = max(60.0, (resets_at - self.clock()).total_seconds()) if resets_at else None
        if message.reply_to:
            # An answer whose reply window closed during an outage: stale in another chat.
            raise DeliveryError(f"{reason}; the reply window has closed", transient=False)
        if message.idempotency_key.endswith(FALLBACK_SUFFIX):
            raise DeliveryError(f"{reason}; already a fallback, waiting", retry_after=retry_after)
        personal = address is None or address.kind == C2C
        with transaction(self.factory) as session:
            if personal:
                user_key = address.target if address else message.address
                target = self._inbox_of(session, user_key)
                if target is None:
                    raise DeliveryError(
                        f"{reason}; no member has QQ id {user_key}", transient=False
                    )
            else:
                target = self._fallback_target(session)
            if target is None or (target[0] == self.platform and target[1] == message.address):
                raise DeliveryError(
                    f"{reason}; no qq.fallback_channel, waiting for the reset",
                    retry_after=retry_after,
                )
            platform, to, channel_id = target
            original = session.get(OutboxMessage, message.outbox_id)
            key = message.idempotency_key[: 191 - len(FALLBACK_SUFFIX)] + FALLBACK_SUFFIX
            row = outbox_service.enqueue(
                session,
                key=key,
                platform=platform,
                address=to,
                reply=message.reply,
                now=self.clock(),
                workspace_id=original.workspace_id if original else None,
                channel_id=channel_id,
            )
            fallback_id: int | None
            if row is not None:
                session.flush()
                fallback_id = row.id
            else:  # queued by an earlier attempt that died before recording this one as sent
                fallback_id = session.scalar(
                    select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)
                )
        log.warning("QQ %s: %s; sent to %s:%s instead", message.address, reason, platform, to)
        return f"fallback:#{fallback_id}"

    def _inbox_of(self, session: Session, user_key: str) -> tuple[str, str, int | None] | None:
        """The web inbox of the member behind a QQ user key."""
        member_id = session.scalar(
            select(PlatformIdentity.member_id)
            .where(
                PlatformIdentity.platform == self.platform,
                PlatformIdentity.user_key == user_key,
            )
            .order_by(PlatformIdentity.id)
            .limit(1)
        )
        return (Platform.WEB.value, f"member:{member_id}", None) if member_id else None

    def _fallback_target(self, session: Session) -> tuple[str, str, int | None] | None:
        value = self.settings.fallback_channel.strip()
        if not value:
            return None
        if value.isdigit():
            channel = session.get(Channel, int(value))
            if channel is None or not channel.enabled:
                log.error("qq.fallback_channel %s is not an enabled channel", value)
                return None
            return channel.platform, channel.address, channel.id
        platform, _, address = value.partition(":")
        return platform, address, None


def _delivery_error(exc: QQApiError) -> DeliveryError:
    return DeliveryError(
        str(exc),
        transient=exc.transient,
        retry_after=exc.retry_after,
        code=exc.code if exc.code is not None else exc.status,
    )


class _KeyboardRefused(Exception):
    """QQ refused a message with a keyboard (no keyboard permission in that kind of chat)."""

    def __init__(self, error: QQApiError) -> None:
        super().__init__(str(error))
        self.error = error
