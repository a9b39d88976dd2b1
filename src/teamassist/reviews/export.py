"""What of the 360 desk the workspace export withholds (an ``events.ExportWithheld`` answer).

Every ``review_response`` row stays out: the export is a file an admin takes away, and a pool
below k must show nothing to anyone, admins included. The export carries no aggregate either;
the summary documents are where results are read. The requests (who was asked, the status, a
decline reason) are exported: they hold no answer and no time.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.events import ExportWithheld, Withheld
from teamassist.reviews.models import ReviewResponse


def withheld(_session: Session, _query: ExportWithheld) -> tuple[Withheld, ...]:
    """Drop every response row of the workspace (the export scopes the rule to it)."""
    return (Withheld(ReviewResponse.__tablename__, ReviewResponse.id.is_not(None)),)
