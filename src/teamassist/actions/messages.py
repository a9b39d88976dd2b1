"""Replies and notices of the action-item desk; every word comes from ``locale/actions.toml``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from teamassist.actions.models import ActionItem, ActionState
from teamassist.actions.service import is_overdue
from teamassist.chat.buttons import command_button, command_text
from teamassist.chat.types import Button, ButtonStyle, Form, FormInput, Reply, user_text
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.ports import Workdays
from teamassist.team import people as team_people
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

LIST_LINES = 30  # a chat message stays readable
BUTTONS = 3  # items on a card that get their own buttons


def due_text(value: datetime, team: Team) -> str:
    """``2026年12月4日 18:00`` in the team's zone."""
    at = local(value, team.timezone)
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


def _who(reply: Reply, member: Member | None) -> str:
    if member is None:
        return t("actions.word.nobody")
    return reply.mention(member.id, team_service.person(member))


def _state(item: ActionItem, now: datetime) -> str:
    if is_overdue(item, now):
        return t("actions.state.overdue")
    return t(f"actions.state.{item.state}")


def created(item: ActionItem, team: Team, owner: Member, requester: Member) -> Reply:
    """The requester's receipt."""
    reply = Reply()
    reply.body = t(
        "actions.created",
        id=item.id,
        owner=_who(reply, owner),
        title=user_text(item.title),
        due=due_text(item.due_at, team),
    )
    if owner.id == requester.id:
        reply.buttons = [command_button("actions.done", "actions.button.done", item.id)]
    return reply


def due_on_day_off(item: ActionItem, team: Team, workdays: Workdays) -> list[str]:
    """One warning when ``item`` falls due on a team-local day off (a weekend, else a statutory
    holiday), as the meeting and 1on1 desks give; in a year without official holiday data the
    guess is said to be one. The chat reply's last line, an entry of REST ``warnings``: 「下周一」
    typed on the eve of 国庆 silently meant a holiday evening (tester s29 F-9)."""
    day = local(item.due_at, team.timezone).date()
    if workdays.is_workday(day):
        return []
    what = t("actions.warning.weekend") if day.weekday() >= 5 else t("actions.warning.holiday")
    text = t("actions.warning.day_off", due=due_text(item.due_at, team), what=what)
    if not workdays.is_official(day.year):
        text += t("actions.warning.provisional", year=day.year)
    return [text]


def leaves_first(item: ActionItem, owner: Member, team: Team) -> list[str]:
    """What whoever gives ``item`` to ``owner`` should know (the chat reply's last lines, REST
    ``warnings``): ``owner`` is set to leave on or before its due time, so it will be handed on
    at the departure (:mod:`teamassist.actions.departures`; the rule:
    :func:`teamassist.team.people.leaves_by`); else nothing."""
    leaving = team_people.leaves_by(owner, item.due_at)
    if leaving is None:
        return []
    day = local(leaving, team.timezone).date().isoformat()
    return [t("actions.warning.leaves_first", name=owner.display_name, date=day)]


def assigned(item: ActionItem, team: Team, requester: Member) -> Reply:
    """The owner's notice of a new item, with a button to mark it done."""
    reply = Reply(title=t("actions.notice.assigned_title"))
    reply.body = t(
        "actions.notice.assigned",
        id=item.id,
        requester=_who(reply, requester),
        title=user_text(item.title),
        due=due_text(item.due_at, team),
    )
    reply.buttons = owner_buttons(item)
    return reply


def reassigned(item: ActionItem, team: Team, actor: Member | None) -> Reply:
    """The new owner's notice of an item handed over (by someone, or because its owner left)."""
    reply = Reply(title=t("actions.notice.assigned_title"))
    key = "actions.notice.reassigned" if actor is not None else "actions.notice.reassigned_left"
    reply.body = t(
        key,
        id=item.id,
        actor=_who(reply, actor),
        title=user_text(item.title),
        due=due_text(item.due_at, team),
    )
    reply.buttons = owner_buttons(item)
    return reply


def changed(key: str, item: ActionItem, team: Team, actor: Member, **extra: object) -> Reply:
    """A notice or receipt of one change (``done``, ``closed``, ``reopened``, ``extended``)."""
    reply = Reply()
    reply.body = t(
        f"actions.{key}",
        id=item.id,
        actor=_who(reply, actor),
        title=user_text(item.title),
        due=due_text(item.due_at, team),
        **extra,
    )
    return reply


def done_notice(item: ActionItem, team: Team, owner: Member) -> Reply:
    """To the requester: the owner says it is done; buttons to close or send it back."""
    reply = changed("notice.done", item, team, owner)
    reply.buttons = [
        command_button(
            "actions.confirm", "actions.button.confirm", item.id, style=ButtonStyle.PRIMARY
        ),
        command_button("actions.reopen", "actions.button.reopen", item.id),
    ]
    return reply


def line(item: ActionItem, team: Team, names: Mapping[int, str], now: datetime) -> str:
    """One item in a list."""
    return t(
        "actions.list.line",
        id=item.id,
        state=_state(item, now),
        title=user_text(item.title),
        owner=names.get(item.owner_id, "-"),
        requester=names.get(item.requester_id, "-"),
        due=due_text(item.due_at, team),
    )


def mine(
    owned: Sequence[ActionItem],
    to_check: Sequence[ActionItem],
    team: Team,
    names: Mapping[int, str],
    now: datetime,
) -> Reply:
    """/我的销项: what I owe (open and done), and what waits for my check."""
    if not owned and not to_check:
        return Reply(body=t("actions.list.empty"))
    parts = [t("actions.list.owned", count=len(owned))]
    parts += [line(i, team, names, now) for i in owned[:LIST_LINES]]
    if to_check:
        parts.append(t("actions.list.to_check", count=len(to_check)))
        parts += [line(i, team, names, now) for i in to_check[:LIST_LINES]]
    reply = Reply(body="\n".join(parts))
    for item in [i for i in owned if i.state == ActionState.OPEN.value][:BUTTONS]:
        reply.buttons.append(command_button("actions.done", "actions.button.done", item.id))
    for item in to_check[:BUTTONS]:
        reply.buttons.append(command_button("actions.confirm", "actions.button.confirm", item.id))
    return reply


def overdue_reminder(
    items: Sequence[ActionItem], team: Team, names: Mapping[int, str], now: datetime
) -> Reply:
    """The owner's daily overdue reminder (working days only)."""
    parts = [t("actions.reminder.head", count=len(items))]
    parts += [line(i, team, names, now) for i in items[:LIST_LINES]]
    parts.append(t("actions.reminder.tail"))
    reply = Reply(title=t("actions.reminder.title"), body="\n".join(parts))
    for item in items[:BUTTONS]:
        reply.buttons += owner_buttons(item)
    return reply


def owner_buttons(item: ActionItem) -> list[Button]:
    """What the owner may press on a notice: done, and extend (which asks for the date)."""
    return [
        command_button("actions.done", "actions.button.done", item.id),
        command_button("actions.extend", "actions.button.extend", item.id),
    ]


def extend_prompt(item: ActionItem, team: Team, today: date) -> Reply:
    """``/延期销项 <编号>`` without a date (the extend button): a form asking the new due date,
    pre-filled a week after the later of the due date and today, and the reason. Feishu shows
    it as a card form; QQ and WeCom as the command to reply with."""
    proposed = max(local(item.due_at, team.timezone).date(), today) + timedelta(days=7)
    form = Form(
        command=command_text("actions.extend", item.id),
        submit_label=t("actions.extend_form.submit"),
        inputs=[
            FormInput(name="due", label=t("actions.extend_form.due"), value=proposed.isoformat()),
            FormInput(name="reason", label=t("actions.extend_form.reason")),
        ],
    )
    return Reply(
        title=t("actions.extend_form.title", id=item.id),
        body=t(
            "actions.extend_form.body",
            id=item.id,
            title=user_text(item.title),
            due=due_text(item.due_at, team),
            example=form.template(),
        ),
        form=form,
    )


def escalation(
    items: Sequence[tuple[ActionItem, int]],
    team: Team,
    names: Mapping[int, str],
    *,
    escalate_after: int,
) -> str:
    """The director's digest section: items ``escalate_after`` or more working days overdue,
    with how many (markdown lines)."""
    parts = [t("actions.digest.head", days=escalate_after)]
    parts += [
        t(
            "actions.digest.line",
            id=item.id,
            title=user_text(item.title),
            owner=names.get(item.owner_id, "-"),
            requester=names.get(item.requester_id, "-"),
            due=due_text(item.due_at, team),
            days=days,
        )
        for item, days in items[:LIST_LINES]
    ]
    return "\n".join(parts)


def provisional(today: date, official: bool) -> str:
    """A note when this year's holidays are not published yet."""
    return "" if official else "\n" + t("actions.word.provisional", year=today.year)
