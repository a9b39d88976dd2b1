"""Test help for :mod:`teamassist.documents`."""

from __future__ import annotations

import types
from collections.abc import Hashable

import pytest

from teamassist.documents import RenderUnavailable, sandbox


class PangoMissing(types.ModuleType):
    """Stands in for ``weasyprint`` in ``sys.modules`` on a machine without pango: importing a
    name from it fails as cffi's dlopen does (``OSError``): the path a bare server takes."""

    def __getattr__(self, name: str) -> object:
        raise OSError("cannot load library 'libpango-1.0-0': no such file")


def without_pango(patch: pytest.MonkeyPatch) -> None:
    """A server where WeasyPrint cannot load pango: a PDF is converted in a child of the
    render host (its own interpreter, out of ``sys.modules``' reach), which then answers
    "unavailable"; .docx conversions go on."""
    real = sandbox.convert

    def convert(kind: str, markdown: str, *, title: str, owner: Hashable = None) -> bytes:
        if kind == "pdf":
            raise RenderUnavailable("cannot load library 'libpango-1.0-0': no such file")
        return real(kind, markdown, title=title, owner=owner)

    patch.setattr(sandbox, "convert", convert)
