"""Texts of the OKR rhythm's notices: the owner's check-in reminder and the director's digest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from teamassist.chat.types import Reply, user_text
from teamassist.i18n import t
from teamassist.okr.checkin_card import open_button
from teamassist.okr.cycles import month_day
from teamassist.okr.models import Objective
from teamassist.okr.stale import Stale, departed
from teamassist.team.models import Member

MAX_BUTTONS = 3
_STATUS = {"on_track": "okr.status.on_track", "at_risk": "okr.status.at_risk"}


def _status(item: Stale) -> str:
    value = item.status.value if item.status is not None else "off_track"
    return t(_STATUS.get(value, "okr.status.off_track"))


def _provisional(today: date, provisional: bool) -> str:
    return t("okr_rhythm.word.provisional", year=today.year) if provisional else ""


def _name(member: Member | None) -> str:
    if member is None:
        return t("okr_rhythm.word.nobody")
    left = t("okr_rhythm.word.left") if departed(member) else ""
    return f"{member.display_name}{left}"


def owner_names(members: Mapping[int, Member]) -> dict[int, str]:
    """Owners' names as lists show them, marked when they have left (their Os stay)."""
    return {member_id: _name(member) for member_id, member in members.items()}


def reminder(owner: Member, items: Sequence[Stale], today: date, *, provisional: bool) -> Reply:
    """The DM to one owner: their stale KRs, how long since each was checked in."""
    lines = [
        t(
            "okr_rhythm.reminder.line",
            kr=f"KR-{i.key_result.number}",
            title=user_text(i.key_result.title),
            objective=f"O-{i.objective.number}",
            last=(
                t("okr_rhythm.word.last", day=month_day(i.last))
                if i.checked_in
                else t("okr_rhythm.word.never")
            ),
            days=i.days(today),
        )
        for i in items
    ]
    cadence = min(i.days(today) for i in items)
    return Reply(
        title=t("okr_rhythm.reminder.title"),
        body=t(
            "okr_rhythm.reminder.body",
            name=owner.display_name,
            cadence=cadence,
            lines="\n".join(lines),
            example=f"KR-{items[0].key_result.number}",
            provisional=_provisional(today, provisional),
        ),
        # Each opens the KR's check-in prompt (a form on Feishu); a few, the first ones.
        buttons=[open_button(i.key_result) for i in items[:MAX_BUTTONS]],
    )


def digest(
    escalated: Sequence[Stale],
    departed: Sequence[Objective],
    members: Mapping[int, Member],
    cycle_keys: Mapping[int, str],
    today: date,
    *,
    escalate_after: int,
    provisional: bool,
    sections: Sequence[str] = (),
) -> Reply:
    """The director's digest: KRs still stale after the reminders, Os of people who left, and
    the sections other desks add (markdown, as they wrote it)."""
    parts: list[str] = []
    if escalated:
        parts.append(t("okr_rhythm.digest.stale", times=escalate_after))
        parts += [
            t(
                "okr_rhythm.digest.line",
                owner=_name(i.owner),
                kr=f"KR-{i.key_result.number}",
                title=user_text(i.key_result.title),
                objective=f"O-{i.objective.number}",
                days=i.days(today),
                status=_status(i),
                reminded=i.reminded,
            )
            for i in escalated
        ]
    if departed:
        parts.append(t("okr_rhythm.digest.departed"))
        parts += [
            t(
                "okr_rhythm.digest.departed_line",
                owner=getattr(members.get(o.owner_id or 0), "display_name", "-"),
                left=t("okr_rhythm.word.left"),
                objective=f"O-{o.number}",
                title=user_text(o.title),
                cycle=cycle_keys.get(o.cycle_id, "-"),
            )
            for o in departed
        ]
    parts += sections
    body = "\n".join(parts) + _provisional(today, provisional)
    return Reply(title=t("okr_rhythm.digest.title", day=month_day(today)), body=body)
