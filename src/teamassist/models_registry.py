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


def unmodelled_names() -> set[str]:
    """Names of database objects that migrations build outside the models (a module's
    ``UNMODELLED``): full-text tables and special indexes."""
    names: set[str] = set()
    for name in MODEL_MODULES:
        names.update(getattr(importlib.import_module(name), "UNMODELLED", ()))
    return names


def include_name(name: str | None, _type: str, _parents: object) -> bool:
    """Alembic's ``include_name`` hook: compare everything but the unmodelled objects (a
    table's name or its prefix, e.g. FTS5's shadow tables ``<name>_data``)."""
    if name is None:
        return True
    return not any(name == u or name.startswith(f"{u}_") for u in unmodelled_names())
