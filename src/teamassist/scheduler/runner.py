"""The tick: find due occurrences, claim each in the database, run it in its own transaction.

Claims are rows with a unique key, so two runners (or a runner restarted mid-way) never run an
occurrence twice — a daily job's occurrence or an interval sweep's slot alike — and occurrences
missed while the process was down are caught up on the next tick, as long as they are younger
than ``catch_up_minutes``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from teamassist.clock import Clock, parse_hhmm, utcnow
from teamassist.database import transaction
from teamassist.ports import Ports
from teamassist.scheduler.models import JobRun
from teamassist.scheduler.registry import DailyJob, IntervalJob, JobContext, JobGroup
from teamassist.team.models import Team

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
SWEEP_HISTORY = timedelta(days=1)  # claims of interval sweeps kept for inspection


@dataclass
class TickReport:
    """What one tick ran."""

    ran: list[tuple[str, int, datetime]] = field(default_factory=list)
    failed: list[tuple[str, int, datetime, str]] = field(default_factory=list)


def occurrences(job: DailyJob, team: Team, start: datetime, end: datetime) -> list[datetime]:
    """The job's occurrences for ``team`` in (start, end], as UTC datetimes."""
    zone = ZoneInfo(team.timezone)
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    found: list[datetime] = []
    day = first
    while day <= last:
        for value in job.times_for(team):
            slot = datetime.combine(day, parse_hhmm(value), tzinfo=zone).astimezone(ZoneInfo("UTC"))
            if start < slot <= end:
                found.append(slot)
        day += timedelta(days=1)
    return sorted(found)


class Scheduler:
    """Runs the declared jobs; the same ``tick`` serves APScheduler, a CLI call or Celery beat."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        groups: Iterable[JobGroup],
        *,
        clock: Clock = utcnow,
        catch_up: timedelta = timedelta(hours=2),
        system_jobs: Iterable[Callable[[], object]] = (),
        after_commit: Callable[[], None] | None = None,
        ports: Ports | None = None,
    ) -> None:
        self.factory = factory
        self.ports = ports if ports is not None else Ports()
        groups = list(groups)
        self.jobs = [job for group in groups for job in group.daily_jobs]
        self.interval_jobs = [job for group in groups for job in group.interval_jobs]
        self.clock = clock
        self.catch_up = catch_up
        self.system_jobs = list(system_jobs)
        self.after_commit = after_commit or (lambda: None)

    def tick(self) -> TickReport:
        """Run every due, unclaimed occurrence; then the system jobs (outbox, inbox replay)."""
        now = self.clock()
        report = TickReport()
        with transaction(self.factory) as session:
            teams = list(session.scalars(select(Team).order_by(Team.id)))
            session.expunge_all()
        for team in teams:
            for job in self.jobs:
                try:
                    slots = occurrences(job, team, now - self.catch_up, now)
                except ValueError:
                    log.error("team %s has a bad time for %s; skipped", team.id, job.key)
                    continue
                for slot in slots:
                    self._run_one(job, team, slot, now, report)
            for sweep in self.interval_jobs:
                self._sweep(sweep, team, now, report)
        for system_job in self.system_jobs:
            try:
                system_job()
            except Exception:
                log.exception("system job %r failed", system_job)
        return report

    def run_now(self, key: str, team_id: int, slot: datetime | None = None) -> TickReport:
        """Run one job for one team at ``slot`` (default: now), still claimed once."""
        report = TickReport()
        job = next(j for j in self.jobs if j.key == key)
        with transaction(self.factory) as session:
            team = session.get(Team, team_id)
            if team is None:
                raise LookupError(f"no team {team_id}")
            session.expunge(team)
        now = self.clock()
        self._run_one(job, team, slot or now, now, report)
        return report

    def _run_one(
        self, job: DailyJob, team: Team, slot: datetime, now: datetime, report: TickReport
    ) -> None:
        with transaction(self.factory) as session:
            previous = session.scalar(
                select(JobRun).where(
                    JobRun.job_key == job.key, JobRun.team_id == team.id, JobRun.slot_at == slot
                )
            )
            if previous is not None and (
                previous.status == "done" or previous.attempts >= MAX_ATTEMPTS
            ):
                return
            attempts = previous.attempts + 1 if previous else 1
        try:
            with transaction(self.factory) as session:
                live_team = session.get(Team, team.id)
                if live_team is None:
                    return
                if previous is None:
                    session.add(
                        JobRun(
                            job_key=job.key,
                            team_id=team.id,
                            slot_at=slot,
                            status="done",
                            attempts=1,
                            started_at=now,
                            finished_at=now,
                        )
                    )
                    # Flush first: losing the claim race must stop us before the job runs.
                    session.flush()
                else:
                    row = session.get(JobRun, previous.id)
                    if row is None or row.status == "done":
                        return
                    row.status, row.attempts, row.finished_at, row.error = (
                        "done",
                        attempts,
                        now,
                        None,
                    )
                zone = ZoneInfo(live_team.timezone)
                job.handler(
                    JobContext(
                        session=session,
                        team=live_team,
                        key=job.key,
                        slot_at=slot,
                        local_date=slot.astimezone(zone).date(),
                        now=now,
                        ports=self.ports,
                    )
                )
            self.after_commit()
            report.ran.append((job.key, team.id, slot))
        except IntegrityError:
            return  # another runner claimed this occurrence first
        except Exception as exc:
            log.exception("job %s for team %s at %s failed", job.key, team.id, slot)
            report.failed.append((job.key, team.id, slot, str(exc)))
            self._record_failure(job, team, slot, now, attempts, exc)

    def _sweep(self, job: IntervalJob, team: Team, now: datetime, report: TickReport) -> None:
        slot = job.slot(now)
        claimed = False
        try:
            with transaction(self.factory) as session:
                # The claim is a job_run row (job key, team, slot), as for daily jobs, in the
                # sweep's own transaction: a failed sweep leaves no claim and runs again on the
                # next tick; a second runtime on the same database loses the insert and skips.
                if session.scalar(
                    select(JobRun.id).where(
                        JobRun.job_key == job.key,
                        JobRun.team_id == team.id,
                        JobRun.slot_at >= slot,
                    )
                ):
                    return
                session.add(
                    JobRun(
                        job_key=job.key,
                        team_id=team.id,
                        slot_at=slot,
                        status="done",
                        attempts=1,
                        started_at=now,
                        finished_at=now,
                    )
                )
                session.flush()  # losing the claim race must stop us before the sweep runs
                claimed = True
                # A sweep's past claims protect nothing once a later slot is claimed; keep a
                # day of them to look at, not one row per interval forever.
                session.execute(
                    delete(JobRun).where(
                        JobRun.job_key == job.key,
                        JobRun.team_id == team.id,
                        JobRun.slot_at < slot - SWEEP_HISTORY,
                    )
                )
                live_team = session.get(Team, team.id)
                if live_team is None:
                    return
                job.handler(
                    JobContext(
                        session=session,
                        team=live_team,
                        key=job.key,
                        slot_at=slot,
                        local_date=slot.astimezone(ZoneInfo(live_team.timezone)).date(),
                        now=now,
                        ports=self.ports,
                    )
                )
            self.after_commit()
            report.ran.append((job.key, team.id, slot))
        except IntegrityError:
            if not claimed:
                return  # another runner claimed this slot first
            log.exception("sweep %s for team %s failed", job.key, team.id)
            report.failed.append((job.key, team.id, slot, "IntegrityError"))
        except Exception as exc:  # no claim stays behind: retried on the next tick
            log.exception("sweep %s for team %s failed", job.key, team.id)
            report.failed.append((job.key, team.id, slot, str(exc)))

    def _record_failure(
        self,
        job: DailyJob,
        team: Team,
        slot: datetime,
        now: datetime,
        attempts: int,
        exc: Exception,
    ) -> None:
        try:
            with transaction(self.factory) as session:
                row = session.scalar(
                    select(JobRun).where(
                        JobRun.job_key == job.key, JobRun.team_id == team.id, JobRun.slot_at == slot
                    )
                )
                if row is None:
                    session.add(
                        JobRun(
                            job_key=job.key,
                            team_id=team.id,
                            slot_at=slot,
                            status="failed",
                            attempts=attempts,
                            started_at=now,
                            finished_at=now,
                            error=f"{type(exc).__name__}: {exc}",
                        )
                    )
                else:
                    row.status, row.attempts = "failed", attempts
                    row.error = f"{type(exc).__name__}: {exc}"
        except IntegrityError:
            pass
