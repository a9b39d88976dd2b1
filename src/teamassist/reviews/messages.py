"""Chat replies of the 360 desk; words from ``locale/reviews.toml``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.reviews.document import pool_label
from teamassist.reviews.models import RequestStatus, ReviewCycle
from teamassist.reviews.service import Nomination, Pending
from teamassist.team.models import Member


def answer_link(base: str, cycle: ReviewCycle, reviewee_id: int) -> str:
    """The web form of one review (answers are given there, never in chat: a chat message is
    stored with its sender). It names the cycle's team: a reviewer in several teams would
    otherwise land on their default team, where the cycle is not found."""
    return f"{base}/reviews/360/{cycle.id}/answer/{reviewee_id}?team={cycle.team_id}"


def summary_link(base: str, cycle: ReviewCycle, reviewee_id: int) -> str:
    """The summary page of one reviewee (with the cycle's team, as :func:`answer_link`)."""
    return f"{base}/reviews/360/{cycle.id}/summary/{reviewee_id}?team={cycle.team_id}"


def started(cycle: ReviewCycle, reviewees: Sequence[Member], reviewers: int) -> Reply:
    """The director's receipt of /发起360."""
    return Reply(
        body=t(
            "reviews.reply.started",
            name=user_text(cycle.name),
            id=cycle.id,
            due=cycle.due_on.isoformat(),
            people="、".join(user_text(m.display_name) for m in reviewees),
            reviewers=reviewers,
            k=cycle.min_answers,
        )
    )


def pending(
    base: str, rows: Sequence[Pending], released: Sequence[ReviewCycle], me: Member
) -> Reply:
    """/360: what I still owe, with the form links; then my released summaries."""
    lines: list[str] = []
    if rows:
        lines.append(t("reviews.reply.pending_head", count=len(rows)))
        for row in rows:
            lines.append(
                t(
                    "reviews.reply.pending_line",
                    name=user_text(row.reviewee.display_name),
                    pool=pool_label(row.pool),
                    due=row.cycle.due_on.isoformat(),
                    link=answer_link(base, row.cycle, row.reviewee.id),
                )
            )
    else:
        lines.append(t("reviews.reply.pending_none"))
    for cycle in released:
        # the cycle's name: two released cycles gave two identical lines (tester R2)
        lines.append(
            t(
                "reviews.reply.summary_ready",
                name=user_text(cycle.name),
                link=summary_link(base, cycle, me.id),
            )
        )
    return Reply(body="\n".join(lines))


def declined(reviewee: Member) -> Reply:
    """The reviewer's receipt of /拒绝360."""
    return Reply(body=t("reviews.reply.declined", name=user_text(reviewee.display_name)))


def released(cycle: ReviewCycle, reviewee: Member) -> Reply:
    """The director's receipt of /发布360."""
    return Reply(
        body=t(
            "reviews.reply.released",
            name=user_text(reviewee.display_name),
            cycle=user_text(cycle.name),
        )
    )


def released_before(
    cycle: ReviewCycle, reviewee: Member, when: datetime | None, timezone: str
) -> Reply:
    """/发布360 for a summary released before: nothing sent again, and since when."""
    moment = local(when, timezone) if when is not None else None
    return Reply(
        body=t(
            "reviews.reply.released_before",
            name=user_text(reviewee.display_name),
            cycle=user_text(cycle.name),
            when=f"{moment.month}月{moment.day}日 {moment:%H:%M}" if moment else "",
        )
    )


def closed(base: str, cycle: ReviewCycle, changed: bool) -> Reply:
    """The director's receipt of /结束360."""
    if not changed:
        return Reply(body=t("reviews.reply.already_closed", name=user_text(cycle.name)))
    return Reply(
        body=t(
            "reviews.reply.closed",
            name=user_text(cycle.name),
            link=f"{base}/reviews/360/{cycle.id}?team={cycle.team_id}",
        )
    )


def reviewer_refused(reviewer: Member, reason: str) -> str:
    """A line of /360评价人 with several reviewers: this one was not added, and why."""
    return t(
        "reviews.reply.reviewer_refused", reviewer=user_text(reviewer.display_name), reason=reason
    )


def reviewer_added(reviewee: Member, reviewer: Member, pool: str, status: str) -> Reply:
    """The receipt of /360评价人 and /批准360: asked now, or nominated and waiting."""
    key = (
        "reviews.reply.nominated"
        if status == RequestStatus.NOMINATED.value
        else "reviews.reply.reviewer_added"
    )
    return Reply(
        body=t(
            key,
            reviewer=user_text(reviewer.display_name),
            reviewee=user_text(reviewee.display_name),
            pool=pool_label(pool),
        )
    )


def nominations(rows: Sequence[Nomination]) -> str:
    """The director's lines under /360: each nomination waiting, with the command that
    approves it."""
    lines = [t("reviews.reply.nominations_head", count=len(rows))]
    for row in rows:
        lines.append(
            t(
                "reviews.reply.nomination_line",
                reviewer=user_text(row.reviewer.display_name),
                reviewee=user_text(row.reviewee.display_name),
                pool=pool_label(row.request.pool),
                reviewer_handle=row.reviewer.handle,
                reviewee_handle=row.reviewee.handle,
            )
        )
    return "\n".join(lines)


def ended(base: str, cycles: Sequence[tuple[ReviewCycle, int]], *, timezone: str) -> str:
    """The manager's lines under /360: each ended cycle with summaries not released yet, with
    the day it ended: closed by hand before its due day, that day in ``timezone`` (the team's);
    else its due day.
    A cycle closed on 12-03 read 「已于 2026-12-20 结束」, its due day (tester F22, session 18)."""
    return "\n".join(
        t(
            "reviews.reply.ended_line",
            name=user_text(cycle.name),
            due=(
                min(local(cycle.closed_at, timezone).date(), cycle.due_on)
                if cycle.closed_at is not None
                else cycle.due_on
            ).isoformat(),
            count=count,
            link=f"{base}/reviews/360/{cycle.id}?team={cycle.team_id}",
        )
        for cycle, count in cycles
    )
