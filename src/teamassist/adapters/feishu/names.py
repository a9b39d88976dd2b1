"""Display names of Feishu users (``contact.v3.user.get``), so members who write to the bot for the
first time are enrolled under their real name rather than an id.

Needs the scope ``contact:user.base:readonly``; without it (or when Feishu is slow or down) the
name stays empty and the member is enrolled as ``feishu-<id>``. Answers, including failures, are
remembered for an hour so a missing scope costs one call per user, not one per message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import lark_oapi as lark
from lark_oapi.api.contact.v3 import GetUserRequest

log = logging.getLogger(__name__)

TTL_SECONDS = 3600.0
MAX_ENTRIES = 5000


class UserNames:
    """A small cache in front of the contact API."""

    def __init__(self, client: lark.Client, *, now: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.now = now
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def __call__(self, open_id: str) -> str:
        """The user's name, or '' when it cannot be known."""
        with self._lock:
            hit = self._cache.get(open_id)
            if hit is not None and hit[0] > self.now():
                return hit[1]
        name = self._fetch(open_id)
        with self._lock:
            if len(self._cache) >= MAX_ENTRIES:
                self._cache.clear()
            self._cache[open_id] = (self.now() + TTL_SECONDS, name)
        return name

    def _fetch(self, open_id: str) -> str:
        request = GetUserRequest.builder().user_id(open_id).user_id_type("open_id").build()
        try:
            response = self.client.contact.v3.user.get(request)
        except Exception as exc:  # unreachable or unreadable: enrol without a name
            log.info("feishu: no name for %s: %s", open_id, exc)
            return ""
        if not response.success() or response.data is None or response.data.user is None:
            log.info("feishu: no name for %s: code %s %s", open_id, response.code, response.msg)
            return ""
        user = response.data.user
        return str(user.name or user.nickname or user.en_name or "")
