"""REST endpoints of the OKR desk (mounted under /api/v1/okr), one module per resource; they
call the same services as the chat commands."""

from __future__ import annotations

from teamassist.http.routes import Routes
from teamassist.okr.api import alignments, cycles, key_results, objectives, retros, sheets

router = Routes()
for _resource in (cycles, objectives, key_results, alignments, sheets, retros):
    router.include_router(_resource.router)

__all__ = ["router"]
