"""Fixtures of the duty tests."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from teamassist.database import transaction
from teamassist.duty.models import Rotation
from tests.support.chat import ChatDriver


@pytest.fixture
def chat_without_rotations(sqlite_chat: ChatDriver) -> ChatDriver:
    """The demo workspace on SQLite, before anyone set up a rotation."""
    with transaction(sqlite_chat.runtime.factory) as session:
        session.execute(delete(Rotation))
    return sqlite_chat
