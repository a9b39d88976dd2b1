"""The platform harnesses as fixtures for every test under tests/platforms."""

from __future__ import annotations

from tests.platforms.qq.conftest import fake_qq, qq  # noqa: F401 (fixtures)
from tests.platforms.test_feishu import env, fake  # noqa: F401 (fixtures)
