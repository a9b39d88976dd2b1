"""Replies and notices of the feedback desk; every word comes from ``locale/feedback.toml``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from teamassist.chat.buttons import command_button
from teamassist.chat.types import Button, ButtonStyle, Reply, ReplyField, user_text
from teamassist.clock import local
from teamassist.feedback.models import FeedbackEvent, FeedbackItem
from teamassist.feedback.stats import ResponseTimes
from teamassist.i18n import t
from teamassist.team import people as team_people
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

SNIPPET = 60
HANDOFF_LINES = 20
DAY_LINES = 50  # a chat message stays readable (and under platform limits)


def one_line(text: str, limit: int = SNIPPET) -> str:
    """One line of the item's text, at most ``limit`` characters (the item keeps every one), as
    plain data for pages and REST, where the template or JSON escapes it."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def snippet(text: str, limit: int = SNIPPET) -> str:
    """:func:`one_line` marked as the user's words, for chat replies: every renderer shows it
    literally. Not for pages: the marks are private-use characters a browser draws as boxes."""
    return user_text(one_line(text, limit))


def _mention(reply: Reply, member: Member | None) -> str:
    if member is None:
        return t("feedback.notice.nobody")
    return reply.mention(member.id, team_service.person(member))


def _kind(item: Any) -> str:
    return t(f"feedback.kind.{item.kind}")


def _status(item: Any) -> str:
    return t(f"feedback.status.{item.status}")


def _box(item: Any) -> str:
    return t(f"feedback.box.{item.status}")


def received(
    item: FeedbackItem,
    owner: Member | None,
    *,
    off_duty: bool,
    route: str = "duty",
    rotation: bool = True,
    team: Team | None = None,
) -> Reply:
    """The reporter's receipt: the seed's sentence, the id, and who was told. Off duty, what
    happens next is said as it is: the next sign-in picks it up only when the team has a
    rotation; a team with no admin either hands it to the workspace's admin (``route``)."""
    reply = Reply(quote=snippet(item.text, 200))
    name = user_text(team.name) if team is not None else ""
    if owner is None:
        first = t(
            "feedback.received.nobody" if rotation else "feedback.received.unrouted", team=name
        )
    elif route == "workspace":
        first = t("feedback.received.workspace", team=name, owner=_mention(reply, owner))
    elif off_duty:
        # The owner is the fallback (default owner or an admin), not a person on duty.
        first = t("feedback.received.fallback", owner=_mention(reply, owner))
    else:
        first = t(f"feedback.received.{item.kind}", owner=_mention(reply, owner))
    lines = [first, t("feedback.received.id_line", id=item.id)]
    if off_duty and rotation:
        lines.append(t("feedback.received.off_duty"))
    elif off_duty and owner is not None:
        lines.append(t("feedback.received.no_rotation", team=name))
    reply.body = "\n".join(lines)
    return reply


def origin_label(item: FeedbackItem) -> str:
    """Where an item was written, for people: the channel's name, else ``platform:chat``.

    The one place the label is built (notices, /反馈详情, REST, the dashboard). Some chat keys
    already carry their platform (web chats are keyed ``web:<handle>``); it is not said twice.
    """
    if item.origin_chat_name:
        return item.origin_chat_name
    platform, chat = item.origin_platform, item.origin_chat_key
    if platform and chat.startswith(f"{platform}:"):
        chat = chat[len(platform) + 1 :]
    return ":".join(part for part in (platform, chat) if part)


def new_notice(
    item: FeedbackItem,
    owner: Member | None,
    *,
    off_duty: bool,
    route: str = "duty",
    team: Team | None = None,
) -> Reply:
    """The notice to the internal channel and the WeCom robot (and the owner directly when
    they are the workspace's admin, ``route`` "workspace")."""
    reply = Reply(title=t(f"feedback.notice.title_{item.kind}"))
    reply.fields = [
        ReplyField(
            label=t("feedback.notice.origin"),
            value=origin_label(item),
        ),
        ReplyField(label=t("feedback.notice.id"), value=str(item.id)),
        ReplyField(label=t("feedback.notice.reporter"), value=user_text(item.reporter_name)),
        ReplyField(label=t("feedback.notice.text"), value=user_text(item.text)),
        ReplyField(label=t("feedback.notice.owner"), value=_mention(reply, owner)),
    ]
    lines = [t("feedback.notice.actions", id=item.id)]
    if route == "workspace":
        lines.insert(0, t("feedback.notice.workspace", team=user_text(team.name if team else "")))
    elif off_duty:
        lines.insert(0, t("feedback.notice.off_duty"))
    reply.body = "\n".join(lines)
    reply.buttons = action_buttons(item)
    return reply


def action_buttons(item: FeedbackItem) -> list[Button]:
    """Acknowledge / resolve, on notices that ask someone to act (Feishu renders card buttons)."""
    return [
        command_button("feedback.ack", "feedback.button.ack", item.id, style=ButtonStyle.PRIMARY),
        command_button("feedback.resolve", "feedback.button.resolve", item.id),
    ]


def assigned_notice(item: FeedbackItem, owner: Member, *, reopened: bool = False) -> Reply:
    """Tell the owner an item is theirs (newly assigned, or back after a reopen)."""
    reply = Reply(buttons=action_buttons(item))
    reply.body = t(
        "feedback.notice.reopened" if reopened else "feedback.notice.assigned",
        owner=_mention(reply, owner),
        id=item.id,
        text=snippet(item.text, 200),
    )
    return reply


def day_list(items: Sequence[Any], day: date, *, lead: str | None = None) -> Reply:
    """The seed's /当日反馈 list: box, type, id, text, reporter, status.

    ``items`` are items or ``service.day_lines`` rows (anything with those attributes).
    """
    if not items:
        body = t("feedback.day.empty", date=day.isoformat())
        return Reply(body=f"{lead}\n\n{body}" if lead else body)
    lines = [
        t(
            "feedback.day.line",
            box=_box(i),
            kind=_kind(i),
            id=i.id,
            text=snippet(i.text),
            reporter=user_text(i.reporter_name),
            status=_status(i),
        )
        for i in items[:DAY_LINES]
    ]
    if len(items) > DAY_LINES:
        lines.append(t("feedback.day.more", count=len(items) - DAY_LINES))
    body = "\n".join(lines)
    return Reply(
        title=t("feedback.day.title", date=day.isoformat(), count=len(items)),
        body=f"{lead}\n\n{body}" if lead else body,
    )


def leaves(owner: Member, team: Team) -> list[str]:
    """What whoever assigns an item of ``team`` to ``owner`` should know (the chat reply's last
    lines, REST ``warnings``): ``owner`` is set to leave, and their unfinished items go to
    whoever is on duty then (:mod:`teamassist.feedback.departures`; the rule:
    :func:`teamassist.team.people.leaves_by`); else nothing."""
    leaving = team_people.leaves_by(owner)
    if leaving is None:
        return []
    day = local(leaving, team.timezone).date().isoformat()
    return [t("feedback.warning.leaves", name=owner.display_name, date=day)]


def done(key: str, item: FeedbackItem, owner: Member | None = None, **params: object) -> Reply:
    """The acting person's confirmation (acknowledged, reopened, assigned...)."""
    reply = Reply()
    reply.body = t(f"feedback.done.{key}", id=item.id, owner=_mention(reply, owner), **params)
    return reply


def reporter_update(
    item: FeedbackItem,
    *,
    action: str,
    reporter: Member | None,
    actor: Member | None,
    original_id: int | None = None,
) -> Reply:
    """What the reporter hears when their item moves."""
    reply = Reply(quote=t("feedback.reporter.quote", text=snippet(item.text, 200)))
    who = _mention(reply, reporter) if reporter else user_text(item.reporter_name)
    lines = [
        t(
            f"feedback.reporter.{action}",
            reporter=who,
            id=item.id,
            actor=_mention(reply, actor) if actor else t("feedback.action.system"),
            original=original_id or "",
        )
    ]
    if item.resolution_note and action in ("resolved", "wont_fix", "duplicate"):
        lines.append(t("feedback.reporter.note", note=user_text(item.resolution_note)))
    reply.body = "\n".join(lines)
    return reply


def renotify(item: FeedbackItem, owner: Member | None, minutes: int) -> Reply:
    """The re-notice for an item nobody acknowledged."""
    reply = Reply(buttons=action_buttons(item))
    reply.body = "\n".join(
        [
            t(
                "feedback.followup.renotify",
                owner=_mention(reply, owner),
                id=item.id,
                minutes=minutes,
                text=snippet(item.text, 200),
            ),
            t("feedback.followup.hint", id=item.id),
        ]
    )
    return reply


def escalate(
    item: FeedbackItem, owner: Member | None, admins: Sequence[Member], minutes: int
) -> Reply:
    """The escalation to the team's admins."""
    reply = Reply(buttons=action_buttons(item))
    names = " ".join(_mention(reply, a) for a in admins) or t("feedback.notice.nobody")
    reply.body = "\n".join(
        [
            t(
                "feedback.followup.escalate",
                id=item.id,
                minutes=minutes,
                admins=names,
                text=snippet(item.text, 200),
                owner=_mention(reply, owner),
            ),
            t("feedback.followup.hint", id=item.id),
        ]
    )
    return reply


def renotify_batch(entries: Sequence[tuple[FeedbackItem, Member | None]], minutes: int) -> Reply:
    """One re-notice for every item of a pass (one recipient, one message)."""
    if len(entries) == 1:
        return renotify(entries[0][0], entries[0][1], minutes)
    reply = Reply(title=t("feedback.followup.renotify_many", count=len(entries), minutes=minutes))
    lines = [
        t(
            "feedback.followup.line",
            id=item.id,
            owner=_mention(reply, owner),
            text=snippet(item.text, 80),
        )
        for item, owner in entries
    ]
    reply.body = "\n".join([*lines, t("feedback.followup.hint_many")])
    return reply


def escalate_batch(
    entries: Sequence[tuple[FeedbackItem, Member | None]],
    admins: Sequence[Member],
    minutes: int,
) -> Reply:
    """One escalation for every item of a pass."""
    if len(entries) == 1:
        return escalate(entries[0][0], entries[0][1], admins, minutes)
    reply = Reply(title=t("feedback.followup.escalate_many", count=len(entries), minutes=minutes))
    names = " ".join(_mention(reply, a) for a in admins) or t("feedback.notice.nobody")
    lines = [t("feedback.followup.escalate_to", admins=names)]
    lines += [
        t(
            "feedback.followup.line",
            id=item.id,
            owner=_mention(reply, owner),
            text=snippet(item.text, 80),
        )
        for item, owner in entries
    ]
    reply.body = "\n".join([*lines, t("feedback.followup.hint_many")])
    return reply


def digest(items: Sequence[FeedbackItem], member: Member, team: Team) -> Reply:
    """Items that arrived while nobody was on duty, for the person who just signed in."""
    reply = Reply(title=t("feedback.digest.title", count=len(items)))
    lines = [t("feedback.digest.intro", member=_mention(reply, member))]
    for item in items:
        lines.append(
            t(
                "feedback.digest.line",
                kind=_kind(item),
                id=item.id,
                text=snippet(item.text),
                reporter=user_text(item.reporter_name),
                time=_when(item.created_at, team),
            )
        )
    reply.body = "\n".join(lines)
    return reply


def handoff_section(items: Sequence[FeedbackItem], owners: dict[int, Member]) -> str:
    """Markdown for the duty hand-off digest: what is still open."""
    lines = [t("feedback.handoff.title", count=len(items))]
    for item in items[:HANDOFF_LINES]:
        owner = owners.get(item.owner_id) if item.owner_id is not None else None
        lines.append(
            t(
                "feedback.handoff.line",
                box=_box(item),
                kind=_kind(item),
                id=item.id,
                text=snippet(item.text),
                status=_status(item),
                owner=user_text(owner.display_name) if owner else t("feedback.notice.nobody"),
            )
        )
    if len(items) > HANDOFF_LINES:
        lines.append(t("feedback.handoff.more", count=len(items) - HANDOFF_LINES))
    return "\n".join(lines)


def mine(items: Sequence[FeedbackItem]) -> Reply:
    """A reporter's own items."""
    if not items:
        return Reply(body=t("feedback.mine.empty"))
    return Reply(
        title=t("feedback.mine.title", count=len(items)),
        body="\n".join(
            t(
                "feedback.mine.line",
                box=_box(i),
                kind=_kind(i),
                id=i.id,
                text=snippet(i.text),
                date=i.local_date.isoformat(),
                status=_status(i),
            )
            for i in items
        ),
    )


def search_results(
    items: Sequence[FeedbackItem],
    total: str,
    text: str,
    window: int | None = None,
    reason: str | None = None,
) -> Reply:
    """Items whose text contains ``text``; ``total`` is a bounded count ("1000+"); ``window``:
    only the newest this many items were searched, which the reply says last, with how to
    search them all for its ``reason`` (``queries.Found.window_reason``: "short" or
    "common")."""
    key = "feedback.search.window_common" if reason == "common" else "feedback.search.window"
    bound = [] if window is None else [t(key, window=window)]
    if not items:
        return Reply(
            body="\n".join([t("feedback.search.empty", text=user_text(snippet(text, 40))), *bound])
        )
    lines = [
        t(
            "feedback.search.line",
            box=_box(i),
            kind=_kind(i),
            id=i.id,
            text=snippet(i.text),
            date=i.local_date.isoformat(),
            reporter=user_text(i.reporter_name),
            status=_status(i),
        )
        for i in items
    ]
    return Reply(
        title=t(
            "feedback.search.title",
            text=user_text(snippet(text, 40)),
            total=total,
            count=len(items),
        ),
        body="\n".join([*lines, *bound]),
    )


def duration(seconds: float | None) -> str:
    """'3 小时 5 分钟' and the like."""
    if seconds is None:
        return t("feedback.duration.pending")
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return t("feedback.duration.days", d=days, h=hours)
    if hours:
        return t("feedback.duration.hours", h=hours, m=mins)
    return t("feedback.duration.minutes", m=mins)


def provisional_note(years: Sequence[int]) -> str | None:
    """Say that working time was counted Monday–Friday for years without official data."""
    if not years:
        return None
    return t("feedback.duration.provisional", years="、".join(str(y) for y in years))


def _pair(wall: float | None, work: float | None) -> str:
    if wall is None:
        return duration(None)
    return t("feedback.duration.with_work", wall=duration(wall), work=duration(work))


def _when(at: datetime, team: Team) -> str:
    return local(at, team.timezone).strftime("%Y-%m-%d %H:%M")


def detail(
    item: FeedbackItem,
    *,
    team: Team,
    events: Sequence[FeedbackEvent],
    people: dict[int, Member],
    times: ResponseTimes,
) -> Reply:
    """One item with its fields and history."""
    reply = Reply(title=t("feedback.show.title", id=item.id))
    owner = people.get(item.owner_id) if item.owner_id is not None else None

    def field(key: str, value: str) -> ReplyField:
        return ReplyField(label=t(f"feedback.show.{key}"), value=value)

    reply.fields = [
        field("kind", _kind(item)),
        field("status", _status(item)),
        field("text", user_text(item.text)),
        field("reporter", user_text(item.reporter_name)),
        field("owner", user_text(owner.display_name) if owner else t("feedback.show.nobody")),
        field("origin", origin_label(item)),
        field("created", _when(item.created_at, team)),
        field("ack_time", _pair(times.acknowledge_wall, times.acknowledge_work)),
        field("resolve_time", _pair(times.resolve_wall, times.resolve_work)),
    ]
    note = provisional_note(times.provisional_years)
    if note:
        reply.fields.append(field("work_note", note))
    if item.plus_ones:
        reply.fields.append(
            field("plus_ones", t("feedback.show.plus_ones_value", count=item.plus_ones))
        )
    if item.duplicate_of_id is not None:
        reply.fields.append(field("duplicate_of", f"id=「{item.duplicate_of_id}」"))
    if item.resolution_note:
        reply.fields.append(field("note", user_text(item.resolution_note)))
    lines = [t("feedback.show.history")]
    lines.append(
        t(
            "feedback.show.history_line",
            time=_when(item.created_at, team),
            actor=user_text(item.reporter_name),
            action=t("feedback.action.reported"),
            note="",
        )
    )
    for event in events:
        lines.append(history_line(event, team=team, people=people))
    reply.body = "\n".join(lines)
    return reply


def action_label(event: FeedbackEvent, people: dict[int, Member]) -> str:
    """What one history step did, in words."""
    detail_ = event.detail or {}
    if event.action == "assigned":
        owner = people.get(int(detail_.get("owner_id") or 0))
        return t("feedback.action.assigned", owner=user_text(owner.display_name) if owner else "?")
    if event.action == "plus_one":
        return t("feedback.action.plus_one", duplicate=detail_.get("duplicate_id", "?"))
    if event.action == "duplicate":
        return t("feedback.action.duplicate") + f" → id=「{detail_.get('original_id', '?')}」"
    return t(f"feedback.action.{event.action}")


def history_line(event: FeedbackEvent, *, team: Team, people: dict[int, Member]) -> str:
    """One line of an item's history."""
    actor = people.get(event.actor_id) if event.actor_id is not None else None
    return t(
        "feedback.show.history_line",
        time=_when(event.at, team),
        actor=user_text(actor.display_name) if actor else t("feedback.action.system"),
        action=action_label(event, people),
        note=t("feedback.show.history_note", note=user_text(event.note)) if event.note else "",
    )
