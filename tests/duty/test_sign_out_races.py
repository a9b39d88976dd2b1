"""One sign-out sent many times at once is answered 「签出成功」 once (tester s25 F-14), on every
backend: on PostgreSQL 20 `/值班签出 今日无事` at once answered it 5 times (MariaDB 8), each
having found the sign-in row still open. Each sender runs in its own thread and
transaction; all have read the row before any writes (``tests.support.races``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.clock import FrozenClock
from teamassist.database import transaction
from teamassist.duty import signin
from teamassist.duty.models import SignIn
from teamassist.runtime import Runtime
from tests.duty.helpers import set_local
from tests.support.races import side_by_side
from tests.team.support import demo


def _read_sign_in(session: Session) -> None:
    """Read first, as the chat command does: the team, the person, their sign-in row."""
    demo(session)
    session.scalars(select(SignIn)).all()


def test_the_same_sign_out_sent_at_once_succeeds_once(
    demo_runtime: Runtime, clock: FrozenClock
) -> None:
    rt = demo_runtime
    with transaction(rt.factory) as session:  # 张三 is on duty for 技术 and signs in
        d = demo(session)
        signin.sign_in(session, team=d.team, member=d["zhangsan"], now=rt.clock())
    set_local(clock, date(2026, 6, 1), 22, 40)
    now = rt.clock()

    def sign_out(session: Session) -> None:
        d = demo(session)
        signin.sign_out(session, team=d.team, member=d["zhangsan"], now=now, report="今日无事")

    outcome = side_by_side(rt, [sign_out] * 4, read=_read_sign_in)

    # one signs out; the others hear it was done already
    assert outcome == ["duty.error.already_signed_out"] * 3 + ["ok"], outcome
    with rt.factory() as session:
        [row] = session.scalars(select(SignIn)).all()
        assert (row.report, row.signed_out_at is not None) == ("今日无事", True)
