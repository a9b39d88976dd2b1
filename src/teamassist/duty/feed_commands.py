"""The personal calendar feed from chat: one secret URL per person and team, sent privately,
never in a group; ``/值班订阅 重置`` replaces it (the old URL stops working)."""

from __future__ import annotations

from typing import Any

from teamassist.chat import notify
from teamassist.chat.context import CommandContext
from teamassist.chat.registry import Arg, ArgKind, CommandGroup
from teamassist.chat.types import ChatType, Reply
from teamassist.duty import feeds
from teamassist.exceptions import Invalid
from teamassist.i18n import lookup, t

commands = CommandGroup("duty_feeds")


def _reset(word: str | None) -> bool:
    if not word:
        return False
    if word.strip().casefold() in {str(w).casefold() for w in lookup("duty_feeds.words.reset")}:
        return True
    raise Invalid("duty_feeds.error.unknown_option", word=word.strip()[:20])


@commands.command(
    "duty_feeds.subscribe", args=[Arg("option", ArgKind.WORD, required=False, max_length=20)]
)
def handle_subscribe(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    """Create the sender's personal iCal feed and send its URL by direct message; while one is
    live, say so (its URL cannot be shown again) unless ``重置`` replaces it."""
    created = feeds.create_feed(
        ctx.session,
        team=ctx.team,
        now=ctx.now,
        member=ctx.member,
        by=ctx.member,
        replace=_reset(args.get("option")),
    )
    url = feeds.feed_url(ctx.public_url, created.token)
    ids = "、#".join(str(f.id) for f in created.replaced)
    body = t("duty_feeds.reply.calendar_body", url=url)
    if created.replaced:
        body += "\n\n" + t("duty_feeds.reply.replaced", ids=ids)
    private = Reply(title=t("duty_feeds.reply.calendar_title"), body=body)
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
    if created.replaced:
        return Reply(body=t("duty_feeds.reply.replaced_in_group", ids=ids))
    return Reply(body=t("duty_feeds.reply.calendar_sent_privately"))
