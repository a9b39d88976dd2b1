"""Evidence that shows nothing (only format characters or spaces) is no evidence: the level is
set and the evidence stored empty, so no invisible "依据" line is shown (optional text)."""

from __future__ import annotations

from sqlalchemy import select

from teamassist.qualifications.models import QualHolding
from tests.okr.support import demo, set_clock
from tests.outreach.support import set_up_groups
from tests.support.chat import ChatDriver


def test_invisible_evidence_is_stored_as_none(sqlite_chat: ChatDriver) -> None:
    set_up_groups(sqlite_chat.runtime)
    set_clock(sqlite_chat.runtime, "2026-12-01 10:00")
    # When the director sets 李四's level with evidence of only invisible characters
    reply = sqlite_chat.text("/设定职级 @lisi P3 \u202e\u200b\u3000", as_="lihua")
    assert "已将 李四 的职级设为 P3" in reply, reply
    # Then the level is set and the evidence is empty
    with demo(sqlite_chat.runtime) as given:
        held = given.session.scalar(
            select(QualHolding).where(QualHolding.member_id == given.member("lisi").id)
        )
        assert held is not None and held.evidence == ""
    assert "依据" not in sqlite_chat.text("/任职资格", as_="lisi")
