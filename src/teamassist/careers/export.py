"""What the workspace export withholds of career plans: their content.

An admin who is not standing in for a director does not read plans (docs/careers.md), and the
export is read by admins; so it keeps who has a plan for which year, its dates and each goal's
number, date and status (the status list's facts), and blanks what the person and the director
wrote: the director's note, direction, strengths, notes, each goal's title and evidence.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.careers.models import CareerGoal, CareerPlan
from teamassist.events import ExportWithheld, Withheld


def withheld(_session: Session, _query: ExportWithheld) -> tuple[Withheld, ...]:
    """The rules, for every plan alike (answers :class:`~teamassist.events.ExportWithheld`)."""
    return (
        Withheld(
            CareerPlan.__tablename__,
            CareerPlan.id.is_not(None),
            columns=("request", "direction", "strengths", "notes"),
        ),
        Withheld(
            CareerGoal.__tablename__, CareerGoal.id.is_not(None), columns=("title", "evidence")
        ),
    )
