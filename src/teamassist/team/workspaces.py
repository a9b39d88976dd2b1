"""Workspaces from nothing to gone: found one with its first team and admin, pick, delete.

``teamassist init`` and the dashboard's first-run page found a workspace through :func:`found`;
``teamassist workspace delete`` and ``DELETE /api/v1/workspace`` remove one through
:func:`delete_workspace`. Every check runs before the first row is written, so a refusal
changes nothing (and the boundary rolls back anyway).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, func, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from teamassist.adapters.web.models import WebMessage
from teamassist.chat.models import InboundEvent
from teamassist.enums import Platform, Role
from teamassist.events import WorkspaceDeleting, publish
from teamassist.exceptions import Conflict, DomainError, NotFound
from teamassist.i18n import t
from teamassist.outbox.models import OutboxMessage
from teamassist.scheduler.models import JobDue, JobRun
from teamassist.team import people, service
from teamassist.team.models import (
    LocalAccount,
    Member,
    PlatformIdentity,
    PlatformTenant,
    Team,
    Workspace,
)
from teamassist.team.names import clean_text, fold, one_line, team_list, teams_answering

# A key is what scripts type (`--workspace KEY`) and what web and console chats use as their
# tenant: lower-case ASCII letters, digits and hyphens, starting with a letter or digit.
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_KEY_ROOM = 56  # a derived key leaves room for a "-NN" suffix within the column's 64
# A handle is typed after @ in chat: no spaces or punctuation that would end the mention.
HANDLE_PATTERN = re.compile(r"^[0-9A-Za-z_.\-\u4e00-\u9fff]{1,64}$")
NAME_LIMIT = 200
PLATFORMS_FOR_ADMIN = (Platform.QQ.value, Platform.FEISHU.value, Platform.WECOM.value)


@dataclass(frozen=True)
class Founding:
    """What ``teamassist init`` and the setup page ask for."""

    workspace_name: str
    team_name: str
    admin_handle: str
    admin_name: str = ""  # the display name; the handle when empty
    workspace_key: str | None = None  # derived from the name when None
    timezone: str = "Asia/Shanghai"
    # A platform identity as the first admin (instead of, or beside, a dashboard password).
    admin_platform: str | None = None
    admin_user_id: str | None = None
    admin_tenant: str = ""


@dataclass(frozen=True)
class Founded:
    """The rows :func:`found` created."""

    workspace: Workspace
    team: Team
    admin: Member
    account: LocalAccount | None


def derive_key(name: str) -> str:
    """A valid key from a workspace or team name: Chinese in pinyin, the rest transliterated.

    ``开源社区`` gives ``kai-yuan-she-qu``; a name with nothing to keep gives ``workspace``.
    """
    from pypinyin import lazy_pinyin  # its dictionaries take half a second: only when used

    words = lazy_pinyin(name)
    ascii_text = unicodedata.normalize("NFKD", " ".join(words)).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:_KEY_ROOM].strip("-")
    return key or "workspace"


def check_timezone(timezone: str) -> str:
    """The time zone name, or a refusal naming it."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError("core.error.bad_timezone", value=timezone) from exc
    return timezone


def _name(value: str, label_key: str) -> str:
    # Zero-width and direction characters dropped inside too, as chat's names
    # (people.check_name): "开源\u200b社区" is 开源社区, "\u202e" turns no list around.
    name = one_line(value)
    if not clean_text(name):  # only zero-width or format characters name nothing either
        name = ""
    if not name:
        raise DomainError("setup.error.empty_name", what=t(label_key))
    if len(name) > NAME_LIMIT:
        raise DomainError("setup.error.long_name", what=t(label_key), limit=NAME_LIMIT)
    return name


def check_handle(handle: str) -> str:
    """The first admin's handle, checked and normalised as every handle is
    (``people.check_handle``: invisible characters refused, NFKC), and also a sign-in name
    that can be @mentioned (``HANDLE_PATTERN``); else a refusal."""
    try:
        handle = people.check_handle(handle)
    except people.Invalid as exc:
        if exc.key != "people.error.bad_handle":
            raise  # an invisible character: named by people's own message
        raise DomainError("setup.error.bad_handle", handle=handle.strip()) from exc
    if not HANDLE_PATTERN.match(handle):
        raise DomainError("setup.error.bad_handle", handle=handle)
    return handle


def add_team(session: Session, *, workspace: Workspace, name: str, timezone: str) -> Team:
    """Add a team to ``workspace`` (key from the name, unique in the workspace)."""
    name = _name(name, "setup.field.team")
    timezone = check_timezone(timezone.strip())
    base = derive_key(name)
    taken = set(session.scalars(select(Team.folded_key).where(Team.workspace_id == workspace.id)))
    key, n = base, 1
    while fold(key) in taken:
        n += 1
        key = f"{base}-{n}"
    return service.create_team(session, workspace=workspace, key=key, name=name, timezone=timezone)


def _unique_key(session: Session, base: str) -> str:
    taken = set(
        session.scalars(
            select(Workspace.key).where(or_(Workspace.key == base, Workspace.key.like(f"{base}-%")))
        )
    )
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def plan_key(session: Session, founding: Founding) -> str:
    """The key the workspace will get: the chosen one (checked), else one derived and unique."""
    if founding.workspace_key is not None:
        key = founding.workspace_key.strip()
        if not KEY_PATTERN.match(key):
            raise DomainError("setup.error.bad_key", ws=key)
        if service.get_workspace_by_key(session, key=key) is not None:
            raise Conflict("setup.error.workspace_exists", what=key)
        return key
    return _unique_key(session, derive_key(founding.workspace_name))


def found(session: Session, founding: Founding, *, password_hash: str | None) -> Founded:
    """Create a workspace, its first team and its first admin (a dashboard account with
    ``password_hash``, a platform identity, or both); refuse before writing anything."""
    workspace_name = _name(founding.workspace_name, "setup.field.workspace")
    team_name = _name(founding.team_name, "setup.field.team")
    handle = check_handle(founding.admin_handle)
    admin_name = _name(founding.admin_name or handle, "setup.field.admin")
    timezone = check_timezone(founding.timezone.strip())
    same_name = next(
        (
            key
            for key, name in session.execute(select(Workspace.key, Workspace.name))
            if fold(name) == fold(workspace_name)
        ),
        None,
    )  # folded in Python: SQL lower() is ASCII-only on SQLite; an install has few workspaces
    if same_name is not None:
        raise Conflict("setup.error.workspace_exists", what=f"{workspace_name} ({same_name})")
    key = plan_key(session, founding)
    identity = _planned_identity(session, founding)
    if password_hash is None and identity is None:
        raise DomainError("setup.error.no_admin_sign_in")
    if password_hash is not None and session.scalar(
        select(LocalAccount.id).where(LocalAccount.username_key == fold(handle))
    ):
        raise Conflict("setup.error.account_exists", username=handle)

    workspace = service.create_workspace(session, key=key, name=workspace_name)
    team = service.create_team(
        session,
        workspace=workspace,
        key=derive_key(team_name),
        name=team_name,
        timezone=timezone,
    )
    admin = service.create_member(
        session,
        workspace=workspace,
        handle=handle,
        display_name=admin_name,
        team=team,
        role=Role.ADMIN,
    )
    if identity is not None:
        platform, tenant, user = identity
        service.add_identity(
            session, member=admin, platform=platform, tenant_key=tenant, user_key=user
        )
    account = None
    if password_hash is not None:
        account = LocalAccount(username=handle, password_hash=password_hash, member_id=admin.id)
        session.add(account)
        session.flush()
    return Founded(workspace=workspace, team=team, admin=admin, account=account)


def _planned_identity(session: Session, founding: Founding) -> tuple[str, str, str] | None:
    if founding.admin_platform is None and not founding.admin_user_id:
        return None
    platform = (founding.admin_platform or "").strip().lower()
    user = (founding.admin_user_id or "").strip()
    if platform not in PLATFORMS_FOR_ADMIN:
        raise DomainError(
            "setup.error.bad_platform", platform=platform, known=", ".join(PLATFORMS_FOR_ADMIN)
        )
    if not user:
        raise DomainError("setup.error.no_user_id", platform=platform)
    tenant = founding.admin_tenant.strip()
    taken = session.scalar(
        select(PlatformIdentity.id).where(
            PlatformIdentity.platform == platform,
            PlatformIdentity.tenant_key == tenant,
            PlatformIdentity.user_key == user,
        )
    )
    if taken is not None:
        raise Conflict("setup.error.identity_taken", platform=platform, user=user)
    return platform, tenant, user


def all_workspaces(session: Session) -> list[Workspace]:
    """Every workspace, oldest first."""
    return list(session.scalars(select(Workspace).order_by(Workspace.id)))


def any_workspace(session: Session) -> bool:
    """Whether the install has a workspace yet (the first-run page exists only until then)."""
    return session.scalar(select(Workspace.id).limit(1)) is not None


def pick_workspace(session: Session, key: str | None) -> Workspace:
    """The workspace ``key`` names, or the only one when ``key`` is None; a clear refusal
    when there is none, or several to choose from."""
    if key is not None:
        workspace = service.get_workspace_by_key(session, key=key)
        if workspace is None:
            raise NotFound("setup.error.no_such_workspace", ws=key, known=_keys(session))
        return workspace
    found_ = session.scalars(select(Workspace).order_by(Workspace.id).limit(2)).all()
    if not found_:
        raise NotFound("setup.error.no_workspace_yet")
    if len(found_) > 1:
        raise DomainError("setup.error.which_workspace", known=_keys(session))
    return found_[0]


def pick_team(session: Session, workspace: Workspace, ref: str | None) -> Team:
    """The team of ``workspace`` that ``ref`` names for a command-line option: its key or its
    name (folded: case, width and blanks as the unique keys fold them) or its id when ``ref``
    is digits; ``#12`` is the id alone, as refusals print it and chat reads it; the
    workspace's first team when ``ref`` is None. One rule for every ``--team``.

    Raises NotFound ``setup.error.no_such_team`` (no team, listing the teams there are) and
    Conflict ``setup.error.ambiguous_team`` when ``ref`` is one team's key and another's name
    or id (``3``: the key of team #4 and the id of team #3): a guess would act on the wrong
    team without a word (tester s27 C-2)."""
    if ref is None:
        return service.default_team(session, workspace_id=workspace.id)
    teams = service.get_teams(session, workspace_id=workspace.id)
    found = teams_answering(teams, ref)
    if len(found) == 1:
        return found[0]
    if found:
        raise Conflict(
            "setup.error.ambiguous_team", team=ref[:64], teams=team_list(found), id=found[0].id
        )
    raise NotFound(
        "setup.error.no_such_team", ws=workspace.key, team=ref[:64], known=team_list(teams)
    )


def _keys(session: Session) -> str:
    return "、".join(session.scalars(select(Workspace.key).order_by(Workspace.id))) or "-"


@dataclass(frozen=True)
class Deleted:
    """What went with a workspace besides its own rows (for the confirmation)."""

    name: str
    key: str
    notices_cancelled: int
    jobs_cancelled: int


def inbox_condition(session: Session, workspace: Workspace) -> ColumnElement[bool]:
    """Inbox rows of ``workspace``: its web and console chats (tenant = key) and the platform
    tenants bound to it."""
    local = (InboundEvent.platform.in_(service.LOCAL_PLATFORMS)) & (
        InboundEvent.tenant_key == workspace.key
    )
    bound = select(PlatformTenant.platform, PlatformTenant.tenant_key).where(
        PlatformTenant.workspace_id == workspace.id
    )
    return local | tuple_(InboundEvent.platform, InboundEvent.tenant_key).in_(bound)


def delete_workspace(session: Session, *, workspace: Workspace, confirm: str) -> Deleted:
    """Remove ``workspace`` and everything of it, once ``confirm`` is its name.

    Rows that reference the workspace, its teams or members go by the foreign keys' cascades;
    what is kept by id without a foreign key (job claims and due times, inbox, web feeds,
    dashboard accounts whose link would only be nulled) is deleted here; domains holding such
    rows answer :class:`~teamassist.events.WorkspaceDeleting`. Pending notices are deleted, so
    never sent.
    """
    if " ".join(confirm.split()) != workspace.name:
        raise DomainError("setup.error.confirm_mismatch", name=workspace.name)
    result = Deleted(workspace.name, workspace.key, 0, 0)
    publish(session, WorkspaceDeleting(workspace=workspace))
    teams = select(Team.id).where(Team.workspace_id == workspace.id).scalar_subquery()
    members = select(Member.id).where(Member.workspace_id == workspace.id).scalar_subquery()
    notices = select(OutboxMessage.id).where(OutboxMessage.workspace_id == workspace.id)
    session.execute(  # web copies go by cascade; these are rows written before they had one
        delete(WebMessage).where(WebMessage.outbox_id.in_(notices)),
        execution_options={"synchronize_session": False},
    )
    pending = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.workspace_id == workspace.id, OutboxMessage.sent_at.is_(None))
    )
    session.execute(
        delete(OutboxMessage).where(OutboxMessage.workspace_id == workspace.id),
        execution_options={"synchronize_session": False},
    )
    jobs = session.scalar(select(func.count()).select_from(JobRun).where(JobRun.team_id.in_(teams)))
    for kept_by_team_id in (JobRun, JobDue):  # claims and next-due times: no foreign key
        session.execute(
            delete(kept_by_team_id).where(kept_by_team_id.team_id.in_(teams)),
            execution_options={"synchronize_session": False},
        )
    session.execute(
        delete(InboundEvent).where(inbox_condition(session, workspace)),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        delete(LocalAccount).where(LocalAccount.member_id.in_(members)),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        delete(Workspace).where(Workspace.id == workspace.id),
        execution_options={"synchronize_session": False},
    )
    session.expunge_all()  # every loaded row of it is gone; nothing stale may be flushed back
    return Deleted(result.name, result.key, pending or 0, jobs or 0)
