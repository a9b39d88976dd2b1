"""A command module whose import can be slow or fail (``tests.house.lazy_switch``): it declares
the qualifications desk's commands under another module's name."""

from __future__ import annotations

import time

from teamassist.qualifications.commands import commands
from tests.house import lazy_switch

lazy_switch.imports += 1
if lazy_switch.fail:
    raise RuntimeError("lazy_probe fails to import, as asked")
time.sleep(lazy_switch.delay)

__all__ = ["commands"]
