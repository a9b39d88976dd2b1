"""Chat replies of ``/职业规划``: one plan in short, the director's status list."""

from __future__ import annotations

from collections.abc import Sequence

from teamassist.careers.models import CareerPlan
from teamassist.careers.service import PlanState
from teamassist.chat.types import Reply, user_text
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.team.models import Team

STATE_LINES = 50  # lines of the director's list in one chat message


def plan(row: CareerPlan, team: Team, *, url: str, editable: bool) -> Reply:
    """A plan's fields and goals, with its link; the person also gets the edit hint."""
    lines = [
        t("careers.show.due", due=local(row.due_at, team.timezone).strftime("%Y-%m-%d %H:%M")),
        t("careers.show.direction", text=user_text(row.direction) or t("careers.show.empty")),
        t("careers.show.strengths", text=user_text(row.strengths) or t("careers.show.empty")),
    ]
    if row.goals:
        lines.append(t("careers.show.goals"))
        for goal in row.goals:
            lines.append(
                t(
                    "careers.show.goal",
                    number=goal.number,
                    title=user_text(goal.title),
                    date=goal.target_date.isoformat() if goal.target_date else "—",
                    status=t(f"careers.status.{goal.status}"),
                    carried=t("careers.show.carried") if goal.carried else "",
                    evidence=user_text(goal.evidence) or "—",
                )
            )
    else:
        lines.append(t("careers.show.no_goals"))
    lines.append(t("careers.show.link", url=url))
    if editable:
        lines.append(t("careers.show.edit_hint"))
    return Reply(title=row.title, body="\n".join(lines))


def states(rows: Sequence[PlanState], team: Team, year: int) -> Reply:
    """The director's list: who started, who wrote, who is overdue."""
    if not rows:
        return Reply(body=t("careers.states.empty", team=team.name, year=year))
    counts = {
        key: sum(1 for r in rows if r.state == key) for key in ("started", "written", "overdue")
    }
    lines = [t("careers.states.head", team=team.name, year=year, **counts)]
    # Who needs a nudge first (overdue, then not written), then who wrote; at most
    # STATE_LINES lines, as /通知回执 does: a 306-person team's list was one 21.7 KB message,
    # more than QQ or Feishu carry (a tester, session 16).
    order = {"overdue": 0, "started": 1, "written": 2}
    ranked = sorted(rows, key=lambda r: order.get(r.state, 3))
    for row in ranked[:STATE_LINES]:
        lines.append(
            t(
                "careers.states.line",
                id=row.plan.id,
                name=user_text(row.member.display_name),
                state=t(f"careers.state.{row.state}"),
                due=local(row.plan.due_at, team.timezone).strftime("%Y-%m-%d %H:%M"),
            )
        )
    if len(rows) > STATE_LINES:
        lines.append(t("careers.states.more", count=len(rows) - STATE_LINES))
    return Reply(title=t("careers.states.title"), body="\n".join(lines))
