"""A plan's document: the team's template (Jinja2, sandboxed, producing Markdown) filled with
the plan's fields. The default text is ``sources/plan.md.j2``; a team's own text is tried on
:func:`sample_context` before it is stored, so a stored template always renders.

Templates are user-editable, so they run in Jinja2's sandbox with ``StrictUndefined`` (a typo in
a field name fails when the template is saved, not when someone opens a plan).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import PackageLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from teamassist.careers.models import CareerPlan
from teamassist.clock import local
from teamassist.exceptions import Invalid
from teamassist.i18n import t
from teamassist.team.models import Member, Team

DEFAULT = "plan.md.j2"


def _cell(value: object) -> str:
    """A value safe inside a Markdown table cell (no pipe, no line break)."""
    return str(value).replace("|", "｜").replace("\r", " ").replace("\n", " ").strip()


@cache
def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=PackageLoader("teamassist.careers", "sources"),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown, not HTML: the page's Markdown step escapes
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _cell
    return env


def default_source() -> str:
    """The default template text."""
    env = _environment()
    assert env.loader is not None
    text, _path, _uptodate = env.loader.get_source(env, DEFAULT)
    return text


def render(source: str, context: Mapping[str, Any]) -> str:
    """``source`` rendered with ``context`` (Markdown).

    Raises :class:`Invalid` ``careers.error.template`` (line and the engine's message) when the
    text is not a template or uses a field that does not exist."""
    try:
        return _environment().from_string(source).render(**context)
    except Exception as error:
        line = (getattr(error, "lineno", None) if isinstance(error, TemplateError) else None) or "?"
        raise Invalid("careers.error.template", line=line, detail=str(error)[:300]) from error


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
    return render(source, context(plan, member=member, team=team))


def stamp(now: datetime, team: Team) -> str:
    """``2026-12-01 18:00`` on the team's wall clock."""
    return local(now, team.timezone).strftime("%Y-%m-%d %H:%M")
