"""Test help for :mod:`teamassist.documents`."""

from __future__ import annotations

import types


class PangoMissing(types.ModuleType):
    """Stands in for ``weasyprint`` in ``sys.modules`` on a machine without pango: importing a
    name from it fails as cffi's dlopen does (``OSError``): the path a bare server takes."""

    def __getattr__(self, name: str) -> object:
        raise OSError("cannot load library 'libpango-1.0-0': no such file")
