"""The tick: find the due (job, team) pairs in one query, claim their occurrences in bulk, run
each job for a batch of teams in one transaction.

Claims are ``job_run`` rows with a unique key, written in the transaction that runs the job, so
two runners (or a runner restarted mid-way) never run an occurrence twice and a crash loses
none; occurrences missed while the process was down are caught up on the next tick, as long as
they are younger than ``catch_up``. ``job_due`` holds each (job, team)'s next due time, so an
idle tick reads only an index, whatever the number of teams (see :mod:`.plan`).

A batch runs *bulk*: its runs one after the other without a savepoint each, reading what the
job's ``prepare`` hook preloaded, their notices held back and inserted in one statement at the
end (:mod:`teamassist.preload`). A run that fails having written nothing else loses its held
notices and is recorded as failed for its team alone; one that wrote (or a clash at the final
insert) sends the batch back: it is rolled back and run again with a savepoint per run. A failed
occurrence is retried on later ticks, up to ``MAX_ATTEMPTS``, within the catch-up window.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from teamassist import metrics, preload
from teamassist.clock import Clock, utcnow
from teamassist.database import transaction
from teamassist.outbox.signals import AfterCommit, nothing_after_commit, queued_platforms
from teamassist.ports import Ports
from teamassist.scheduler import plan
from teamassist.scheduler.models import JobDue, JobRun
from teamassist.scheduler.plan import occurrences
from teamassist.scheduler.registry import DailyJob, IntervalJob, JobContext, JobGroup
from teamassist.team.models import Team

__all__ = ["MAX_ATTEMPTS", "Scheduler", "TickReport", "occurrences"]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
SWEEP_HISTORY = timedelta(days=1)  # claims of interval sweeps kept for inspection
BATCH = 500  # teams per transaction
RECONCILE_EVERY = timedelta(hours=1)  # look for teams that have no plan (written past the ORM)

Job = DailyJob | IntervalJob


@dataclass
class TickReport:
    """What one tick ran."""

    ran: list[tuple[str, int, datetime]] = field(default_factory=list)
    failed: list[tuple[str, int, datetime, str]] = field(default_factory=list)


@dataclass
class _Claim:
    """One occurrence this tick won: its run row, team and slot."""

    run_id: int
    team: Team
    slot: datetime
    attempts: int


class _RunFailed(Exception):
    """A run failed during a bulk batch: the batch is run again run by run, without it."""

    def __init__(self, team_id: int, slot: datetime, error: Exception) -> None:
        super().__init__(f"{team_id} {slot}: {error}")
        self.key = (team_id, slot)
        self.error = error


class _WriteCounter:
    """Counts the statements other than SELECT the batch sends on its connection; a run reads
    ``count`` before and after itself (one listener per batch: adding and removing one per run
    cost more than the run's query-free work)."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.count = 0

    def _seen(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.lstrip()[:6].upper().startswith(("SELECT", "BEGIN")):
            self.count += 1

    def __enter__(self) -> _WriteCounter:
        event.listen(self.connection, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.connection, "before_cursor_execute", self._seen)


@dataclass(frozen=True)
class _Declared:
    """The jobs of a scheduler, gathered from its groups once."""

    jobs: list[DailyJob]
    interval_jobs: list[IntervalJob]
    all_jobs: list[Job]
    by_key: dict[str, Job]

    @classmethod
    def of(cls, groups: list[JobGroup]) -> _Declared:
        daily = [job for group in groups for job in group.daily_jobs]
        interval = [job for group in groups for job in group.interval_jobs]
        every: list[Job] = [*daily, *interval]
        return cls(daily, interval, every, {job.key: job for job in every})


class Scheduler:
    """Runs the declared jobs; the same ``tick`` serves APScheduler, a CLI call or Celery beat."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        groups: Iterable[JobGroup] | Callable[[], Iterable[JobGroup]],
        *,
        clock: Clock = utcnow,
        catch_up: timedelta = timedelta(hours=2),
        system_jobs: Iterable[Callable[[], object]] = (),
        after_commit: AfterCommit | None = None,
        ports: Ports | None = None,
        batch: int = BATCH,
    ) -> None:
        self.factory = factory
        self.ports = ports if ports is not None else Ports()
        # A callable is asked on the first use of the jobs (the first tick, or a page listing
        # them): a process whose scheduler never runs never imports the domains' jobs.
        self._groups = groups
        self._declared: _Declared | None = None
        self._declaring = threading.Lock()
        self.clock = clock
        self.catch_up = catch_up
        self.system_jobs = list(system_jobs)
        self.after_commit = after_commit or nothing_after_commit
        self.batch = batch
        self._reconciled_at: datetime | None = None
        plan.install()

    @property
    def jobs(self) -> list[DailyJob]:
        """The daily jobs, in declaration order."""
        return self._declare().jobs

    @property
    def interval_jobs(self) -> list[IntervalJob]:
        """The interval sweeps, in declaration order."""
        return self._declare().interval_jobs

    @property
    def all_jobs(self) -> list[Job]:
        """Every job: the daily ones, then the sweeps."""
        return self._declare().all_jobs

    @property
    def by_key(self) -> dict[str, Job]:
        """Every job by its key."""
        return self._declare().by_key

    def _declare(self) -> _Declared:
        declared = self._declared
        if declared is None:
            with self._declaring:
                if self._declared is None:
                    groups = self._groups() if callable(self._groups) else self._groups
                    self._declared = _Declared.of(list(groups))
                declared = self._declared
        return declared

    # -- the tick ------------------------------------------------------------------------------

    def tick(self) -> TickReport:
        """Run every due, unclaimed occurrence; then the system jobs (outbox, inbox replay)."""
        now = self.clock()
        report = TickReport()
        due = self._plan(now)
        for job in self.all_jobs:
            team_ids = sorted(due.get(job.key, {}))
            for start in range(0, len(team_ids), self.batch):
                chunk = {t: due[job.key][t] for t in team_ids[start : start + self.batch]}
                self._run_batch(job, chunk, now, report)
        self.run_system_jobs()
        return report

    def due_batches(self) -> list[tuple[str, list[int]]]:
        """What :meth:`tick` would run now, as (job key, team ids) batches of at most ``batch``
        teams, for several workers to run in parallel with :meth:`run_teams`.

        Plans first, as ``tick`` does. Nothing is claimed here: a batch handed out twice (two
        beats, a redelivered message) still runs each occurrence once.
        """
        now = self.clock()
        due = self._plan(now)
        batches: list[tuple[str, list[int]]] = []
        for job in self.all_jobs:
            team_ids = sorted(due.get(job.key, {}))
            for start in range(0, len(team_ids), self.batch):
                batches.append((job.key, team_ids[start : start + self.batch]))
        return batches

    def run_teams(self, key: str, team_ids: Sequence[int]) -> TickReport:
        """Run job ``key`` for those of ``team_ids`` that are due now, claimed as ``tick`` claims.

        Due is read again here (a batch may wait in the broker while another runner moves its
        teams on); a job key this runtime does not declare runs nothing.
        """
        job = self.by_key.get(key)
        report = TickReport()
        if job is None or not team_ids:
            return report
        now = self.clock()
        with transaction(self.factory, read_only=True) as session:
            rows = session.execute(
                select(JobDue.team_id, JobDue.due_at).where(
                    JobDue.job_key == key,
                    JobDue.team_id.in_(list(team_ids)),
                    JobDue.due_at <= now,
                )
            ).all()
        due: dict[int, datetime | None] = {row.team_id: row.due_at for row in rows}
        if due:
            self._run_batch(job, due, now, report)
        return report

    def run_system_jobs(self) -> None:
        """The system jobs (inbox replay, retention sweep); one failing does not stop the rest."""
        for system_job in self.system_jobs:
            try:
                system_job()
            except Exception:
                log.exception("system job %r failed", system_job)

    def _plan(self, now: datetime) -> dict[str, dict[int, datetime | None]]:
        """Plan teams without a plan (at most hourly), then read what is due at ``now``."""
        if self._reconciled_at is None or now - self._reconciled_at >= RECONCILE_EVERY:
            self._reconcile(now)
            self._reconciled_at = now
        return self._due(now)

    def run_now(self, key: str, team_id: int, slot: datetime | None = None) -> TickReport:
        """Run one job for one team at ``slot`` (default: now), still claimed once."""
        job = self.by_key[key]
        with transaction(self.factory, read_only=True) as session:
            if session.get(Team, team_id) is None:
                raise LookupError(f"no team {team_id}")
        now = self.clock()
        report = TickReport()
        self._run_batch(job, {team_id: None}, now, report, slots={team_id: [slot or now]})
        return report

    # -- planning ------------------------------------------------------------------------------

    def _reconcile(self, now: datetime) -> None:
        """Plan the jobs of teams that have no ``job_due`` row (new jobs, teams written by SQL)."""
        with transaction(self.factory) as session:
            for job in self.all_jobs:
                missing = (
                    ~select(JobDue.team_id)
                    .where(JobDue.team_id == Team.id, JobDue.job_key == job.key)
                    .exists()
                )
                teams = list(session.scalars(select(Team).where(missing)))
                if teams:
                    self._write_plan(session, [job], teams, now)

    def _due(self, now: datetime) -> dict[str, dict[int, datetime | None]]:
        """{job key: {team id: due time}} of everything due at ``now`` (one query when idle)."""
        with transaction(self.factory, read_only=True) as session:
            rows = session.execute(
                select(JobDue.job_key, JobDue.team_id, JobDue.due_at).where(JobDue.due_at <= now)
            ).all()
        due: dict[str, dict[int, datetime | None]] = {}
        replan: list[int] = []
        stale: list[tuple[str, int]] = []
        for key, team_id, due_at in rows:
            if key == plan.REPLAN:
                replan.append(team_id)
            elif key in self.by_key:
                due.setdefault(key, {})[team_id] = due_at
            else:
                stale.append((key, team_id))  # a job no longer declared by this runtime
        if replan or stale:
            with transaction(self.factory) as session:
                rows_written = []
                for start in range(0, len(replan), self.batch):
                    ids = replan[start : start + self.batch]
                    teams = list(session.scalars(select(Team).where(Team.id.in_(ids))))
                    rows_written += self._write_plan(session, self.all_jobs, teams, now)
                    session.execute(
                        delete(JobDue).where(JobDue.job_key == plan.REPLAN, JobDue.team_id.in_(ids))
                    )
                for key in {key for key, _ in stale}:
                    # A job this runtime no longer declares; one that still does plans it
                    # again at its next reconcile.
                    ids = [team_id for k, team_id in stale if k == key]
                    session.execute(
                        delete(JobDue).where(JobDue.job_key == key, JobDue.team_id.in_(ids))
                    )
            for row in rows_written:
                if row["due_at"] is not None and row["due_at"] <= now:
                    due.setdefault(row["job_key"], {})[row["team_id"]] = row["due_at"]
        return due

    def _write_plan(
        self, session: Session, jobs: Sequence[Job], teams: Sequence[Team], now: datetime
    ) -> list[dict[str, Any]]:
        rows = [r for team in teams for r in plan.planned(jobs, team, now, self.catch_up)]
        if not rows:
            return []
        keys = [job.key for job in jobs]
        for start in range(0, len(teams), self.batch):  # bounded IN lists (SQLite's variables)
            ids = [team.id for team in teams[start : start + self.batch]]
            session.execute(
                delete(JobDue).where(JobDue.team_id.in_(ids), JobDue.job_key.in_(keys)),
                execution_options={"synchronize_session": False},
            )
        dialect = session.get_bind().dialect.name
        session.execute(plan.insert_ignoring_conflicts(dialect, plan.DUE), rows)
        return rows

    # -- one job for a batch of teams ------------------------------------------------------------

    def _run_batch(
        self,
        job: Job,
        due: dict[int, datetime | None],
        now: datetime,
        report: TickReport,
        *,
        slots: dict[int, list[datetime]] | None = None,
    ) -> None:
        """Claim and run ``job`` for the teams in ``due``; bulk first, run by run on a failure."""
        # Runs that failed in the bulk pass: recorded as failed, not run a second time this tick.
        failed: dict[tuple[int, datetime], Exception] = {}
        for bulk in (True, False):
            attempt = TickReport()
            try:
                with transaction(self.factory) as session:
                    preload.set_bulk(session, bulk)
                    ran_any = self._claim_and_run(
                        session, job, due, now, attempt, bulk, slots, failed
                    )
                    preload.set_bulk(session, False)
            except _RunFailed as exc:
                log.error("job %s for team %s at %s failed", job.key, *exc.key, exc_info=exc.error)
                if not isinstance(exc.error, IntegrityError):  # may be an earlier run's flush
                    failed[exc.key] = exc.error
                continue
            except Exception:
                if bulk:  # e.g. a notice clashed at flush: find the run that caused it
                    log.info("bulk batch of %s failed; running it run by run", job.key)
                    continue
                log.exception("batch of %s failed; its teams are retried on the next tick", job.key)
                return
            report.ran.extend(attempt.ran)
            report.failed.extend(attempt.failed)
            if ran_any:
                self.after_commit(queued_platforms(session))
            return

    def _claim_and_run(
        self,
        session: Session,
        job: Job,
        due: dict[int, datetime | None],
        now: datetime,
        report: TickReport,
        bulk: bool,
        forced: dict[int, list[datetime]] | None,
        failed_before: dict[tuple[int, datetime], Exception],
    ) -> bool:
        teams = {t.id: t for t in session.scalars(select(Team).where(Team.id.in_(list(due))))}
        wanted: dict[int, list[datetime]] = {}
        bad: set[int] = set()
        memo: dict[tuple[Any, ...], list[datetime]] = {}
        for team_id, team in teams.items():
            if forced is not None:
                wanted[team_id] = forced[team_id]
                continue
            try:
                wanted[team_id] = self._slots(job, team, due[team_id], now, memo)
            except ValueError:
                log.error("team %s has a bad time for %s; skipped", team_id, job.key)
                bad.add(team_id)
        if isinstance(job, IntervalJob) and job.candidates is not None and forced is None:
            # One set query for the batch instead of a claim and a run per team: the teams
            # with nothing to do are only moved on to the next slot (in ``_replan``).
            chosen = job.candidates(session, [teams[t] for t in sorted(wanted)], now, self.ports)
            wanted = {team_id: slots for team_id, slots in wanted.items() if team_id in chosen}
        claims = self._claim(session, job, teams, wanted, now)
        metrics.job_lateness(job.key, [(now - claim.slot).total_seconds() for claim in claims])
        if claims and job.prepare is not None:
            job.prepare(session, [c.team for c in claims], now)
        failed: dict[int, list[datetime]] = {}
        done: list[int] = []
        with _WriteCounter(session) as writes:
            errors = [
                failed_before.get((claim.team.id, claim.slot))
                or self._run(session, job, claim, now, writes if bulk else None)
                for claim in claims
            ]
        for claim, error in zip(claims, errors, strict=True):
            if error is None:
                done.append(claim.run_id)
                report.ran.append((job.key, claim.team.id, claim.slot))
                continue
            report.failed.append((job.key, claim.team.id, claim.slot, str(error)))
            self._record_failure(session, job, claim, now, error)
            if isinstance(job, IntervalJob) or claim.attempts < MAX_ATTEMPTS:
                failed.setdefault(claim.team.id, []).append(claim.slot)
        preload.flush_deferred(session)  # the bulk runs' notices, one INSERT
        if isinstance(job, IntervalJob) and forced is None:
            # A sweep's past claims protect nothing once a later slot is claimed; keep a day
            # of them to look at, not one row per interval forever.
            session.execute(
                delete(JobRun).where(
                    JobRun.job_key == job.key, JobRun.slot_at < job.slot(now) - SWEEP_HISTORY
                )
            )
        if forced is None:
            self._replan(session, job, teams, due, failed, bad, now)
        return bool(done)

    def _slots(
        self,
        job: Job,
        team: Team,
        due_at: datetime | None,
        now: datetime,
        memo: dict[tuple[Any, ...], list[datetime]],
    ) -> list[datetime]:
        """The team's occurrences to run now; ``memo`` shares them between the teams of a
        batch with the same zone, times and due time (most of them)."""
        if isinstance(job, IntervalJob):
            return [job.slot(now)]
        start = now - self.catch_up
        if due_at is not None:
            start = max(start, due_at - plan.MICROSECOND)
        key = (team.timezone, tuple(job.times_for(team)), start)
        found = memo.get(key)
        if found is None:
            found = memo[key] = occurrences(job, team, start, now)
        return list(found)

    def _claim(
        self,
        session: Session,
        job: Job,
        teams: dict[int, Team],
        wanted: dict[int, list[datetime]],
        now: datetime,
    ) -> list[_Claim]:
        """Claim the wanted occurrences in three statements: read, insert new, take retries."""
        pairs = {(team_id, slot) for team_id, slots in wanted.items() for slot in slots}
        if not pairs:
            return []
        ids = sorted({team_id for team_id, _ in pairs})
        earliest = min(slot for _, slot in pairs)
        existing = {
            (row.team_id, row.slot_at): row
            for row in session.execute(
                select(
                    JobRun.id, JobRun.team_id, JobRun.slot_at, JobRun.status, JobRun.attempts
                ).where(
                    JobRun.job_key == job.key,
                    JobRun.team_id.in_(ids),
                    JobRun.slot_at >= earliest,
                )
            )
        }
        swept = {team_id for team_id, _ in existing}  # a sweep's slot (or a later one) is taken
        token = secrets.token_hex(16)
        fresh = [
            {
                "job_key": job.key,
                "team_id": team_id,
                "slot_at": slot,
                "status": "done",
                "attempts": 1,
                "started_at": now,
                "finished_at": now,
                "claim": token,
            }
            for team_id, slot in sorted(pairs)
            if (team_id, slot) not in existing
            and not (isinstance(job, IntervalJob) and team_id in swept)
        ]
        retry = [
            row.id
            for key, row in existing.items()
            if key in pairs
            and isinstance(job, DailyJob)
            and row.status == "failed"
            and row.attempts < MAX_ATTEMPTS
        ]
        if fresh:
            dialect = session.get_bind().dialect.name
            session.execute(plan.insert_ignoring_conflicts(dialect, plan.RUN), fresh)
        if retry:
            session.execute(
                update(JobRun)
                .where(
                    JobRun.id.in_(retry),
                    JobRun.status == "failed",
                    JobRun.attempts < MAX_ATTEMPTS,
                )
                .values(
                    claim=token,
                    status="done",
                    attempts=JobRun.attempts + 1,
                    finished_at=now,
                    error=None,
                ),
                execution_options={"synchronize_session": False},
            )
        if not fresh and not retry:
            return []
        won = session.execute(
            select(JobRun.id, JobRun.team_id, JobRun.slot_at, JobRun.attempts).where(
                JobRun.job_key == job.key,
                JobRun.team_id.in_(ids),
                JobRun.slot_at >= earliest,
                JobRun.claim == token,
            )
        ).all()
        claims = [_Claim(row.id, teams[row.team_id], row.slot_at, row.attempts) for row in won]
        return sorted(claims, key=lambda c: (c.slot, c.team.id))

    def _run(
        self, session: Session, job: Job, claim: _Claim, now: datetime, bulk: _WriteCounter | None
    ) -> Exception | None:
        """Run one claim; in a bulk batch (``bulk``: the batch's write counter) without a
        savepoint, raising :class:`_RunFailed` if it failed having written."""
        team = claim.team
        context = JobContext(
            session=session,
            team=team,
            key=job.key,
            slot_at=claim.slot,
            local_date=claim.slot.astimezone(ZoneInfo(team.timezone)).date(),
            now=now,
            ports=self.ports,
        )
        if bulk is not None:
            mark = preload.deferred_mark(session)
            before = bulk.count
            try:
                job.handler(context)
            except Exception as exc:
                wrote = bulk.count != before
                if wrote or session.new or session.dirty or session.deleted:
                    # Its writes cannot be taken back alone: redo the batch.
                    raise _RunFailed(team.id, claim.slot, exc) from exc
                # It wrote nothing but notices held back for the batch: drop them.
                preload.drop_deferred(session, mark)
                log.exception("job %s for team %s at %s failed", job.key, team.id, claim.slot)
                return exc
            return None
        try:
            with session.begin_nested():
                job.handler(context)
        except Exception as exc:
            log.exception("job %s for team %s at %s failed", job.key, team.id, claim.slot)
            return exc
        return None

    def _record_failure(
        self, session: Session, job: Job, claim: _Claim, now: datetime, exc: Exception
    ) -> None:
        if isinstance(job, IntervalJob):
            # No claim stays behind: the sweep runs again on the next tick.
            session.execute(delete(JobRun).where(JobRun.id == claim.run_id))
            return
        session.execute(
            update(JobRun)
            .where(JobRun.id == claim.run_id)
            .values(status="failed", finished_at=now, error=f"{type(exc).__name__}: {exc}"),
            execution_options={"synchronize_session": False},
        )

    def _replan(
        self,
        session: Session,
        job: Job,
        teams: dict[int, Team],
        due: dict[int, datetime | None],
        failed: dict[int, list[datetime]],
        bad: set[int],
        now: datetime,
    ) -> None:
        """Move each team's due time past ``now``, or to its earliest run to retry."""
        moved: dict[datetime | None, list[int]] = {}  # next due time: its teams
        memo: dict[tuple[str, tuple[str, ...]], datetime | None] = {}
        on_time: list[int] = []  # a sweep's teams that simply move on to its next slot
        for team_id in due:
            team = teams.get(team_id)
            if team is None:
                session.execute(delete(JobDue).where(JobDue.team_id == team_id))
                continue
            if team_id in failed:
                next_at: datetime | None = min(failed[team_id])
            elif team_id in bad:
                next_at = now + timedelta(days=1)
            elif isinstance(job, IntervalJob):
                on_time.append(team_id)
                continue
            else:  # the same for every team with the same zone and times
                key = (team.timezone, tuple(job.times_for(team)))
                if key not in memo:
                    memo[key] = plan.next_due(job, team, now)
                next_at = memo[key]
            moved.setdefault(next_at, []).append(team_id)
        for next_at, ids in moved.items():
            # One UPDATE per due time (the batch's teams mostly share one): an executemany by
            # primary key was a statement per team, 500 a batch on PostgreSQL (pipelined, but
            # each executed) and a round trip per team on MySQL.
            session.execute(
                update(plan.DUE)
                .where(plan.DUE.c.job_key == job.key, plan.DUE.c.team_id.in_(ids))
                .values(due_at=next_at)
            )
        if on_time and isinstance(job, IntervalJob):
            # Every such team's next slot is the same instant: one UPDATE for the batch (an
            # executemany still costs a row round trip per team on MySQL).
            session.execute(
                update(plan.DUE)
                .where(plan.DUE.c.job_key == job.key, plan.DUE.c.team_id.in_(on_time))
                .values(due_at=plan.next_due(job, teams[on_time[0]], now))
            )
