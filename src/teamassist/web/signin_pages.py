"""Sign-in pages without a session: the one-time link's confirm page and Feishu OAuth.

Both end in ``auth.start_session`` for a member, in the request's one transaction.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from teamassist.adapters.feishu.config import FeishuSettings
from teamassist.http import auth, feishu_oauth, signin
from teamassist.http.deps import RuntimeDep, SessionDep
from teamassist.http.render import render
from teamassist.http.routes import Routes
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import PlatformTenant, Workspace

log = logging.getLogger(__name__)

router = Routes(include_in_schema=False)

# What a page says, and its status, for a link that cannot sign anyone in.
_REFUSED = {
    signin.LinkState.EXPIRED: ("signin.link_expired", 410),
    signin.LinkState.USED: ("signin.link_used", 410),
    signin.LinkState.UNKNOWN: ("signin.link_unknown", 404),
}
_STATE_KEY = "feishu_state"
CALLBACK = "/auth/feishu/callback"


def _form_token(request: Request) -> str:
    """The form token of this browser: the session's, or a new one before any sign-in."""
    current = request.session.get(auth.CSRF_KEY)
    if isinstance(current, str) and current:
        return current
    token = secrets.token_urlsafe(32)
    request.session[auth.CSRF_KEY] = token
    return token


def _message(request: Request, key: str, status: int) -> HTMLResponse:
    page = render(request, "signin_link.html", None, message=t(key), member=None, token="")
    page.status_code = status
    return page


@router.get("/auth/link/{token}", response_class=HTMLResponse)
def link_page(request: Request, token: str, session: SessionDep, runtime: RuntimeDep) -> Response:
    """Show who the link signs in as and a confirm button; opening it spends nothing."""
    found = signin.state(session, raw=token[:200], now=runtime.clock())
    if found is not signin.LinkState.VALID:
        key, status = _REFUSED[found]
        return _message(request, key, status)
    member = signin.member_of(session, raw=token)
    return render(
        request,
        "signin_link.html",
        None,
        message=None,
        member=member,
        token=token,
        form_token=_form_token(request),
    )


@router.post("/auth/link/{token}", response_model=None)
def link_confirm(
    request: Request,
    token: str,
    session: SessionDep,
    runtime: RuntimeDep,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Spend the link and start the member's session (one transaction); the form must carry
    the token of the confirm page this browser was shown."""
    expected = request.session.get(auth.CSRF_KEY)
    if not isinstance(expected, str) or not hmac.compare_digest(
        csrf_token.encode(), expected.encode()
    ):
        return _message(request, "signin.link_form_expired", 403)
    now = runtime.clock()
    found, member = signin.redeem(session, raw=token[:200], now=now)
    if found is not signin.LinkState.VALID or member is None:
        refused = found if found is not signin.LinkState.VALID else signin.LinkState.UNKNOWN
        key, status = _REFUSED[refused]
        return _message(request, key, status)
    auth.start_session(
        request, session, None, now, member=member, days=runtime.settings.web.session_days
    )
    return RedirectResponse("/", status_code=303)


# -- Feishu OAuth ----------------------------------------------------------------------------


class _RecentCodes:
    """Codes this app exchanged lately and who they named. A code is single-use at Feishu, and
    a request that loses a database lock race is run again (``http.retry``): the rerun finds
    the answer here instead of spending the code twice."""

    MAX = 256

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users: OrderedDict[str, feishu_oauth.FeishuUser] = OrderedDict()

    def exchange(
        self, settings: FeishuSettings, *, code: str, redirect_uri: str
    ) -> feishu_oauth.FeishuUser:
        with self.lock:
            known = self.users.get(code)
        if known is not None:
            return known
        user = feishu_oauth.user_of_code(settings, code=code, redirect_uri=redirect_uri)
        with self.lock:
            self.users[code] = user
            while len(self.users) > self.MAX:
                self.users.popitem(last=False)
        return user


def _recent_codes(request: Request) -> _RecentCodes:
    recent: _RecentCodes | None = getattr(request.app.state, "feishu_codes", None)
    if recent is None:
        recent = request.app.state.feishu_codes = _RecentCodes()
    return recent


def _redirect_uri(runtime: RuntimeDep) -> str:
    return runtime.settings.web.public_url.rstrip("/") + CALLBACK


@router.get("/auth/feishu", response_model=None)
def feishu_start(request: Request, runtime: RuntimeDep) -> Response:
    """Send the browser to Feishu's authorize page with a fresh ``state``."""
    settings = runtime.settings
    if not settings.feishu.enabled:
        return _message(request, "signin.feishu_off", 404)
    state = secrets.token_urlsafe(24)
    request.session[_STATE_KEY] = state
    url = feishu_oauth.authorize_url(
        settings.web.feishu_authorize_url,
        app_id=settings.feishu.app_id,
        redirect_uri=_redirect_uri(runtime),
        state=state,
    )
    return RedirectResponse(url, status_code=303)


@router.get(CALLBACK, response_model=None)
def feishu_callback(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    code: str = "",
    state: str = "",
) -> Response:
    """Check ``state``, learn who signed in from Feishu, and start their member session."""
    settings = runtime.settings
    if not settings.feishu.enabled:
        return _message(request, "signin.feishu_off", 404)
    expected = request.session.pop(_STATE_KEY, None)
    if (
        not isinstance(expected, str)
        or not state
        or not hmac.compare_digest(state.encode(), expected.encode())
    ):
        return _message(request, "signin.feishu_state", 400)
    if not code:
        return _message(request, "signin.feishu_failed", 400)
    try:
        user = _recent_codes(request).exchange(
            settings.feishu, code=code[:500], redirect_uri=_redirect_uri(runtime)
        )
    except feishu_oauth.FeishuSignInError as exc:
        log.warning("Feishu sign-in failed: %s", exc)
        return _message(request, "signin.feishu_failed", 502)
    workspace = session.scalar(
        select(Workspace)
        .join(PlatformTenant, PlatformTenant.workspace_id == Workspace.id)
        .where(PlatformTenant.platform == "feishu", PlatformTenant.tenant_key == user.tenant_key)
    )
    if workspace is None:
        return _message(request, "signin.feishu_unbound", 403)
    member = team_service.get_member_by_identity(
        session,
        workspace=workspace,
        platform="feishu",
        tenant_key=user.tenant_key,
        user_key=user.open_id,
    )
    if member is None or auth.member_principal(session, member.id) is None:
        return _message(request, "signin.feishu_unknown", 403)
    auth.start_session(
        request,
        session,
        None,
        runtime.clock(),
        member=member,
        days=settings.web.session_days,
    )
    return RedirectResponse("/", status_code=303)
