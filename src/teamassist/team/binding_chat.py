"""``/绑定 <code>`` in chat, and what a chat of an unbound tenant is told.

The dispatcher asks :func:`answer_unbound` when a message comes from a tenant no workspace has
claimed: ``/绑定`` binds it (an admin on the platform, a valid code), anything else gets the
hint at most once a day per chat, and group chatter nothing. In a bound tenant ``/绑定`` is an
ordinary command (``team.binding_commands``: it says where the tenant is bound, or refuses a
code of another workspace).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.chat.types import ChatType, InboundMessage, Reply, user_text
from teamassist.enums import Platform, Role
from teamassist.i18n import t
from teamassist.team import binding
from teamassist.team import service as team_service
from teamassist.team.directory import DirectoryPort, platform_admin
from teamassist.team.models import PlatformTenant, Team, Workspace

BIND_COMMAND = "binding.bind"


def tenant_kind(message: InboundMessage) -> str:
    """What the message's tenant is: a QQ guild, group or the bot's private chats; Feishu's."""
    if message.platform is Platform.FEISHU:
        return binding.KIND_FEISHU_TENANT
    prefix = message.chat_key.partition(":")[0]
    return {
        "channel": binding.KIND_QQ_GUILD,
        "group": binding.KIND_QQ_GROUP,
        "c2c": binding.KIND_QQ_C2C,
    }.get(prefix, prefix)


def bind_here(
    session: Session,
    directory: DirectoryPort | None,
    *,
    message: InboundMessage,
    code: str,
    now: datetime,
) -> Reply:
    """Redeem ``code`` for the message's tenant; the sender, an admin on the platform, becomes
    an admin of the workspace's team for this chat. Raises a DomainError when refused."""
    is_admin = platform_admin(
        directory,
        team=None,
        platform=message.platform.value,
        tenant_key=message.tenant_key,
        user_key=message.sender_key,
        chat_key=message.chat_key,
        said_by_event=message.sender_is_platform_admin,
    )
    bound, new = binding.redeem(
        session,
        code=code,
        platform=message.platform.value,
        tenant_key=message.tenant_key,
        kind=tenant_kind(message),
        by_platform_admin=is_admin,
        now=now,
    )
    workspace = session.get(Workspace, bound.workspace_id)
    assert workspace is not None  # the binding's foreign key
    name = user_text(workspace.name)
    if not new:
        return Reply(body=t("binding.already_bound", workspace=name))
    team = _enrol_binder(session, bound, workspace, message)
    return Reply(
        title=t("binding.bound_title"),
        body=t("binding.bound", workspace=name, team=user_text(team.name)),
    )


def _enrol_binder(
    session: Session, bound: PlatformTenant, workspace: Workspace, message: InboundMessage
) -> Team:
    """The platform admin who bound the tenant is an admin of the team this chat belongs to
    (returned)."""
    team = team_service.team_for_chat(
        session, workspace=workspace, platform=message.platform.value, chat_key=message.chat_key
    )
    member = team_service.get_member_by_identity(
        session,
        workspace=workspace,
        platform=message.platform.value,
        tenant_key=message.tenant_key,
        user_key=message.sender_key,
    ) or team_service.enroll(
        session,
        workspace=workspace,
        team=team,
        platform=message.platform.value,
        tenant_key=message.tenant_key,
        user_key=message.sender_key,
        display_name=message.sender_name,
    )
    team_service.set_role(session, team=team, member=member, role=Role.ADMIN)
    bound.bound_by_id = member.id
    session.flush()
    return team


def answer_unbound(
    session: Session,
    directory: DirectoryPort | None,
    *,
    message: InboundMessage,
    command_key: str | None,
    rest: str,
    now: datetime,
) -> Reply | None:
    """The answer to a message from an unbound tenant (``command_key``: the command's key, ""
    for an unknown command word, None when the message is not a command)."""
    if command_key == BIND_COMMAND:
        return bind_here(session, directory, message=message, code=rest.strip(), now=now)
    if command_key is None and message.chat_type is not ChatType.DIRECT:
        return None  # group chatter is not for us, bound or not
    if not binding.should_hint(
        session,
        platform=message.platform.value,
        tenant_key=message.tenant_key,
        chat_key=message.chat_key,
        now=now,
    ):
        return None
    return Reply(body=t("binding.unbound_hint"))
