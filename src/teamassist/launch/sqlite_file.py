"""Whether the SQLite file a ``database.url`` names can hold an install: a file, not memory,
in a folder that exists or can be made. Said in one line before anything opens the database
(``db upgrade`` made the folders with ``mkdir`` and ended in its traceback; ``serve`` and
``config check`` sent the operator to ``db upgrade`` for such a path: tester 2 F2/F3, session 21).
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

# errno of a folder that cannot be made or written: what is in the way.
_NOT_FOLDER = {errno.ENOTDIR, errno.EEXIST}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}


def in_memory(url: str) -> bool:
    """Whether ``url`` is an SQLite database without a file (``sqlite://``, ``sqlite:///``,
    ``sqlite:///:memory:``): its schema is gone when the process ends."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


# Every SQLite database file begins with these 16 bytes; SQLite takes an empty file as a new
# database. Source: https://www.sqlite.org/fileformat.html, "1.3. The Database Header".
_HEADER = b"SQLite format 3\x00"


def _sqlite_or_empty(path: Path) -> bool:
    """Whether ``path`` is an SQLite database file or empty (an unreadable one is left to the
    database's own error)."""
    try:
        with path.open("rb") as file:
            head = file.read(len(_HEADER))
    except OSError:
        return True
    return head in (b"", _HEADER)


def problem(url: str) -> str | None:
    """Why the SQLite database of ``url`` cannot be used, as the catalogue's line (Chinese,
    then English); None when it can, or ``url`` names another backend. A file that is there
    but is no SQLite database (its first bytes say so) is told as such: ``config check`` ended
    in ``file is not a database``'s traceback, ``serve`` spoke of a server (tester F3, s22).

    A file that does not exist yet is checked by making (and at once removing) an empty
    folder beside where its first missing folder would go: whether a folder can be made there
    depends on the file system (``/proc`` refuses root too), which no permission bit tells."""
    from sqlalchemy.engine import make_url

    from teamassist.i18n import t

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if in_memory(url):
        return t("setup.error.sqlite.memory")
    path = Path(parsed.database or "").absolute()
    if path.exists():
        if not path.is_file():
            return t("setup.error.sqlite.not_file", path=path)
        return None if _sqlite_or_empty(path) else t("setup.error.sqlite.not_database", path=path)
    existing = path.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return t("setup.error.sqlite.not_folder", path=path, blocker=existing)
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".teamassist-probe-", dir=existing))
    except OSError as exc:
        if exc.errno in _NOT_FOLDER:
            return t("setup.error.sqlite.not_folder", path=path, blocker=existing)
        if exc.errno in _DENIED:
            return t("setup.error.sqlite.denied", path=path, folder=existing)
        return t("setup.error.sqlite.no_folder", path=path)
    return None


def require_usable(url: str) -> None:
    """Stop with :func:`problem`'s line: exit code 2 for an in-memory database (a setting
    that cannot work), 3 for a file that cannot be made (as a database that cannot be
    reached)."""
    from teamassist.launch.refusal import fail

    said = problem(url)
    if said is not None:
        fail(said, code=2 if in_memory(url) else 3)
