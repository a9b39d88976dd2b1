"""Full Unicode and tz-aware UTC survive a round trip on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from teamassist.database import transaction
from teamassist.runtime import Runtime
from teamassist.team import service as team_service
from teamassist.team.models import Member


def test_emoji_and_cjk_round_trip(demo_runtime: Runtime) -> None:
    name = "小明 🚀👩‍💻 𠮷"
    with transaction(demo_runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        team_service.create_member(session, workspace=ws, handle="xm", display_name=name)
    with transaction(demo_runtime.factory) as session:
        ws = team_service.get_workspace_by_key(session, key="demo")
        assert ws is not None
        member = team_service.get_member_by_handle(session, workspace_id=ws.id, handle="XM")
        assert member is not None and member.display_name == name


def test_times_come_back_aware_utc(demo_runtime: Runtime) -> None:
    shanghai = timezone(timedelta(hours=8))
    written = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=shanghai)
    with transaction(demo_runtime.factory) as session:
        member = session.query(Member).first()
        assert member is not None
        member.created_at = written
        member_id = member.id
    with transaction(demo_runtime.factory) as session:
        read = session.get(Member, member_id)
        assert read is not None
        assert read.created_at.tzinfo is not None
        assert read.created_at == written
        assert read.created_at.utcoffset() == timedelta(0)
        assert read.created_at.hour == 0 and read.created_at.tzinfo == UTC


def test_naive_datetime_is_refused(demo_runtime: Runtime) -> None:
    with pytest.raises(Exception, match="naive"), transaction(demo_runtime.factory) as session:
        member = session.query(Member).first()
        assert member is not None
        member.created_at = datetime(2026, 1, 1)
        session.flush()
