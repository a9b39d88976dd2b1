"""The QQ directory: guild members and their roles, guild channels, group members.

Endpoints (the shapes are nonebot-adapter-qq's models): ``GET /guilds/{guild_id}/members/
{user_id}`` (nick, user, roles: "4" 创建者, "2" 管理员, "5" 子频道管理员), ``GET /guilds/{guild_id}/
members`` (paged by ``after``), ``GET /guilds/{guild_id}/channels``, and for QQ groups ``GET
/v2/groups/{group_openid}/members[/{member_openid}]`` (username, member_role) where the bot has
that permission. Private (C2C) chats have no directory.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from nonebot.adapters.qq.models import Channel, GroupMemberInfo, GroupMembersReturn
from nonebot.adapters.qq.models import Member as GuildMember
from nonebot.compat import type_validate_python

from teamassist.adapters.qq.client import QQApiError, QQClient
from teamassist.adapters.qq.protocol import (
    CHANNEL,
    GROUP,
    Address,
    group_role_codes,
    guild_role_codes,
)
from teamassist.ports import DirectoryChat, DirectoryUser

log = logging.getLogger(__name__)

TEXT_CHANNEL = 0
PAGE = 400
MAX_PAGES = 25  # 10 000 guild members per listing is plenty for a community's channel picker


def _guild_user(member: GuildMember) -> DirectoryUser | None:
    if member.user is None:
        return None
    return DirectoryUser(
        user_key=member.user.id,
        name=member.nick or member.user.username or "",
        roles=guild_role_codes(member.roles),
        is_bot=bool(member.user.bot),
    )


def _group_user(member: GroupMemberInfo) -> DirectoryUser:
    return DirectoryUser(
        user_key=member.member_openid,
        name=member.username or "",
        roles=group_role_codes(member.member_role),
        is_bot=member.bot,
    )


class QQDirectory:
    """The ``Directory`` port's QQ part (see ``team.directory.PlatformLookup``)."""

    def __init__(self, client: QQClient) -> None:
        self.client = client

    def _get(self, path: str) -> Any | None:
        """GET ``path``; None when QQ says the thing is not there or not ours to see."""
        try:
            return self.client.request("GET", path)
        except QQApiError as exc:
            if exc.transient:
                raise
            log.info("QQ directory: %s refused: %s", path, exc)
            return None

    def user(self, *, tenant_key: str, user_key: str, chat_key: str = "") -> DirectoryUser | None:
        kind = Address.parse(chat_key).kind if chat_key else CHANNEL
        if kind == GROUP:
            data = self._get(f"/v2/groups/{tenant_key}/members/{user_key}")
            if not isinstance(data, dict):
                return None
            return _group_user(type_validate_python(GroupMemberInfo, data))
        if kind != CHANNEL:
            return None  # C2C: openids without a directory
        data = self._get(f"/guilds/{tenant_key}/members/{user_key}")
        if not isinstance(data, dict):
            return None
        return _guild_user(type_validate_python(GuildMember, data))

    def chats(self, *, tenant_key: str) -> Sequence[DirectoryChat]:
        data = self._get(f"/guilds/{tenant_key}/channels")
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            return []
        channels = [type_validate_python(Channel, c) for c in data["data"]]
        return [
            DirectoryChat(address=str(Address(CHANNEL, c.id)), name=c.name or "", kind=CHANNEL)
            for c in channels
            if c.type == TEXT_CHANNEL
        ]

    def members(self, *, tenant_key: str, chat_key: str) -> Sequence[DirectoryUser]:
        kind = Address.parse(chat_key).kind if chat_key else CHANNEL
        if kind == GROUP:
            return self._group_members(tenant_key)
        if kind != CHANNEL:
            return []
        found: list[DirectoryUser] = []
        after = "0"
        for _ in range(MAX_PAGES):
            data = self._get(f"/guilds/{tenant_key}/members?after={after}&limit={PAGE}")
            page = data.get("data") if isinstance(data, dict) else None
            if not page:
                break
            members = [type_validate_python(GuildMember, m) for m in page]
            found.extend(u for m in members if (u := _guild_user(m)) is not None)
            last = members[-1].user
            if len(members) < PAGE or last is None:
                break
            after = last.id
        return found

    def _group_members(self, group_openid: str) -> list[DirectoryUser]:
        found: list[DirectoryUser] = []
        cursor = ""
        for _ in range(MAX_PAGES):
            query = f"?cursor={cursor}" if cursor else ""
            data = self._get(f"/v2/groups/{group_openid}/members{query}")
            if not isinstance(data, dict):
                break
            page = type_validate_python(GroupMembersReturn, data)
            found.extend(_group_user(m) for m in page.members)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        return found
