"""Replies of the qualification desk; words from ``locale/qualifications.toml``."""

from __future__ import annotations

from datetime import date

from teamassist.chat.types import Reply, user_text
from teamassist.i18n import t
from teamassist.qualifications.models import Outcome, QualAssessment, QualLevel, QualTrack
from teamassist.qualifications.service import Profile

# Catalogue keys spelled out, so the catalogue check sees every one.
OUTCOME_LABEL = {
    Outcome.QUALIFIED.value: "qualifications.outcome_qualified",
    Outcome.NOT_YET.value: "qualifications.outcome_not_yet",
}


def day(value: date) -> str:
    """``2026-12-01``."""
    return value.isoformat()


def profile(
    found: Profile,
    levels: list[QualLevel],
    names: dict[int, str],
) -> Reply:
    """A person's level, its criteria, the next level's criteria and the assessments;
    ``levels`` are the track's levels lowest first."""
    lines = [t("qualifications.mine.head", name=user_text(found.person.display_name))]
    level, track, holding = found.level, found.track, found.holding
    if level is None or track is None or holding is None:
        lines.append(t("qualifications.mine.no_level"))
    else:
        lines.append(
            t(
                "qualifications.mine.level",
                track=user_text(track.name),
                code=level.code,
                title=user_text(level.title),
                since=day(holding.since),
            )
        )
        if holding.evidence:
            lines.append(t("qualifications.mine.evidence", evidence=user_text(holding.evidence)))
        if level.criteria:
            lines.append(t("qualifications.mine.criteria"))
            lines += [t("qualifications.mine.criterion", text=user_text(c)) for c in level.criteria]
        higher = [lv for lv in levels if lv.rank > level.rank]
        if higher:
            nxt = higher[0]
            lines.append(t("qualifications.mine.next", code=nxt.code, title=user_text(nxt.title)))
            lines += [t("qualifications.mine.criterion", text=user_text(c)) for c in nxt.criteria]
    if found.assessments:
        lines.append(t("qualifications.mine.assessments"))
        lines += [assessment_line(a, lv, names) for a, lv in found.assessments]
    return Reply(body="\n".join(lines))


def assessment_line(row: QualAssessment, level: QualLevel, names: dict[int, str]) -> str:
    """``· 2026 年：P3 通过（李华，2026-12-01 生效）``."""
    return t(
        "qualifications.mine.assessment",
        year=row.year,
        code=level.code,
        outcome=t(OUTCOME_LABEL[row.outcome]),
        assessor=user_text(names.get(row.assessor_id or 0, "—")),
        date=day(row.effective_date),
    )


def framework(rows: list[tuple[QualTrack, list[QualLevel]]]) -> Reply:
    """The team's framework, track by track, each level with its criteria."""
    if not rows:
        return Reply(body=t("qualifications.framework.empty"))
    lines = [t("qualifications.framework.head")]
    for track, levels in rows:
        lines.append(
            t("qualifications.framework.track", name=user_text(track.name), track_key=track.key)
        )
        lines += [
            t(
                "qualifications.framework.level",
                code=lv.code,
                title=user_text(lv.title),
                criteria=user_text("；".join(lv.criteria)),
            )
            for lv in levels
        ]
    return Reply(body="\n".join(lines))
