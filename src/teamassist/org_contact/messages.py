"""Replies of the org-contact desk; words from ``locale/org_contact.toml``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.org_contact.models import OrgMessage
from teamassist.org_contact.service import REPEAT_WINDOW, Sent
from teamassist.team.models import Team

INBOX_LINES = 20
PREVIEW = 60


def acknowledged(sent: Sent) -> Reply:
    """The seed's "收到，稍晚X总会直接找您：）" (named), or the relay's note (anonymous); for a
    repeat, that the first one reached its reader and nothing was sent again."""
    address = user_text(sent.address)
    if sent.repeat:
        minutes = int(REPEAT_WINDOW.total_seconds() // 60)
        return Reply(
            body=t(
                "org_contact.ack.repeat", address=address, code=sent.message.code, minutes=minutes
            )
        )
    if not sent.message.anonymous:
        body = t("org_contact.ack.named", address=address)
    else:
        body = t("org_contact.ack.anonymous", address=address, code=sent.message.code)
        if sent.small_team:
            body += "\n" + t("org_contact.ack.small_team")
    note = routed(sent)
    return Reply(body=f"{body}\n{note}" if note else body)


def routed(sent: Sent) -> str:
    """Why the reader is someone outside the team (a parent team's, the workspace's admin),
    '' when the team's own director or stand-in reads it: the sender is told who gets it."""
    route = sent.route
    if route is None or route.via == "team":
        return ""
    return t(
        f"org_contact.ack.route.{route.via}",
        team=user_text(route.team.name),
        through=user_text(route.through.name),
        address=user_text(sent.address),
    )


def relayed(code: str) -> Reply:
    """The director's receipt of a relayed reply (naming nobody)."""
    return Reply(body=t("org_contact.relayed", code=code))


def _when(value: datetime, team: Team | None) -> str:
    at = local(value, team.timezone if team else "UTC")
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def inbox(rows: Sequence[tuple[OrgMessage, str | None, int]], team: Team | None) -> Reply:
    """The director's list: code, when, who (or 匿名同事), the start of the text, replies."""
    if not rows:
        return Reply(body=t("org_contact.inbox.empty"))
    lines = [t("org_contact.inbox.head", count=len(rows))]
    for message, name, replies in rows[:INBOX_LINES]:
        text = message.text if len(message.text) <= PREVIEW else message.text[:PREVIEW] + "…"
        lines.append(
            t(
                "org_contact.inbox.line",
                code=message.code,
                at=_when(message.created_at, team),
                who=user_text(name) if name else t("org_contact.anonymous_name"),
                text=user_text(text),
                replies=replies,
            )
        )
    lines.append(t("org_contact.inbox.tail"))
    return Reply(body="\n".join(lines))
