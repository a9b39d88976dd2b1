"""2026-Q4 on the demo team through the real scheduler, on every backend: every notice, report
deadline, meeting start and evaluation happens exactly once, at its local day and time, moved
off 国庆 (holiday 10-01..10-07, 调休 Saturday 10-10; chinese_calendar); a cancelled meeting sends
nothing, a moved one sends at its new time; 2027 (no official data yet) is provisional and the
admins are told once, its 元旦 still a day off (the fixed statutory days, workdays/china.py).

The clock ticks every day at 08:30, 10:00 and 17:30 Beijing time (the default steps are at 08:30
and 17:30, meetings end at 10:00), and at 14:00 around the moved meeting, from 2026-09-14 to
2027-01-08. The ticks are the runtime's scheduler's (its plan, claims, catch-up and system jobs)
with the meetings' jobs alone: the other domains' sweeps and reminders (eight more batches a
tick and their planning, four fifths of its time) send nothing this test looks at and have tests
of their own.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from teamassist.clock import ensure_utc
from teamassist.meetings import demo as meetings_demo
from teamassist.meetings.jobs import jobs as meetings_jobs
from teamassist.meetings.models import MeetingOccurrence
from teamassist.outbox.models import OutboxMessage
from teamassist.runtime import Runtime
from teamassist.scheduler.runner import Scheduler
from teamassist.workdays.china import ChinaWorkdays
from tests.okr.support import set_clock
from tests.support.chat import ChatDriver

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIMES = ("08:30", "10:00", "17:30")
EXTRA = {date(2026, 11, 24): ("14:00",), date(2026, 11, 25): ("14:00",)}  # the moved meeting
CORE, TEAM = meetings_demo.CORE_ADDRESS, meetings_demo.TEAM_ADDRESS


def _occurrences(runtime: Runtime) -> dict[str, MeetingOccurrence]:
    with runtime.factory() as session:
        rows = session.scalars(select(MeetingOccurrence))
        found = {row.key: row for row in rows}
        session.expunge_all()
        return found


def _new_sends(runtime: Runtime, seen: set[int]) -> list[OutboxMessage]:
    with runtime.factory() as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.idempotency_key.like("meetings.%"))
                .order_by(OutboxMessage.id)
            )
        )
        session.expunge_all()
    fresh = [row for row in rows if row.id not in seen]
    seen.update(row.id for row in fresh)
    return fresh


def _meetings_ticks(runtime: Runtime) -> Scheduler:
    """The runtime's scheduler with the meetings' jobs alone."""
    whole = runtime.scheduler
    return Scheduler(
        whole.factory,
        [meetings_jobs],
        clock=whole.clock,
        catch_up=whole.catch_up,
        system_jobs=whole.system_jobs,
        after_commit=whole.after_commit,
        ports=whole.ports,
        batch=whole.batch,
    )


def _walk(
    chat: ChatDriver, first: date, last: date, sends: list[tuple[str, str, str]], seen: set[int]
) -> None:
    """Tick through [first, last]; record (key, address, local time) of each meetings send."""
    scheduler = _meetings_ticks(chat.runtime)
    day = first
    while day <= last:
        for hhmm in sorted((*TIMES, *EXTRA.get(day, ()))):
            when = f"{day.isoformat()} {hhmm}"
            set_clock(chat.runtime, when)
            scheduler.tick()
            sends += [(m.idempotency_key, m.address, when) for m in _new_sends(chat.runtime, seen)]
        day += timedelta(days=1)


def _step_sends(sends: list[tuple[str, str, str]], occ: MeetingOccurrence) -> list[str]:
    """``step@address@local time`` of every send of ``occ``'s steps."""
    found = []
    for key, address, when in sends:
        kind, rest = key.split(":", 1)
        if kind.startswith("meetings.") and rest.split(":")[0] == str(occ.id):
            found.append(f"{kind.removeprefix('meetings.')}@{address}@{when}")
    return found


def test_a_quarter_of_meetings(chat: ChatDriver) -> None:
    sends: list[tuple[str, str, str]] = []
    seen: set[int] = set()
    _walk(chat, date(2026, 9, 14), date(2026, 11, 1), sends, seen)

    occ = _occurrences(chat.runtime)
    assert _step_sends(sends, occ["quarterly:2026-09"]) == [
        f"notice@{CORE}@2026-09-18 08:30",
        f"notice@{TEAM}@2026-09-18 08:30",
        f"due@{CORE}@2026-09-28 17:30",
        f"start@{CORE}@2026-09-29 08:30",
        f"start@{TEAM}@2026-09-29 08:30",
        f"evaluation@{TEAM}@2026-09-29 10:00",
    ]
    assert "weekly:2026-09-25" not in occ  # the quarterly meeting replaced that week's
    # National Day: the notice on Thursday 10-08, the deadline not that same day but Friday
    # 10-09, the meeting on the 调休 Saturday 10-10 (a working day)
    assert _step_sends(sends, occ["weekly:2026-10-02"]) == [
        f"notice@{CORE}@2026-10-08 08:30",
        f"due@{CORE}@2026-10-09 17:30",
        f"start@{CORE}@2026-10-10 08:30",
    ]
    assert _step_sends(sends, occ["weekly:2026-10-09"]) == [
        f"notice@{CORE}@2026-10-09 08:30",
        f"due@{CORE}@2026-10-12 17:30",
        f"start@{CORE}@2026-10-13 08:30",
    ]
    # the deadline (11-02) and the meeting (11-03) are still to come
    assert _step_sends(sends, occ["monthly:2026-10"]) == [
        f"notice@{CORE}@2026-10-30 08:30",
        f"notice@{TEAM}@2026-10-30 08:30",
    ]
    notices = [text for text in chat.queued_texts(CORE) if "2026年10月OKR月会将于" in text]
    assert len(notices) == 1
    assert "11月3日（周二）08:30" in notices[0] and meetings_demo.PLACE in notices[0]
    assert "11月2日（周一）17:30" in notices[0] and meetings_demo.VIDEO in notices[0]

    # From chat: cancel the week of 11-13, move the week of 11-20 to Wednesday 14:00.
    set_clock(chat.runtime, "2026-11-02 09:00")
    listing = chat.text("/会议", as_="admin")
    cancelled, moved = occ["weekly:2026-11-13"], occ["weekly:2026-11-20"]
    assert f"[按计划] #{cancelled.id} 11月17日OKR周会" in listing, listing
    reply = chat.text(f"/取消会议 {cancelled.id} 出差", as_="admin")
    assert f"已取消会议 #{cancelled.id}「11月17日OKR周会」" in reply, reply
    refused = chat.text(f"/取消会议 {moved.id}", as_="zhangsan")  # a member may not
    assert refused == "只有管理员、团队负责人或主管才能改期或取消会议。"
    reply = chat.text(f"/改期 {moved.id} 2026-11-25 14:00 客户来访", as_="lihua")
    assert "11月25日（周三）14:00" in reply, reply

    _walk(chat, date(2026, 11, 2), date(2027, 1, 8), sends, seen)
    occ = _occurrences(chat.runtime)
    assert _step_sends(sends, occ["weekly:2026-11-13"]) == []
    # a day later, its notice and deadline with it: Saturday's notice on to Monday
    assert _step_sends(sends, occ["weekly:2026-11-20"]) == [
        f"notice@{CORE}@2026-11-23 08:30",
        f"due@{CORE}@2026-11-24 17:30",
        f"start@{CORE}@2026-11-25 14:00",
    ]
    assert _step_sends(sends, occ["annual:2026-12"]) == [
        f"notice@{CORE}@2026-12-18 08:30",
        f"notice@{TEAM}@2026-12-18 08:30",
        f"due@{CORE}@2026-12-28 17:30",
        f"start@{CORE}@2026-12-29 08:30",
        f"start@{TEAM}@2026-12-29 08:30",
        f"evaluation@{TEAM}@2026-12-29 10:00",
    ]
    annual = [t for t in chat.queued_texts(CORE) if "各位领导，2026年OKR年会将于" in t]
    assert len(annual) == 1 and "下年OKR及下年1季度OKR" in annual[0]

    # Exactly once: no (occurrence, step, channel) twice, and each at its stored step time.
    per_step = Counter((key.split(":")[0], key.split(":")[1], address) for key, address, _ in sends)
    assert max(per_step.values()) == 1, [k for k, n in per_step.items() if n > 1]
    by_id = {o.id: o for o in occ.values()}
    workdays = ChinaWorkdays()
    for key, _address, when in sends:
        kind, occ_id = key.split(":")[0].removeprefix("meetings."), key.split(":")[1]
        if kind in ("provisional", "changed"):
            continue
        row = by_id[int(occ_id)]
        at = {"notice": row.notice_at, "due": row.due_at, "start": row.start_at}.get(
            kind, row.end_at
        )
        assert ensure_utc(at).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == when, key
        day = date.fromisoformat(when[:10])
        assert workdays.is_workday(day) or not workdays.is_official(day.year), key

    # Every Friday of Q4 anchors one meeting: 10 weekly ones and the three period meetings
    # (the weeks of 10-30, 11-27 and 12-25 are theirs); all held but the cancelled one.
    q4 = [o for o in occ.values() if date(2026, 10, 1) <= o.period_end <= date(2026, 12, 31)]
    started = {
        o.key
        for o in occ.values()
        if _step_sends(sends, o) and "start@" in str(_step_sends(sends, o))
    }
    weekly_q4 = sorted(
        k for k in occ if k.startswith("weekly:2026-1") and "2026-10-01" <= k[7:] <= "2026-12-31"
    )
    assert len(weekly_q4) == 10, weekly_q4
    assert set(weekly_q4) - started == {"weekly:2026-11-13"}
    assert {"monthly:2026-10", "monthly:2026-11", "annual:2026-12"} <= started
    assert q4  # period rows exist

    # 2027 has no official holidays yet: its first meeting is provisional, the admin told once
    told = [k for k, address, _ in sends if k.startswith("meetings.provisional:")]
    assert len(told) == 1 and told[0].split(":")[2] == "2027"
    assert occ["weekly:2027-01-01"].provisional
    # ...but 元旦 is a fixed statutory day off even so: its notice waits for Monday 01-04,
    # the deadline for the next working day, the meeting for the day after
    assert _step_sends(sends, occ["weekly:2027-01-01"]) == [
        f"notice@{CORE}@2027-01-04 08:30",
        f"due@{CORE}@2027-01-05 17:30",
        f"start@{CORE}@2027-01-06 08:30",
    ]
