"""Report kinds, the template each renders from, and the sample values a template is
checked against when a team saves its own text.

The meetings domain names five kinds (``weekly``, ``monthly``, ``quarterly``, ``half_year``,
``annual``); the four period kinds share one template (``period``), which adds the KR trend
chart and, at a quarter's end, scores and 复盘 questions.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from teamassist.exceptions import Invalid

KINDS = ("weekly", "monthly", "quarterly", "half_year", "annual")
TEMPLATES = ("weekly", "period")  # what a team may override
# Kinds that end a quarter (or more): scores and 复盘 questions are added.
QUARTER_END = frozenset({"quarterly", "half_year", "annual"})


def check_kind(kind: str) -> str:
    """``kind`` when known; else :class:`Invalid` ``reports.error.kind``."""
    if kind not in KINDS:
        raise Invalid("reports.error.kind", kind=kind, kinds="、".join(KINDS))
    return kind


def template_of(kind: str) -> str:
    """The template a kind renders from (``weekly`` or ``period``)."""
    return "weekly" if check_kind(kind) == "weekly" else "period"


def check_template(name: str) -> str:
    """``name`` when a team may override it (else Invalid ``reports.error.template_name``)."""
    if name not in TEMPLATES:
        raise Invalid("reports.error.template_name", name=name, names="、".join(TEMPLATES))
    return name


def sample_context() -> dict[str, Any]:
    """Values of every field a template may use (one of each), to try a template on save."""
    kr = {
        "label": "KR-1",
        "title": "线上缺陷数",
        "progress": 0.5,
        "confidence": "7",
        "score": "0.5",
    }
    objective = {
        "label": "O-1",
        "title": "提升交付质量",
        "progress": 0.5,
        "confidence": "7.0",
        "score": "0.5",
        "key_results": [kr],
    }
    member = {
        "name": "张三",
        "objectives": [objective],
        "done": ["接口文档"],
        "not_done": ["压测"],
        "next": ["上线"],
        "risks": ["人手不足"],
        "help": ["需要测试支持"],
    }
    action = {
        "id": 1,
        "title": "补测试",
        "owner": "张三",
        "due": "11月20日 18:00",
        "state": "进行中",
    }
    return {
        "title": "OKR周报2026/11/16-11/22",
        "team_name": "演示团队",
        "kind": "weekly",
        "period": "2026-11-16 — 2026-11-22",
        "generated": "2026-11-23 08:30",
        "members": [member],
        "actions": {"opened": [action], "closed": [action], "overdue": [action]},
        "chart": "",
        "chart_legend": ["O-1 张三 提升交付质量"],
        "quarter_end": True,
        "team_score": "0.5",
        "retro_questions": ["哪些目标没有达成，为什么？"],
    }


def period_of(kind: str, today: date) -> tuple[date, date]:
    """The period a report of ``kind`` asked for on ``today`` covers (inclusive): the week
    before (Monday–Sunday, as the seed's report due on Monday), else the month, quarter,
    half or year holding ``today``."""
    check_kind(kind)
    if kind == "weekly":
        start = today - timedelta(days=1)
        start -= timedelta(days=start.weekday())
        return start, start + timedelta(days=6)
    months = {"monthly": 1, "quarterly": 3, "half_year": 6, "annual": 12}[kind]
    first = (today.month - 1) // months * months + 1
    start = date(today.year, first, 1)
    after = (
        date(today.year + 1, 1, 1) if first + months > 12 else date(today.year, first + months, 1)
    )
    return start, after - timedelta(days=1)
