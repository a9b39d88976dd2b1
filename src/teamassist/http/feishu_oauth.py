"""Feishu OAuth for the dashboard opened in Feishu's workbench (网页应用免登) or a browser.

``/auth/feishu`` sends the browser to Feishu's authorize page with a random ``state`` kept in
the session; the callback checks it, exchanges the code at the current token endpoint
(``POST /open-apis/authen/v2/oauth/token``, RFC 6749 with client_id/client_secret: lark-oapi
wraps only the older v1 endpoints, so this is plain httpx) and reads ``/authen/v1/user_info``
(open_id, tenant_key). The member is found by that identity in the workspace the tenant is bound
to. Nothing is stored of Feishu's token: it is used once, to learn who signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from teamassist.adapters.feishu.config import FeishuSettings

if TYPE_CHECKING:  # httpx (with its CLI's rich and pygments) loads at the first sign-in
    import httpx

TOKEN_PATH = "/open-apis/authen/v2/oauth/token"
USER_INFO_PATH = "/open-apis/authen/v1/user_info"


class FeishuSignInError(Exception):
    """Feishu did not confirm who signed in (refused code, network, unexpected answer)."""


@dataclass(frozen=True)
class FeishuUser:
    """Who Feishu says signed in."""

    open_id: str
    tenant_key: str
    name: str


def authorize_url(authorize_base: str, *, app_id: str, redirect_uri: str, state: str) -> str:
    """Feishu's authorize page for this app, coming back to ``redirect_uri`` with ``state``."""
    query = urlencode({"client_id": app_id, "redirect_uri": redirect_uri, "state": state})
    return f"{authorize_base}?{query}"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise FeishuSignInError(f"HTTP {response.status_code}: not JSON") from exc
    if not isinstance(body, dict):
        raise FeishuSignInError(f"HTTP {response.status_code}: unexpected answer")
    if response.status_code != 200 or body.get("code", 0) != 0:
        raise FeishuSignInError(
            f"HTTP {response.status_code}: code {body.get('code')} "
            f"{body.get('error_description') or body.get('msg') or ''}".strip()
        )
    return body


def user_of_code(settings: FeishuSettings, *, code: str, redirect_uri: str) -> FeishuUser:
    """Exchange an authorization code for the user it was issued to."""
    import httpx

    secret = settings.app_secret.get_secret_value() if settings.app_secret else ""
    base = settings.domain.rstrip("/")
    try:
        with httpx.Client(timeout=settings.timeout_seconds) as client:
            token = _json(
                client.post(
                    base + TOKEN_PATH,
                    json={
                        "grant_type": "authorization_code",
                        "client_id": settings.app_id,
                        "client_secret": secret,
                        "code": code,
                        "redirect_uri": redirect_uri,
                    },
                )
            )
            access = token.get("access_token")
            if not isinstance(access, str) or not access:
                raise FeishuSignInError("no access_token in the token answer")
            info = _json(
                client.get(base + USER_INFO_PATH, headers={"Authorization": f"Bearer {access}"})
            )
    except httpx.HTTPError as exc:
        raise FeishuSignInError(f"{type(exc).__name__}: {exc}") from exc
    data = info.get("data")
    if not isinstance(data, dict):
        raise FeishuSignInError("no data in the user_info answer")
    open_id, tenant_key = data.get("open_id"), data.get("tenant_key")
    if not isinstance(open_id, str) or not open_id or not isinstance(tenant_key, str):
        raise FeishuSignInError("user_info without open_id or tenant_key")
    return FeishuUser(open_id=open_id, tenant_key=tenant_key, name=str(data.get("name") or ""))
