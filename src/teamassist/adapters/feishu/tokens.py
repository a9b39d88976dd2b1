"""lark-oapi's tenant-token cache on the runtime's shared state (one token per app for every
process of the install, refreshed by one of them at a time).

lark-oapi keeps tokens in one process-wide cache (``TokenManager.cache``, an ``ICache``) and,
on a miss, fetches and stores without any lock: every replica and worker would refresh on its
own. :class:`SharedTokenCache` replaces that cache: a tenant-token read of an app registered by
:func:`share_tenant_tokens` is answered by ``SharedState.token()``, which fetches the token
itself (``POST /open-apis/auth/v3/tenant_access_token/internal``) under the shared lock; other
keys (app tokens, unregistered apps) stay in this process as lark-oapi kept them.

Lifetime: Feishu's answer carries ``expire`` (seconds left, at most 7200); asked again in its
last 30 minutes the endpoint returns a new token and the old one keeps working until it
expires (Feishu open platform, "自建应用获取 tenant_access_token":
https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal).
It is kept ``expire`` less ``TOKEN_MARGIN_SECONDS`` (lark-oapi's own margin), so no process
sends a token in its last ten minutes. Tokens are never logged.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from lark_oapi.core.cache import ICache
from lark_oapi.core.exception import ObtainAccessTokenException
from lark_oapi.core.token.manager import TokenManager

from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.shared_state import SharedState

TOKEN_MARGIN_SECONDS = 600.0
TENANT_KEY = "self_tenant_token"
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"


class SharedTokenCache(ICache):  # type: ignore[misc]  # lark-oapi ships no types
    """An ``ICache`` for lark-oapi's ``TokenManager`` (see the module docstring)."""

    def __init__(self) -> None:
        self._apps: dict[str, tuple[FeishuSettings, SharedState]] = {}
        self._local: dict[str, tuple[str, float]] = {}  # other keys: value, unix expiry
        self._lock = threading.Lock()

    def register(self, settings: FeishuSettings, shared: SharedState) -> None:
        """Serve ``settings.app_id``'s tenant token from ``shared`` (the latest call wins)."""
        with self._lock:
            self._apps[settings.app_id] = (settings, shared)

    def _app(self, key: str) -> tuple[str, FeishuSettings, SharedState] | None:
        kind, _, app_id = key.partition(":")
        found = self._apps.get(app_id) if kind == TENANT_KEY else None
        return (app_id, *found) if found else None

    def get(self, key: str) -> str:
        """The token for lark-oapi's ``key``; '' (a miss) only for keys kept locally.

        Raises ``ObtainAccessTokenException`` when Feishu refuses the app's credentials, and
        ``httpx.HTTPError`` when Feishu cannot be reached and ``SharedStateUnavailable`` when
        Redis cannot (the caller, ``feishu.client.call``, turns the first into a transient
        ``DeliveryError``, the second into a wait that spends no attempt).
        """
        app = self._app(key)
        if app is not None:
            app_id, settings, shared = app
            return shared.token(
                _name(app_id), lambda: fetch_tenant_token(settings), margin=TOKEN_MARGIN_SECONDS
            )
        with self._lock:
            value, expires = self._local.get(key, ("", 0.0))
            return value if expires > time.time() else ""

    def set(self, key: str, value: str, expire: int) -> None:
        """Store what lark-oapi fetched itself; ``value == ''`` forgets (see ``forget_token``)."""
        app = self._app(key)
        if app is not None:
            if not value:
                app[2].delete(_name(app[0]))
            return  # a registered app's token is only ever stored by ``get``
        with self._lock:
            self._local[key] = (value, float(expire))


def _name(app_id: str) -> str:
    return f"feishu:tenant_token:{app_id}"


def fetch_tenant_token(settings: FeishuSettings) -> tuple[str, float]:
    """Ask Feishu for the app's tenant token: (token, seconds it stays valid)."""
    secret = settings.app_secret.get_secret_value() if settings.app_secret else ""
    response = httpx.post(
        settings.domain.rstrip("/") + TOKEN_PATH,
        json={"app_id": settings.app_id, "app_secret": secret},
        timeout=settings.timeout_seconds,
    )
    try:
        data: dict[str, Any] = response.json()
    except ValueError:
        data = {}
    token = data.get("tenant_access_token")
    if data.get("code") != 0 or not isinstance(token, str) or not token:
        code = data.get("code")
        raise ObtainAccessTokenException(
            "obtain self tenant access token failed",
            code if isinstance(code, int) else response.status_code,
            str(data.get("msg", "")),
        )
    try:
        lifetime = float(data.get("expire", 7200))
    except (TypeError, ValueError):
        lifetime = 7200.0
    return token, lifetime


_CACHE = SharedTokenCache()


def share_tenant_tokens(settings: FeishuSettings, shared: SharedState) -> None:
    """Make lark-oapi read ``settings.app_id``'s tenant token from ``shared`` in this process."""
    _CACHE.register(settings, shared)
    TokenManager.cache = _CACHE
