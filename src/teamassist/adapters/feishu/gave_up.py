"""Tell the workspace's admins when a Feishu workspace operation stops for good.

An operation (a task, a calendar event, a document) goes dead in the outbox when Feishu refuses
it permanently (a missing scope, no permission on a file) or its attempts run out. Nobody
would notice: the admins get one direct message per operation, keyed on the outbox row
(``feishu.gave_up:<outbox id>``), so a second failure of the same row (an admin's retry that
fails again) tells nobody twice. The message gives Feishu's code and what to do about it; the
admin's outbox page retries the row after the fix.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.enums import Role
from teamassist.i18n import t
from teamassist.team.models import Member, Team, TeamMembership

# Feishu's code -> the catalogue key of what an admin does about it (pitfalls doc §1, §2, §4, §5;
# open.feishu.cn error-code pages). Codes not listed get the general advice.
ADVICE = {
    99991672: "scope",  # the app lacks the scope: enable it and publish a version
    99991679: "user_scope",  # a user never granted it
    99991662: "installed",  # the app is not installed in the tenant
    99991673: "installed",  # the app is disabled
    99991543: "secret",  # wrong app secret
    91403: "file",  # no permission on the Drive file or folder
    1770032: "file",  # docx: forbidden
    1062507: "folder_full",  # a folder level holds 1500 items at most
    193002: "event",  # no permission to operate the calendar event
    230002: "chat",  # the bot is not in that group
    1470404: "task",  # no permission on the task
}


KINDS = ("task", "event", "document")  # the operations, each with its catalogue name
ADVICE_KEYS = (*dict.fromkeys(ADVICE.values()), "other")  # every advice in the catalogue


def workspace_admins(session: Session, *, workspace_id: int) -> list[Member]:
    """The active admins of the workspace's teams, each once, by member id."""
    return list(
        session.scalars(
            select(Member)
            .join(TeamMembership, TeamMembership.member_id == Member.id)
            .join(Team, Team.id == TeamMembership.team_id)
            .where(
                Team.workspace_id == workspace_id,
                TeamMembership.role == Role.ADMIN.value,
                Member.active.is_(True),
                Member.merged_into_id.is_(None),
            )
            .distinct()
            .order_by(Member.id)
        )
    )


def notice(*, kind: str, key: str, code: int | None, error: str) -> Reply:
    """The admins' message: which operation (``kind`` task/event/document, product ``key``),
    Feishu's ``code`` (None when Feishu never answered) and error text, and what to do."""
    advice = t(f"feishu.gave_up.advice.{ADVICE.get(code or 0, 'other')}")
    what = t(f"feishu.gave_up.kind.{kind}") if kind in KINDS else kind
    return Reply(
        title=t("feishu.gave_up.title"),
        body=t(
            "feishu.gave_up.body",
            what=what,
            object=key,
            code=code if code is not None else "-",
            error=error[:300],
            advice=advice,
        ),
    )


def tell_admins(
    session: Session,
    *,
    workspace_id: int,
    outbox_id: int,
    kind: str,
    key: str,
    code: int | None,
    error: str,
    now: datetime,
) -> int:
    """Queue the notice to every workspace admin; returns how many were queued (0 when this
    outbox row was reported already)."""
    reply = notice(kind=kind, key=key, code=code, error=error)
    queued = 0
    for admin in workspace_admins(session, workspace_id=workspace_id):
        row = notify.to_member(
            session, member=admin, reply=reply, key=f"feishu.gave_up:{outbox_id}", now=now
        )
        queued += row is not None
    return queued
