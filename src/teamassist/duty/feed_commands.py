"""The personal calendar feed from chat: a new secret URL, sent privately, never in a group."""

from __future__ import annotations

from typing import Any

from teamassist.chat import notify
from teamassist.chat.context import CommandContext
from teamassist.chat.registry import CommandGroup
from teamassist.chat.types import ChatType, Reply
from teamassist.duty import feeds
from teamassist.i18n import t

commands = CommandGroup("duty_feeds")


@commands.command("duty_feeds.subscribe")
def handle_subscribe(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Create a personal iCal feed for the sender and send its URL by direct message."""
    created = feeds.create_feed(
        ctx.session, team=ctx.team, now=ctx.now, member=ctx.member, by=ctx.member
    )
    url = feeds.feed_url(ctx.public_url, created.token)
    private = Reply(
        title=t("duty_feeds.reply.calendar_title"),
        body=t("duty_feeds.reply.calendar_body", url=url),
    )
    if ctx.message.chat_type is ChatType.DIRECT:
        return private
    # A feed URL works like a password: in a group it would be readable by everyone.
    notify.to_member(
        ctx.session,
        member=ctx.member,
        reply=private,
        key=f"duty_feeds.subscribe:{created.feed.id}",
        now=ctx.now,
    )
    return Reply(body=t("duty_feeds.reply.calendar_sent_privately"))
