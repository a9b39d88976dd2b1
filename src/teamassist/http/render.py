"""Page rendering shared by every dashboard router: templates, the layout context, the page login.

Domains render their pages through ``render``; the navigation (``app.state.nav``) and the
template folders (``app.state.templates``, one Jinja ``ChoiceLoader`` over every domain's
``templates/``) are set by the app from what the composition root gathered, so this kit never
names a domain. Jinja2 itself loads with the first page rendered, not at start (issue 9: a
server answering only the API and webhooks never needs it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from importlib.abc import Traversable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, object_session

from teamassist.bidi import has_controls, isolate_html
from teamassist.chat.render import to_html
from teamassist.chat.types import Reply
from teamassist.clock import local
from teamassist.domain import NavEntry
from teamassist.exceptions import NotFound
from teamassist.http import auth, csrf
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import RuntimeDep, SessionDep, require_team_person, team_of
from teamassist.http.team_gate import require_member
from teamassist.i18n import t
from teamassist.team.models import Team
from teamassist.team.workspaces import any_workspace
from teamassist.weblinks import web_href

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

ContextGlobal = Callable[[Mapping[str, Any]], Any]


class PageTemplates:
    """One app's templates, looked up in ``folders`` in order (each domain keeps its own
    ``templates/<key>/`` sub-folder, so names do not collide). The Jinja environment is made on
    the first render; globals that read the render context are registered before that with
    :meth:`context_global`."""

    def __init__(self, folders: Sequence[Traversable]) -> None:
        self._folders = list(folders)
        # Every POST form carries the session's token ({{ csrf_field() }}); HTMX sends it as a
        # header.
        self._context_globals: dict[str, ContextGlobal] = {
            "csrf_field": lambda ctx: csrf.hidden_field(ctx["request"]),
            "csrf_token": lambda ctx: csrf.token(ctx["request"]),
        }
        self._built: Jinja2Templates | None = None
        self._lock = threading.Lock()

    def context_global(self, name: str, function: ContextGlobal) -> None:
        """Make ``name`` a template global called with the render context (Jinja's
        ``pass_context``); call before the first render."""
        if self._built is not None:
            raise RuntimeError(f"template global {name!r} added after the first render")
        self._context_globals[name] = function

    @property
    def jinja(self) -> Jinja2Templates:
        """The Jinja templates, made on the first call (thread-safe)."""
        built = self._built
        if built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._make()
                built = self._built
        return built

    def _make(self) -> Jinja2Templates:
        from fastapi.templating import Jinja2Templates
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context

        env = Environment(
            loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in self._folders]),
            autoescape=True,
        )
        env.globals["t"] = t
        env.globals["web_href"] = web_href
        env.filters["reply_html"] = lambda payload: to_html(Reply.model_validate(payload))
        for name, function in self._context_globals.items():
            env.globals[name] = pass_context(function)
        return Jinja2Templates(env=env)


def make_templates(folders: Sequence[Traversable]) -> PageTemplates:
    """One app's templates over ``folders`` (see :class:`PageTemplates`)."""
    return PageTemplates(folders)


class _AppTemplates:
    """``templates.TemplateResponse(request, …)`` with the templates of the request's app."""

    def TemplateResponse(
        self, request: Request, name: str, context: dict[str, Any] | None = None, **kw: Any
    ) -> HTMLResponse:
        app_templates: PageTemplates = request.app.state.templates
        page: HTMLResponse = app_templates.jinja.TemplateResponse(request, name, context, **kw)
        body = bytes(page.body)
        if has_controls(body):
            # A title holding an unpaired override reversed the rest of its table row; its
            # text is isolated where it is shown, never in a form value (see isolate_html).
            page.body = isolate_html(body.decode()).encode()
            page.headers["content-length"] = str(len(page.body))
        return page


templates = _AppTemplates()


class LoginRequired(Exception):
    """Raised by page dependencies; rendered as a redirect to ``location`` (the sign-in page,
    or the first-run page on an install without a workspace)."""

    def __init__(self, location: str = "/login") -> None:
        super().__init__(location)
        self.location = location


def page_principal(request: Request, session: SessionDep, runtime: RuntimeDep) -> Principal:
    """The signed-in user; demo mode signs in as the demo admin on first visit.

    Only a visit that reads (GET, HEAD) is signed in that way: the CSRF check lets a request
    without a session cookie through (it has no authority to borrow), so a form posted from
    another site was signed in after that check and carried out as the admin (tester s25
    F-23). A visitor's first page gives the cookie and the form token its forms then send."""
    now = runtime.clock()
    principal = auth.session_principal(request, session, now)
    if principal is None and runtime.settings.web.demo_mode and request.method in csrf.SAFE_METHODS:
        account = auth.demo_account(session)
        if account is not None:
            days = runtime.settings.web.session_days
            auth.start_session(request, session, account, now, days=days)
            principal = auth.session_principal(request, session, now)
    if principal is None:
        demo = runtime.settings.web.demo_mode
        raise LoginRequired("/login" if demo or any_workspace(session) else "/setup")
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def _sees_admin_pages(principal: Principal) -> bool:
    """Whether admin-only links are shown: the same check the admin pages make (an admin of
    the workspace's default team), so a member never follows a link to a 403. Asked in the
    request's own session (the one its member was loaded in): a request holds one connection."""
    if principal.member is None:
        return True  # the workspace owner
    session = object_session(principal.member)
    if session is None:
        return False
    try:
        return is_admin(session, principal, team_of(session, principal, None))
    except NotFound:
        return False


def render(
    request: Request, name: str, principal: Principal | None, **context: Any
) -> HTMLResponse:
    """Render a page with the shared layout context."""
    runtime = request.app.state.runtime
    nav: list[NavEntry] = getattr(request.app.state, "nav", [])
    admin_pages = principal is not None and _sees_admin_pages(principal)
    if principal is not None and not admin_pages:
        nav = [entry for entry in nav if not entry.admin]
    return templates.TemplateResponse(
        request,
        name,
        {
            "principal": principal,
            "demo_mode": runtime.settings.web.demo_mode,
            "feishu_enabled": runtime.settings.feishu.enabled,
            "nav_items": [{"href": e.href, "label": t(e.label)} for e in nav],
            "admin_pages": admin_pages,  # the layout's own admin-only links (the notice queue)
            **context,
        },
    )


def page_team(session: SessionDep, principal: PagePrincipal, team: int | None = None) -> Team:
    """The team a page shows: ``?team=`` (the caller's home team when absent), which the caller
    must be in or direct (403, shown as the error page: tester s23 F12)."""
    chosen = team_of(session, principal, team)
    require_team_person(session, principal, chosen)
    return chosen


def workspace_page_team(
    session: SessionDep, principal: PagePrincipal, team: int | None = None
) -> Team:
    """:func:`page_team` without the reader rule: pages open to the whole workspace on purpose
    (OKRs, docs/okr.md; the member directory and the org chart)."""
    return team_of(session, principal, team)


PageTeamDep = Annotated[Team, Depends(page_team)]
WorkspacePageTeamDep = Annotated[Team, Depends(workspace_page_team)]


def page_member_gate(request: Request, session: SessionDep, principal: PagePrincipal) -> None:
    """:data:`teamassist.http.team_gate.MEMBER_GATE` for pages: a visitor not signed in is
    sent to sign in first, then anyone outside the ``?team=`` is refused (403)."""
    require_member(request, session, principal)


PAGE_MEMBER_GATE = Depends(page_member_gate)


def team_page(
    request: Request,
    session: Session,
    principal: Principal,
    team: Team,
    name: str,
    tab: str,
    **context: Any,
) -> HTMLResponse:
    """A screen about one team: the layout plus ``team``, ``tab``, ``is_admin``, the team's zone
    (``tz``, and ``local`` to show times in it) and ``saved`` (a form was just saved: ``?saved=1``);
    ``context`` may override any of them."""
    shared: dict[str, Any] = {
        "team": team,
        "tab": tab,
        "is_admin": is_admin(session, principal, team),
        "local": local,
        "tz": team.timezone,
        "saved": request.query_params.get("saved") == "1",
    }
    return render(request, name, principal, **{**shared, **context})
