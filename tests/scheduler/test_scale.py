"""The set-based tick: statements per tick do not grow with the number of teams.

Counting statements (an SQLAlchemy event) is the noise-free proof of "flat": a tick that read
or wrote per team would issue more statements for 24 teams than for 6. Timings are left to
``benchmarks/scheduler_scale.py`` (``make bench``).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import scheduler_scale


def test_statements_per_tick_do_not_grow_with_the_teams(tmp_path: Path) -> None:
    small, large = (
        scheduler_scale.measure(f"sqlite:///{tmp_path}/sched-{n}.db", n, "SQLite", batch=100)
        for n in (6, 24)
    )
    for figures in (small, large):
        assert figures.notices["morning"] == figures.teams  # one public channel each
        assert figures.notices["reminders"] == 3 * figures.teams  # three slots, nobody signed in
        assert figures.notices["idle"] == 0
    for phase in ("morning", "idle", "reminders", "calendar"):
        assert large.statements[phase] == small.statements[phase], phase
    assert small.statements["idle"] <= 2  # BEGIN and the one indexed query of job_due
    assert len(scheduler_scale.report([small, large])) == 7


def test_a_batch_larger_than_the_limit_is_split(tmp_path: Path) -> None:
    # 24 teams in batches of 10: three transactions per job, still nothing per team.
    split = scheduler_scale.measure(f"sqlite:///{tmp_path}/split.db", 24, "SQLite", batch=10)
    whole = scheduler_scale.measure(f"sqlite:///{tmp_path}/whole.db", 24, "SQLite", batch=100)
    assert split.notices == whole.notices
    assert split.statements["morning"] < 4 * whole.statements["morning"]


def test_a_slot_of_sweeps_with_nothing_due_costs_nothing_per_team(tmp_path: Path) -> None:
    # Given every domain's sweeps for 6 and for 18 teams with nothing to do in the slot
    small, large = (
        scheduler_scale.measure_sweeps(f"sqlite:///{tmp_path}/sweeps-{n}.db", n, "SQLite")
        for n in (6, 18)
    )
    # Then set-based the slot claims and runs no team and costs the same statements for both;
    # per team (the hooks off) it ran every team's every sweep
    for figures in (small, large):
        assert figures.ran["set-based"] == [0, 0]
        # follow-ups, meeting steps, award phases, departures taking effect
        assert figures.ran["per team"] == [4 * figures.teams]
    assert large.statements["set-based"] == small.statements["set-based"]
    assert large.statements["per team"][0] > small.statements["per team"][0]
    assert len(scheduler_scale.sweeps_report([small, large])) == 4
