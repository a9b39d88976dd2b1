"""Dashboard pages of the duty desk, one module per screen: today's duty, the roster month view,
sign-in history, the fairness report, calendar feeds, and the rotation editor (with its form in
``editor_form``).

Pages read through the same services as the chat commands and REST.
"""

from __future__ import annotations

from teamassist.duty.pages import editor, fairness, feeds, roster, sign_ins, today
from teamassist.http.routes import Routes

router = Routes(include_in_schema=False)
for _screen in (today, roster, sign_ins, fairness, feeds, editor):
    router.include_router(_screen.router)

__all__ = ["router"]
