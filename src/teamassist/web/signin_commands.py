"""``/登录``: any member asks for a one-time dashboard sign-in link, sent privately."""

from __future__ import annotations

from typing import Any

from teamassist.chat.context import CommandContext
from teamassist.chat.registry import CommandGroup
from teamassist.chat.types import ChatType, Reply
from teamassist.http import signin
from teamassist.i18n import t
from teamassist.team.service import LOCAL_PLATFORMS

commands = CommandGroup("signin")


@commands.command("signin.login")
def handle_login(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """In a private chat (and web chat or the CLI) answer with the link itself; in a group,
    send it as a direct message and say only that it was sent: a link in a group would let
    everyone there sign in as the sender. Someone speaking *for* the member (an admin in web
    chat or over REST, the CLI) is never shown the link: it goes to the member privately."""
    message = ctx.message
    own_chat = message.platform.value in LOCAL_PLATFORMS or message.chat_type is ChatType.DIRECT
    if own_chat and not message.spoken_for:
        link = signin.issue(ctx.session, member=ctx.member, now=ctx.now, public_url=ctx.public_url)
        return signin.link_reply(link)
    signin.send_link(
        ctx.session,
        member=ctx.member,
        now=ctx.now,
        public_url=ctx.public_url,
        platform=message.platform.value,
        tenant_key=message.tenant_key,
    )
    return Reply(body=t("signin.link_sent_privately"))
