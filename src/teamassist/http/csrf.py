"""Cross-site request forgery: the form token and the Origin check, for cookie sign-ins only.

One app-wide dependency (``protect``) checks every unsafe request (POST, PUT, PATCH, DELETE):

- Origin (or, without it, Referer) must be this site: the configured public URL or the Host the
  request came to. Browsers send Origin on every cross-site POST, so a page elsewhere cannot
  use the admin's cookie.
- A signed-in request must carry the session's token: the ``csrf_token`` form field (every
  dashboard form has it) or the ``X-CSRF-Token`` header (HTMX sends it from ``<body hx-headers>``).

Requests with ``Authorization: Bearer`` (scripts) carry no ambient cookie authority and are exempt;
so are requests without a dashboard session cookie (platform webhooks, the login form's token
check — the login form still gets the Origin check).
"""

import hmac
from urllib.parse import urlsplit

from fastapi import Request
from markupsafe import Markup, escape

from teamassist.exceptions import PermissionDenied
from teamassist.http import auth

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HEADER = "x-csrf-token"
FIELD = "csrf_token"
COOKIE = "teamassist_session"


def token(request: Request) -> str:
    """The session's form token ('' before sign-in)."""
    if "session" not in request.scope:
        return ""
    value = request.session.get(auth.CSRF_KEY, "")
    return value if isinstance(value, str) else ""


def hidden_field(request: Request) -> Markup:
    """``<input type=hidden name=csrf_token>`` for a dashboard form."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FIELD, escape(token(request))
    )


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-case ('' when it names no host)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def same_site(request: Request) -> bool:
    """Whether Origin/Referer (when sent) name this site: the public URL or the Host asked."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return True  # non-browser clients; a signed-in request still needs the token
    return of_this_site(request, claimed)


def of_this_site(request: Request, url: str) -> bool:
    """Whether ``url`` is on this site: the configured public URL or the Host asked."""
    allowed = {origin_of(str(request.base_url))}
    public_url = request.app.state.runtime.settings.web.public_url
    if public_url:
        allowed.add(origin_of(public_url))
    return origin_of(url) in allowed


async def protect(request: Request) -> None:
    """Refuse a forged unsafe request (see the module docstring)."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    if COOKIE not in request.cookies and request.url.path != "/login":
        return
    if not same_site(request):
        raise PermissionDenied("core.error.csrf")
    if "session" not in request.scope or not request.session.get(auth.SESSION_KEY):
        return  # not signed in: there is no authority to borrow
    expected = token(request)
    sent = request.headers.get(HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # cached on the request; the endpoint reads the same form
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDenied("core.error.csrf")
