"""Replies of ``/复盘``: the retrospective drafts, and what filling, carrying over and
acknowledging did. Titles and texts people wrote go through ``user_text``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.okr.cycles import month_day
from teamassist.okr.formulas import num
from teamassist.okr.messages import kr_progress
from teamassist.okr.models import Cycle
from teamassist.okr.retros import CarriedOver, RetroView, Section
from teamassist.okr.rollup import kr_raw
from teamassist.okr.rows import KrFacts

_OTYPE = {"committed": "okr.otype.committed", "aspirational": "okr.otype.aspirational"}
_WORD = {
    Section.WENT_WELL: "okr_rhythm.retro.word_went_well",
    Section.TO_IMPROVE: "okr_rhythm.retro.word_to_improve",
}


def _history(view: RetroView, key_result: KrFacts) -> str:
    rows = view.history.get(key_result.id, [])
    if not rows:
        return t("okr_rhythm.retro.history_none")
    last = rows[-1]
    confidence = (
        t("okr_rhythm.retro.confidence", confidence=last.confidence)
        if last.confidence is not None
        else ""
    )
    return t(
        "okr_rhythm.retro.history",
        count=len(rows),
        first=num(rows[0].value),
        last=num(last.value),
        day=month_day(last.local_date),
        confidence=confidence,
    )


def _text(view: RetroView, section: Section) -> str:
    value: str = getattr(view.retro, section.value)
    if value:
        return user_text(value)
    return t(
        "okr_rhythm.retro.empty",
        objective=f"O-{view.objective.number}",
        word=t(_WORD[section]),
    )


def block(view: RetroView, names: Mapping[int, str], timezone: str) -> str:
    """One O's retrospective as text."""
    objective, score = view.objective, view.score
    lines = [
        "**"
        + t(
            "okr_rhythm.retro.title",
            objective=f"O-{objective.number}",
            title=user_text(objective.title),
            cycle=view.cycle.key,
            otype=t(_OTYPE.get(objective.okr_type, "okr.otype.committed")),
        )
        + "**",
        t("okr_rhythm.retro.owner", name=names.get(objective.owner_id or 0, "-")),
        t(
            "okr_rhythm.retro.score",
            suggested=f"{score.suggested:.1f}",
            final=f"{score.final:.1f}",
            reason=(
                t("okr_rhythm.retro.reason", reason=user_text(objective.score_reason))
                if objective.score_reason
                else ""
            ),
        ),
        t("okr_rhythm.retro.krs"),
    ]
    for key_result, _suggested, final in score.krs:
        lines.append(
            t(
                "okr_rhythm.retro.kr",
                kr=f"KR-{key_result.number}",
                title=user_text(key_result.title),
                start=num(key_result.start_value),
                target=num(key_result.target_value),
                unit=user_text(key_result.unit),
                history=_history(view, key_result),
                score=f"{final:.1f}",
            )
        )
    lines.append(t("okr_rhythm.retro.went_well", text=_text(view, Section.WENT_WELL)))
    lines.append(t("okr_rhythm.retro.to_improve", text=_text(view, Section.TO_IMPROVE)))
    if view.proposals:
        items = "；".join(
            t(
                "okr_rhythm.retro.proposal",
                kr=f"KR-{k.number}",
                title=user_text(k.title),
                progress=kr_progress(kr_raw(k)),
            )
            for k in view.proposals
        )
        lines.append(t("okr_rhythm.retro.proposals", items=items))
    if view.carried:
        items = "；".join(
            t("okr_rhythm.retro.carried_item", source=a, target=b, cycle=c)
            for a, b, c in view.carried
        )
        lines.append(t("okr_rhythm.retro.carried", items=items))
    if view.retro.follow_up:
        lines.append(t("okr_rhythm.retro.follow_up", note=view.retro.follow_up))
    if view.retro.acknowledged_at is not None:
        lines.append(
            t(
                "okr_rhythm.retro.acknowledged",
                name=names.get(view.retro.acknowledged_by_id or 0, "-"),
                day=month_day(local(view.retro.acknowledged_at, timezone).date()),
            )
        )
    else:
        lines.append(t("okr_rhythm.retro.unacknowledged", objective=f"O-{objective.number}"))
    return "\n".join(lines)


def drafts(
    views: Sequence[RetroView],
    cycle: Cycle,
    names: Mapping[int, str],
    timezone: str,
    *,
    team_wide: bool,
) -> Reply:
    """The drafts of a cycle (or one O); a clear line when there is none."""
    if not views:
        key = "okr_rhythm.retro.none_team" if team_wide else "okr_rhythm.retro.none"
        return Reply(body=t(key, cycle=cycle.key))
    return Reply(body="\n\n".join(block(v, names, timezone) for v in views))


def filled(view: RetroView, section: Section, names: Mapping[int, str], timezone: str) -> Reply:
    """After ``/复盘 O-1 做得好 …``: what was noted, then the draft."""
    head = t(
        "okr_rhythm.retro.filled",
        objective=f"O-{view.objective.number}",
        word=t(_WORD[section]),
    )
    return Reply(body=head + "\n\n" + block(view, names, timezone))


def acknowledged(view: RetroView) -> Reply:
    """After ``/复盘 确认 O-1``."""
    return Reply(
        body=t(
            "okr_rhythm.retro.done_ack",
            objective=f"O-{view.objective.number}",
            title=user_text(view.objective.title),
        )
    )


def carried(done: CarriedOver) -> Reply:
    """After ``/复盘 结转 KR-3``: exactly what was created, never silently."""
    made = (
        t(
            "okr_rhythm.retro.carried_made",
            target_objective=f"O-{done.objective.number}",
            title=user_text(done.objective.title),
        )
        if done.created_objective
        else ""
    )
    return Reply(
        body=t(
            "okr_rhythm.retro.carried_done",
            kr=f"KR-{done.source.number}",
            title=user_text(done.source.title),
            cycle=done.cycle.key,
            target_objective=f"O-{done.objective.number}",
            number=done.key_result.number,
            start=num(done.key_result.start_value),
            made=made,
        )
    )
