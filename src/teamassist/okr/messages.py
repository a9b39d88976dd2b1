"""Replies of the OKR desk, from the catalogue: O/KR lists, check-ins, weights, scores, alignment.

Titles and comments are user text (``user_text``): renderers show them literally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from teamassist.chat.types import Reply, user_text
from teamassist.i18n import t
from teamassist.okr import cycles
from teamassist.okr.alignment import AlignmentReport
from teamassist.okr.formulas import Expectation, num
from teamassist.okr.models import CheckIn, Cycle, KeyResult, Objective, ObjectiveState
from teamassist.okr.objectives import weights_detail
from teamassist.okr.people import People
from teamassist.okr.rollup import ObjectiveProgress, kr_raw
from teamassist.okr.scoring import ObjectiveScore

_KIND = {
    "increase": "okr.kind.increase",
    "decrease": "okr.kind.decrease",
    "stay_above": "okr.kind.stay_above",
    "stay_below": "okr.kind.stay_below",
    "binary": "okr.kind.binary",
    "milestone": "okr.kind.milestone",
}
_OTYPE = {"committed": "okr.otype.committed", "aspirational": "okr.otype.aspirational"}
_OSTATE = {"draft": "okr.ostate.draft", "published": "okr.ostate.published"}
_CSTATE = {
    "planning": "okr.cstate.planning",
    "active": "okr.cstate.active",
    "grading": "okr.cstate.grading",
    "closed": "okr.cstate.closed",
}
_STATUS = {
    "on_track": "okr.status.on_track",
    "at_risk": "okr.status.at_risk",
    "off_track": "okr.status.off_track",
}


def pct(share: float) -> str:
    """``0.4`` → ``40%``, ``1.125`` → ``112.5%`` (one decimal at most, never ``2.5e+06%``)."""
    return f"{num(round(share * 100, 1))}%"


def kr_progress(raw: float) -> str:
    """Raw progress with the over-achievement mark: ``112.5%（超额）``."""
    return pct(raw) + (t("okr.word.over") if raw > 1 else "")


def provisional(expected: Expectation) -> str:
    """The note that working days of a year without official data are a guess."""
    if not expected.provisional_years:
        return ""
    return t("okr.word.provisional", years="、".join(str(y) for y in expected.provisional_years))


def expectation_line(expected: Expectation) -> str:
    """Today's expected progress and the working days behind it."""
    return t(
        "okr.view.expected",
        expected=pct(expected.share),
        done=expected.done,
        total=expected.total,
        provisional=provisional(expected),
    )


def created_objective(
    objective: Objective, cycle: Cycle, people: str = "", *, named_cycle: bool = False
) -> Reply:
    """The reply to /新建目标: names the new O-n (and its people when they were named); the
    next step's reference carries the cycle when ``named_cycle`` (an O outside the current
    cycle, which a bare O-n does not reach)."""
    name = f"O-{objective.number}"
    body = t(
        "okr.created.objective",
        objective=name,
        ref=f"{cycle.key} {name}" if named_cycle else name,
        title=user_text(objective.title),
        cycle=cycle.key,
        otype=t(_OTYPE[objective.okr_type]),
    )
    return Reply(body=f"{body}\n{people}" if people else body)


def created_key_result(
    objective: Objective, key_result: KeyResult, total: int, people: str = ""
) -> Reply:
    """The reply to /新建KR: names the new KR-n, the O's weight total (and the KR's people
    when they were named)."""
    reply = _created_key_result(objective, key_result, total)
    return Reply(body=f"{reply.body}\n{people}") if people else reply


def deleted_key_result(
    objective: Objective, number: int, title: str, left: Sequence[KeyResult]
) -> Reply:
    """The reply to /删除KR: what is left under the O and its weight total."""
    return Reply(
        body=t(
            "okr.deleted.key_result",
            kr=f"KR-{number}",
            title=user_text(title),
            objective=f"O-{objective.number}",
            count=len(left),
            total=sum(k.weight for k in left),
        )
    )


def deleted_objective(number: int, title: str, krs: int) -> Reply:
    """The reply to /删除目标."""
    return Reply(
        body=t("okr.deleted.objective", objective=f"O-{number}", title=user_text(title), count=krs)
    )


def people_line(found: People, kind: str, target_id: int, owner_id: int | None) -> str:
    """``负责人 张三，协作 李四、王五`` (who has left marked 已离开)."""

    def name(member_id: int | None) -> str:
        shown = user_text(found.name(member_id) or t("okr.people.nobody"))
        return shown + (t("okr.people.left") if found.left(member_id) else "")

    helpers = found.of(kind, target_id)
    extra = t("okr.people.contributors", names="、".join(name(i) for i in helpers))
    return t("okr.people.line", owner=name(owner_id), contributors=extra if helpers else "")


def people_changed(item: str, line: str) -> Reply:
    """The reply to /负责人."""
    return Reply(body=t("okr.people.changed", item=item, line=line))


def _created_key_result(objective: Objective, key_result: KeyResult, total: int) -> Reply:
    common = {
        "objective": f"O-{objective.number}",
        "kr": f"KR-{key_result.number}",
        "title": user_text(key_result.title),
        "kind": t(_KIND[key_result.kind]),
        "weight": key_result.weight,
        "total": total,
    }
    if key_result.kind in ("binary",) or key_result.target_value is None:
        return Reply(body=t("okr.created.key_result_flag", **common))
    return Reply(
        body=t(
            "okr.created.key_result",
            start=num(key_result.start_value),
            target=num(key_result.target_value),
            unit=user_text(key_result.unit),
            **common,
        )
    )


def weights_set(objective: Objective, krs: Sequence[KeyResult]) -> Reply:
    """The reply to /KR权重."""
    detail = weights_detail(krs).strip("（）")
    return Reply(body=t("okr.weights.done", objective=f"O-{objective.number}", detail=detail))


def _objective_line(view: ObjectiveProgress, owner: str | None) -> str:
    objective = view.objective
    return t(
        "okr.view.objective",
        objective=f"O-{objective.number}",
        title=user_text(objective.title),
        otype=t(_OTYPE[objective.okr_type]),
        ostate=t(_OSTATE[objective.state]),
        progress=pct(view.progress),
        status=t(_STATUS[view.status.value]),
        owner=t("okr.view.owner", name=user_text(owner)) if owner else "",
    )


def _kr_lines(view: ObjectiveProgress) -> list[str]:
    lines = []
    for item in view.krs:
        kr = item.key_result
        lines.append(
            t(
                "okr.view.kr",
                kr=f"KR-{kr.number}",
                title=user_text(kr.title),
                current=num(kr.current_value if kr.current_value is not None else kr.start_value),
                unit=user_text(kr.unit),
                start=num(kr.start_value),
                target=num(kr.target_value),
                weight=kr.weight,
                progress=kr_progress(item.raw),
                confidence=(
                    t("okr.view.kr_confidence", confidence=kr.confidence)
                    if kr.confidence is not None
                    else ""
                ),
            )
        )
    return lines


def okr_list(
    title: str,
    cycle: Cycle,
    views: Sequence[ObjectiveProgress],
    expected: Expectation,
    owners: Mapping[int, str] | None = None,
) -> Reply:
    """/我的OKR, /团队OKR, and the published list: each O with its KRs, then the expectation."""
    if not views:
        return Reply(title=title, body=t("okr.view.empty", cycle=cycle.key))
    blocks = []
    for view in views:
        owner_id = view.objective.owner_id
        owner = owners.get(owner_id) if owners is not None and owner_id is not None else None
        blocks.append("\n".join([_objective_line(view, owner), *_kr_lines(view)]))
    blocks.append(expectation_line(expected))
    return Reply(title=title, body="\n\n".join(blocks))


def list_title(key: str, cycle: Cycle, today_state: str) -> str:
    """``我的OKR · 2026Q4（进行中）``."""
    return t(key, cycle=cycle.key, state=t(_CSTATE[today_state]))


def published(cycle: Cycle, views: Sequence[ObjectiveProgress], expected: Expectation) -> Reply:
    """The reply to /发布OKR: what was published, with weights and progress."""
    reply = okr_list(t("okr.publish.done", cycle=cycle.key), cycle, views, expected)
    return reply


def checked_in(
    key_result: KeyResult, row: CheckIn, view: ObjectiveProgress, expected: Expectation
) -> Reply:
    """The reply to /进展: the KR's progress and its O's, in percent."""
    item = next(k for k in view.krs if k.key_result.id == key_result.id)
    kr_line = t(
        "okr.checkin.done",
        kr=f"KR-{key_result.number}",
        title=user_text(key_result.title),
        value=num(row.value),
        unit=user_text(key_result.unit),
        progress=kr_progress(item.raw),
        late=t("okr.word.late") if row.late else "",
        confidence=(
            t("okr.checkin.confidence", confidence=row.confidence)
            if row.confidence is not None
            else ""
        ),
    )
    o_line = t(
        "okr.checkin.objective",
        objective=f"O-{view.objective.number}",
        title=user_text(view.objective.title),
        progress=pct(view.progress),
        expected=pct(expected.share),
        status=t(_STATUS[view.status.value]),
    )
    return Reply(body="\n".join(line for line in (kr_line, o_line, provisional(expected)) if line))


def _final(score: float, suggested: float, reason: str | None) -> str:
    if score == suggested and not reason:
        return ""
    return t("okr.score.final", score=num(score), reason=_reason(reason))


def _reason(reason: str | None) -> str:
    return t("okr.score.reason", reason=user_text(reason)) if reason else ""


def score_view(
    scores: Sequence[ObjectiveScore],
    own_score: float | None,
    cycle_score: float | None,
    cycle: Cycle,
) -> Reply:
    """The reply to /评分 without a value: the sender's Os with their suggestions and current
    scores, the mean of the sender's published Os (``own_score``) and the team's cycle score
    (every published O of the cycle); a figure that is None (no published O) is left out."""
    lines = []
    for entry in scores:
        objective = entry.objective
        lines.append(
            t(
                "okr.score.objective",
                objective=f"O-{objective.number}",
                title=user_text(objective.title),
                suggested=num(entry.suggested),
                final=_final(entry.final, entry.suggested, objective.score_reason),
            )
        )
        for kr, suggested, final in entry.krs:
            lines.append(
                "- "
                + t(
                    "okr.score.kr",
                    kr=f"KR-{kr.number}",
                    title=user_text(kr.title),
                    suggested=num(suggested),
                    progress=kr_progress(kr_raw(kr)),
                    final=_final(final, suggested, kr.score_reason),
                )
            )
    if any(entry.objective.state == ObjectiveState.DRAFT.value for entry in scores):
        lines.append(t("okr.score.drafts_left_out"))
    if own_score is not None:
        lines.append(t("okr.score.own", cycle=cycle.key, score=num(own_score)))
    if cycle_score is not None:
        lines.append(t("okr.score.cycle", cycle=cycle.key, score=num(cycle_score)))
    lines.append(t("okr.score.note"))
    return Reply(body="\n".join(lines))


def kr_scored(key_result: KeyResult, entry: ObjectiveScore) -> Reply:
    """The reply after scoring a KR."""
    return Reply(
        body=t(
            "okr.score.saved_kr",
            kr=f"KR-{key_result.number}",
            score=num(key_result.score),
            reason=_reason(key_result.score_reason),
            objective=f"O-{entry.objective.number}",
            objective_score=num(entry.suggested),
        )
    )


def objective_scored(objective: Objective) -> Reply:
    """The reply after scoring an O."""
    return Reply(
        body=t(
            "okr.score.saved_objective",
            objective=f"O-{objective.number}",
            score=num(objective.score),
            reason=_reason(objective.score_reason),
        )
    )


def aligned(child: str, parent: Objective) -> Reply:
    """The reply to /对齐 <child> <parent>."""
    return Reply(
        body=t(
            "okr.align.done",
            child=child,
            parent=f"O-{parent.number}",
            title=user_text(parent.title),
        )
    )


def alignment_report(cycle: Cycle, found: AlignmentReport, links: Sequence[str]) -> Reply:
    """The reply to /对齐 without arguments."""

    def names(items: Sequence[Objective]) -> str:
        return "、".join(f"O-{o.number}" for o in items) or t("okr.word.none")

    lines = [
        t("okr.align.unaligned", items=names(found.unaligned)),
        t("okr.align.unsupported", items=names(found.unsupported)),
        t("okr.align.orphaned", items=names(found.orphaned)),
    ]
    if links:
        lines.append(t("okr.align.links", items="、".join(links)))
    return Reply(title=t("okr.align.title", cycle=cycle.key), body="\n".join(lines))


def cycle_reopened(cycle: Cycle) -> Reply:
    """The reply to /重开周期."""
    return Reply(
        body=t("okr.cycle.reopened", cycle=cycle.key, until=cycles.month_day(cycle.grading_until))
    )


def cycle_closed(cycle: Cycle) -> Reply:
    """The reply to /关闭周期."""
    return Reply(body=t("okr.cycle.closed", cycle=cycle.key))
