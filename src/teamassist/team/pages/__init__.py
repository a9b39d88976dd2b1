"""Dashboard pages of people and the organisation: the members list with an edit form per
member, and the org tree (parent, leader, director, manager, core group).

Pages change things through the same ``team.people`` / ``team.org`` functions as chat and REST.
"""

from __future__ import annotations

from teamassist.http.routes import Routes
from teamassist.team.pages import members, org

router = Routes(include_in_schema=False)
for _screen in (members, org):
    router.include_router(_screen.router)

__all__ = ["router"]
