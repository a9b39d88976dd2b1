"""Deliver outbox notices to WeCom group robots, within 20 messages a minute per robot."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from teamassist.adapters.wecom.client import RobotClient
from teamassist.adapters.wecom.config import WeComSettings
from teamassist.adapters.wecom.render import markdown, split
from teamassist.enums import Platform
from teamassist.i18n import t
from teamassist.outbox.senders import DeliveryError, OutgoingMessage

log = logging.getLogger(__name__)
# The external id of a notice not resent after an uncertain send (``after_uncertain_send``).
UNCONFIRMED = "unconfirmed"

WINDOW_SECONDS = 60.0


class RateLimiter:
    """A sliding window per robot key: at most ``limit`` sends in any ``window`` seconds."""

    def __init__(
        self, limit: int, window: float = WINDOW_SECONDS, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.now = now
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take a slot and return 0, or take nothing and return the seconds until one frees."""
        with self._lock:
            now = self.now()
            sent = self._sent.setdefault(key, deque())
            while sent and sent[0] <= now - self.window:
                sent.popleft()
            if len(sent) >= self.limit:
                return max(0.5, sent[0] + self.window - now)
            sent.append(now)
            return 0.0


class WeComSender:
    """Sends each notice as markdown to the robot its channel names (address = robot name).

    A notice longer than one message goes out as several, in order. Parts already delivered are
    remembered (in this process) so a retry after a failure in the middle sends only the rest.
    When a robot's minute is full the notice stays in the outbox with ``retry_after``.

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
    ) -> None:
        self.settings = settings
        self.client = client or RobotClient(settings.api_base, timeout=settings.timeout_seconds)
        self.limiter = RateLimiter(settings.messages_per_minute, now=now)
        self._delivered: dict[str, int] = {}  # idempotency key -> parts sent
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> str | None:
        """Send every remaining part of one notice."""
        secret = self.settings.robots.get(message.address)
        if secret is None or not secret.get_secret_value().strip():
            raise DeliveryError(
                f"wecom: no robot named {message.address!r} in TEAMASSIST_WECOM__ROBOTS",
                transient=False,
            )
        key = secret.get_secret_value()
        text = markdown(message.reply)
        with self._lock:
            done = self._delivered.get(message.idempotency_key, 0)
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
            wait = self.limiter.acquire(key)
            if wait:
                raise DeliveryError(
                    f"wecom: robot {message.address!r} is at its "
                    f"{self.settings.messages_per_minute}/min limit",
                    transient=True,
                    retry_after=wait,
                )
            self.client.send_markdown(key, parts[index])
            with self._lock:
                self._delivered[message.idempotency_key] = index + 1
        with self._lock:
            self._delivered.pop(message.idempotency_key, None)
        return None
