"""What of the 360 desk the workspace export withholds (an ``events.ExportWithheld`` answer).

Every ``review_response`` row stays out: the export is a file an admin takes away, and a pool
below k must show nothing to anyone, admins included. The export carries no aggregate either;
the summary documents are where results are read. The requests (who was asked, a decline
reason) are exported, but an invited request and a submitted one look the same (the status is
blanked): who has answered is shown only to the reviewer, as on the pages and in REST.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.events import ExportWithheld, Withheld
from teamassist.reviews.models import RequestStatus, ReviewRequest, ReviewResponse

_ASKED = (RequestStatus.INVITED.value, RequestStatus.SUBMITTED.value)


def withheld(_session: Session, _query: ExportWithheld) -> tuple[Withheld, ...]:
    """Drop every response row of the workspace (the export scopes the rule to it), and blank
    the status of every invited or submitted request."""
    return (
        Withheld(ReviewResponse.__tablename__, ReviewResponse.id.is_not(None)),
        Withheld(
            ReviewRequest.__tablename__, ReviewRequest.status.in_(_ASKED), columns=("status",)
        ),
    )
