"""Chat replies of the 360 desk; words from ``locale/reviews.toml``."""

from __future__ import annotations

from collections.abc import Sequence

from teamassist.chat.types import Reply, user_text
from teamassist.i18n import t
from teamassist.reviews.document import pool_label
from teamassist.reviews.models import ReviewCycle
from teamassist.reviews.service import Pending
from teamassist.team.models import Member


def answer_link(base: str, cycle_id: int, reviewee_id: int) -> str:
    """The web form of one review (answers are given there, never in chat: a chat message is
    stored with its sender)."""
    return f"{base}/reviews/360/{cycle_id}/answer/{reviewee_id}"


def summary_link(base: str, cycle_id: int, reviewee_id: int) -> str:
    """The summary page of one reviewee."""
    return f"{base}/reviews/360/{cycle_id}/summary/{reviewee_id}"


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
                    link=answer_link(base, row.cycle.id, row.reviewee.id),
                )
            )
    else:
        lines.append(t("reviews.reply.pending_none"))
    for cycle in released:
        lines.append(t("reviews.reply.summary_ready", link=summary_link(base, cycle.id, me.id)))
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


def closed(base: str, cycle: ReviewCycle, changed: bool) -> Reply:
    """The director's receipt of /结束360."""
    if not changed:
        return Reply(body=t("reviews.reply.already_closed", name=user_text(cycle.name)))
    return Reply(
        body=t(
            "reviews.reply.closed",
            name=user_text(cycle.name),
            link=f"{base}/reviews/360/{cycle.id}",
        )
    )
