"""A plan's document: the team's template (Jinja2, sandboxed, producing Markdown) filled with
the plan's fields, rendered by the core :mod:`teamassist.documents` (which also makes the .docx
and PDF). The default text is ``sources/plan.md.j2``; a team's own text is tried on
:func:`sample_context` before it is stored, so a stored template always renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from teamassist import documents
from teamassist.careers.models import CareerPlan
from teamassist.clock import local
from teamassist.i18n import t
from teamassist.team.models import Member, Team

DEFAULT = "plan.md.j2"
PACKAGE = "teamassist.careers"  # whose sources/ hold the default text (and any partials)


def default_source() -> str:
    """The default template text."""
    return documents.default_source(DEFAULT, package=PACKAGE)


def render(
    source: str,
    context: Mapping[str, Any],
    *,
    team: Team,
    error_key: str = "careers.error.template",
    trial: bool = False,
) -> str:
    """``source`` rendered with ``context`` (Markdown), in the sandbox, as ``team``'s render
    (one team takes at most all but one render place).

    Raises :class:`teamassist.exceptions.Invalid` ``error_key`` (line and the engine's
    message) when the text is not a template, uses a field that does not exist or goes over a
    limit; with ``trial`` (a text tried before it is saved) also when it takes more than the
    save's CPU time."""
    return documents.render_markdown(
        source, context, package=PACKAGE, error_key=error_key, owner=("team", team.id), trial=trial
    )


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def context(plan: CareerPlan, *, member: Member, team: Team) -> dict[str, Any]:
    """The values a template sees: ``title name team year due request direction strengths
    notes`` (text) and ``goals`` (each ``number title evidence target_date status carried``;
    dates ``YYYY-MM-DD`` or "", ``status`` in words)."""
    due = local(plan.due_at, team.timezone)
    return {
        "title": plan.title,
        "name": member.display_name,
        "team": team.name,
        "year": plan.year,
        "due": due.strftime("%Y-%m-%d %H:%M"),
        "request": plan.request,
        "direction": plan.direction,
        "strengths": plan.strengths,
        "notes": plan.notes,
        "goals": [
            {
                "number": g.number,
                "title": g.title,
                "evidence": g.evidence,
                "target_date": _day(g.target_date),
                "status": t(f"careers.status.{g.status}"),
                "carried": g.carried,
            }
            for g in plan.goals
        ],
    }


def sample_context() -> dict[str, Any]:
    """Values every field of :func:`context` has, to try a team's template before saving."""
    return {
        "title": "个人职业发展规划-张三",
        "name": "张三",
        "team": "开发者社区",
        "year": 2027,
        "due": "2027-01-31 18:00",
        "request": "请在月底前完成",
        "direction": "成为后端架构师",
        "strengths": "系统设计、沟通",
        "notes": "",
        "goals": [
            {
                "number": 1,
                "title": "主导一次架构评审",
                "evidence": "评审纪要",
                "target_date": "2027-06-30",
                "status": "进行中",
                "carried": True,
            }
        ],
    }


def markdown(plan: CareerPlan, *, member: Member, team: Team, source: str) -> str:
    """The plan's document in Markdown, from the template text ``source``."""
    return render(source, context(plan, member=member, team=team), team=team)
