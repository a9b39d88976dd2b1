"""The command line's files: a sheet read, an export written. A path that is missing, a
folder, unreadable or unwritable is one Chinese-first line and exit 1, never a traceback
(tester s25 F-24), and an existing file is not overwritten unless asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from teamassist.i18n import t
from teamassist.launch.refusal import fail

OverwriteOption = Annotated[
    bool, typer.Option("--overwrite", help="replace the file when it exists (default: refuse)")
]


def read(path: Path, *, limit: int, example: str) -> bytes:
    """The bytes of ``path``, at most ``limit`` of them (a caller that refuses more than it
    takes passes its limit + 1: ``okr import /dev/zero`` read for ever, tester s27 A-3); a
    refusal naming it when it cannot be read, a folder's naming ``example`` as the file meant."""
    try:
        with path.open("rb") as source:
            return source.read(limit)
    except FileNotFoundError:
        fail(t("core.file.missing", path=path))
    except IsADirectoryError:
        fail(t("core.file.is_a_folder", path=path, example=path / example))
    except OSError as exc:
        fail(t("core.file.unreadable", path=path, reason=exc.strerror or exc))


def check_writable(path: Path, *, overwrite: bool, example: str) -> None:
    """Refuse, before any work, a ``path`` that cannot be written: its folder missing, a folder
    itself (naming ``example`` inside it as the file meant), or an existing file without
    ``overwrite``."""
    if path.is_dir():
        fail(t("core.file.is_a_folder", path=path, example=path / example))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        fail(t("core.file.no_folder", path=path, folder=folder))
    if path.exists() and not overwrite:
        fail(t("core.file.exists", path=path))
    if not os.access(folder, os.W_OK):
        fail(t("core.file.unwritable", path=path, reason=t("core.file.folder_read_only")))


def write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a file beside it, then renamed over it,
    so a failure (disk full, permissions) leaves an earlier file as it was."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        fail(t("core.file.unwritable", path=path, reason=exc.strerror or exc))
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        fail(t("core.file.unwritable", path=path, reason=exc.strerror or exc))
