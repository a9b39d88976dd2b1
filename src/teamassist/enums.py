"""Stable codes shared across domains (labels come from the catalogue)."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Where a message comes from or goes to."""

    WEB = "web"
    CONSOLE = "console"
    QQ = "qq"
    FEISHU = "feishu"
    WECOM = "wecom"


class Role(StrEnum):
    """A member's role in a team; "on duty now" is not a role, it comes from the roster."""

    ADMIN = "admin"
    LEAD = "lead"
    MEMBER = "member"


class ChannelPurpose(StrEnum):
    """What a chat destination is used for."""

    PUBLIC = "public"
    INTERNAL = "internal"  # the duty / internal channel
    CORE = "core"  # the core members' group (OKR weekly meetings)
    TEAM = "team"  # the whole team's group
    WEBHOOK = "webhook"  # a notify-only robot such as a WeCom group robot


class WorkspaceKind(StrEnum):
    """What a workspace mirrors on a platform."""

    STANDALONE = "standalone"
    QQ_GUILD = "qq_guild"
    FEISHU_TENANT = "feishu_tenant"
