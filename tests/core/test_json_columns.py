"""JSON columns hold Chinese as itself: a ``\\u`` escape per character doubled the inbox."""

from __future__ import annotations

from sqlalchemy import String, cast, select

from teamassist.chat.models import InboundEvent
from teamassist.database import transaction
from teamassist.runtime import Runtime


def test_a_chinese_message_is_stored_as_written_on_every_backend(runtime: Runtime) -> None:
    message = {"text": "/问题反馈 登录页打不开", "sender_name": "张三"}
    with transaction(runtime.factory) as session:
        row = InboundEvent(platform="qq", event_id="evt-json-1", message=message)
        session.add(row)
        session.flush()
        row_id = row.id
    with runtime.factory() as session:
        stored = session.scalar(
            select(cast(InboundEvent.message, String)).where(InboundEvent.id == row_id)
        )
        assert stored is not None
        assert "登录页打不开" in stored and "\\u" not in stored, stored
        # and it reads back as the same object
        assert session.get(InboundEvent, row_id).message == message  # type: ignore[union-attr]
