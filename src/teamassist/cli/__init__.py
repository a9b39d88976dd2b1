"""The ``teamassist`` command line: one Typer app, each group of commands in its own module.

The modules import only Typer at the top; what a command needs (the settings, SQLAlchemy, the
bootstrap, FastAPI) is imported inside it, so ``teamassist --help`` and a mistyped command
answer without loading the whole product.
"""

from __future__ import annotations

from teamassist.cli import bind, core, importer, okr, roles, setup, workspace
from teamassist.cli.app import DEMO_WORKSPACE, app

__all__ = [
    "DEMO_WORKSPACE",
    "app",
    "bind",
    "core",
    "importer",
    "okr",
    "roles",
    "setup",
    "workspace",
]
