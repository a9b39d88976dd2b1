"""The lark-oapi client for one Feishu / Lark app, and what its error codes mean for delivery."""

from __future__ import annotations

import json
import logging
from typing import Any

from lark_oapi.core.exception import ObtainAccessTokenException
from lark_oapi.core.token.manager import TokenManager

from teamassist.adapters.feishu import keepalive
from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.adapters.feishu.sdk import FeishuClient, make_client
from teamassist.adapters.shared_outage import waiting_for_shared_state
from teamassist.outbox.senders import CREDENTIALS, UNREACHABLE, DeliveryError
from teamassist.shared_state import SharedStateUnavailable

log = logging.getLogger(__name__)

# Codes worth retrying: rate limits, busy/internal errors, an expired tenant token.
RATE_LIMIT_CODES = {99991400, 230020, 11232, 11233}
TOKEN_CODES = {99991661, 99991663, 99991664, 99991668}
BUSY_CODES = {1000004, 1000005, 99991401, 230098}


class FeishuApiError(DeliveryError):
    """Feishu answered with a non-zero ``code``."""

    def __init__(
        self, message: str, *, code: int | None, transient: bool, retry_after: float | None = None
    ) -> None:
        super().__init__(message, transient=transient, retry_after=retry_after)
        self.code = code


def build_client(settings: FeishuSettings, *, timeout: float | None = None) -> FeishuClient:
    """A client for ``settings.domain`` (checked by ``FeishuSettings.missing``); lark-oapi
    caches the tenant token until it expires. Its calls go over kept-alive connections
    (``keepalive``)."""
    keepalive.install()
    secret = settings.app_secret.get_secret_value() if settings.app_secret else ""
    domain = settings.domain.rstrip("/")
    return make_client(settings.app_id, secret, domain, timeout or settings.timeout_seconds)


def forget_token(app_id: str) -> None:
    """Drop the cached tenant token so the next call fetches a new one."""
    TokenManager.cache.set(f"self_tenant_token:{app_id}", "", 0)


def call(app_id: str, what: str, method: Any, request: Any) -> Any:
    """Run one typed API call; raise :class:`DeliveryError` unless Feishu says ``code == 0``."""
    try:
        response = method(request)
    except ObtainAccessTokenException as exc:
        # Kept transient even for a wrong secret: once the admin fixes it, the notice arrives.
        # The token endpoint answering an HTTP 5xx (tokens.py passes the status as the code) is
        # Feishu out of reach; any Feishu code there is a refusal of the app's id or secret.
        code = exc.code if isinstance(exc.code, int) else None
        kind = UNREACHABLE if code is not None and 500 <= code < 600 else CREDENTIALS
        raise DeliveryError(
            f"feishu {what}: no tenant token: {exc.code} {exc.msg}", code=code, kind=kind
        ) from exc
    except SharedStateUnavailable as exc:  # the tenant token lives in Redis: wait for it
        raise waiting_for_shared_state("feishu " + what, exc) from exc
    except ValueError as exc:  # a non-JSON answer (a gateway error page)
        raise DeliveryError(f"feishu {what}: unreadable answer ({exc})", kind=UNREACHABLE) from exc
    except Exception as exc:  # connection refused, timeout: the platform is unreachable
        raise DeliveryError(
            f"feishu {what}: {type(exc).__name__}: {exc}", kind=UNREACHABLE
        ) from exc
    if response.success():
        return response
    raise error_for(app_id, what, response)


def error_for(app_id: str, what: str, response: Any) -> FeishuApiError:
    """Classify a failed answer: retry later, or give up."""
    code = response.code
    raw = response.raw
    status = raw.status_code if raw is not None else None
    text = f"feishu {what}: code {code} {response.msg or ''} (HTTP {status})".strip()
    if code in TOKEN_CODES:
        forget_token(app_id)
        return FeishuApiError(text, code=code, transient=True, retry_after=1)
    if code in RATE_LIMIT_CODES or status == 429:
        return FeishuApiError(text, code=code, transient=True, retry_after=_reset_after(raw))
    if code in BUSY_CODES or status is None or status >= 500:
        return FeishuApiError(text, code=code, transient=True)
    # Everything else (bad receive id, bot not in the chat, missing permission, bad card) will
    # not get better by waiting: the notice is dead and an admin can retry it after a fix.
    return FeishuApiError(text, code=code, transient=False)


def _reset_after(raw: Any) -> float:
    headers = {k.lower(): v for k, v in (raw.headers or {}).items()} if raw is not None else {}
    try:
        return max(1.0, float(headers.get("x-ogw-ratelimit-reset", "")))
    except ValueError:
        return 10.0


def dumps(value: Any) -> str:
    """JSON for message content (Chinese kept readable)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
