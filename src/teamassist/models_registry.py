"""Import every model module so Base.metadata is complete (Alembic, tests, create checks)."""

from __future__ import annotations

import importlib

MODEL_MODULES = [
    "teamassist.team.models",
    "teamassist.chat.models",
    "teamassist.outbox.models",
    "teamassist.scheduler.models",
    "teamassist.adapters.web.models",
    "teamassist.feedback.models",
    "teamassist.duty.models",
    "teamassist.duty.feed_models",
    "teamassist.adapters.qq.models",
    "teamassist.importers.models",
]


def import_all_models() -> None:
    """Import the model modules listed above."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
