"""Deliver outbox notices to WeCom group robots, within 20 messages a minute per robot."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from teamassist.adapters.shared_outage import waiting_for_shared_state
from teamassist.adapters.wecom.client import RobotClient
from teamassist.adapters.wecom.config import WeComSettings
from teamassist.adapters.wecom.render import markdown, split
from teamassist.enums import Platform
from teamassist.i18n import t
from teamassist.outbox.senders import DeliveryError, OutgoingMessage
from teamassist.shared_state import LocalState, SharedState, SharedStateUnavailable

log = logging.getLogger(__name__)
# The external id of a notice not resent after an uncertain send (``after_uncertain_send``).
UNCONFIRMED = "unconfirmed"

WINDOW_SECONDS = 60.0
# A split notice's delivered parts are remembered this long (seconds) for its retry.
PARTS_TTL_SECONDS = 7 * 24 * 3600.0


class WeComSender:
    """Sends each notice as markdown to the robot its channel names (address = robot name).

    A notice longer than one message goes out as several, in order. Parts already delivered are
    remembered in ``shared`` (the runtime's shared state: this process, or with Redis every
    worker) so a retry after a failure in the middle sends only the rest, wherever it runs.

    WeCom allows a robot 20 messages a minute (``wecom.messages_per_minute``; WeCom's 群机器人
    配置说明 "消息发送频率限制": https://developer.work.weixin.qq.com/document/path/91770). The
    sliding window is ``shared.take()`` per robot, so all workers together stay within it; when
    the minute is full the notice stays in the outbox with ``retry_after`` (no attempt spent).

    Robots take no dedupe key: after an uncertain send (``possibly_sent``) the notice is sent
    again with a first line saying it may be a repeat, or not at all, as
    ``wecom.after_uncertain_send`` says.
    """

    platform = Platform.WECOM.value

    def __init__(
        self,
        settings: WeComSettings,
        client: RobotClient | None = None,
        now: Callable[[], float] = time.monotonic,
        shared: SharedState | None = None,
    ) -> None:
        self.settings = settings
        self.client = client or RobotClient(settings.api_base, timeout=settings.timeout_seconds)
        self.shared: SharedState = shared if shared is not None else LocalState(now)

    def send(self, message: OutgoingMessage) -> str | None:
        """Send every remaining part of one notice."""
        try:
            return self._send(message)
        except SharedStateUnavailable as exc:  # no token / no limit: the notice waits
            raise waiting_for_shared_state("wecom", exc) from exc

    def _send(self, message: OutgoingMessage) -> str | None:
        secret = self.settings.robots.get(message.address)
        if secret is None or not secret.get_secret_value().strip():
            raise DeliveryError(
                f"wecom: no robot named {message.address!r} in TEAMASSIST_WECOM__ROBOTS",
                transient=False,
            )
        key = secret.get_secret_value()
        # Shared names carry digests, never the robot key (a credential) or the notice's key.
        robot = "wecom:robot:" + _digest(key)
        progress = "wecom:parts:" + _digest(message.idempotency_key)
        text = markdown(message.reply)
        done = int(self.shared.get(progress) or 0)
        if message.possibly_sent and done == 0:
            if self.settings.after_uncertain_send == "skip":
                log.warning(
                    "wecom: outbox #%s may have been posted already; not resent (at most once)",
                    message.outbox_id,
                )
                return UNCONFIRMED
            text = f"{t('core.delivery.possible_repeat')}\n{text}"
        parts = split(text, self.settings.max_message_bytes)
        for index in range(done, len(parts)):
            wait = self.shared.take(
                robot, limit=self.settings.messages_per_minute, window=WINDOW_SECONDS
            )
            if wait:
                raise DeliveryError(
                    f"wecom: robot {message.address!r} is at its "
                    f"{self.settings.messages_per_minute}/min limit",
                    transient=True,
                    retry_after=wait,
                )
            self.client.send_markdown(key, parts[index])
            if index + 1 < len(parts):
                self.shared.put(progress, str(index + 1), ttl=PARTS_TTL_SECONDS)
        if done or len(parts) > 1:
            self.shared.delete(progress)
        return None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]
