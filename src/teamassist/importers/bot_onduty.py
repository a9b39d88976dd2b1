"""Import a 值班小助理 (bot-onduty) MySQL database into a workspace: people, the 技术 / 产品
rotations, sign-in history and feedback with its status.

Reading and writing are separate: :func:`read_source` takes a snapshot of the three seed tables
(``t_owner``, ``t_sign``, ``t_feedback``) with plain SELECTs (no values are ever formatted into
SQL); :func:`import_snapshot` writes it through the team, duty and feedback services inside the
caller's transaction. Every source row that became a row here is remembered in
``import_source``, so a second run creates nothing and says what was already there.

Decisions (the seed stores less than we do):

- People are QQ identities ``(qq, <guild id>, owner_id)``; a person already known under that
  identity (they wrote to the bot before) is reused, not duplicated.
- Each seed rotation becomes one rotation (key ``tech`` / ``product``) of daily turns, every day,
  hand-off at 03:00 (the seed's), in ``on_duty_time`` order, starting on the earliest
  ``on_duty_time`` that is not in the past (else today). A team that already has a rotation with
  that key keeps it unchanged (reported as skipped); sign-ins are attached to it.
- Seed times are the bot server's local wall clock: read in the team's time zone, stored in UTC.
- ``feedback_status`` 1 (resolved): the seed never recorded when. ``resolved_at`` and
  ``acknowledged_at`` stay empty (so response-time medians are not distorted by invented times)
  and the history gets one "resolved" step dated at import time, saying the time is unknown.
- ``feedback_status`` 0 (open): imported open, but marked as already followed up, so the desk's
  re-notify/escalation sweep does not fire for years-old items all at once. They show on the board
  and in the hand-off digest like any open item.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from teamassist.clock import local
from teamassist.duty import service as duty_service
from teamassist.duty.models import Rotation, SignIn
from teamassist.enums import Platform, Role
from teamassist.exceptions import NotFound
from teamassist.feedback import service as feedback_service
from teamassist.feedback.models import (
    FeedbackAction,
    FeedbackEvent,
    FeedbackItem,
    FeedbackKind,
    FeedbackStatus,
)
from teamassist.feedback.service import MAX_TEXT, Origin
from teamassist.i18n import t
from teamassist.importers.models import ImportSource
from teamassist.team import service as team_service
from teamassist.team import workspaces
from teamassist.team.models import Member, PlatformTenant, Team, Workspace

SYSTEM = "bot_onduty"
PLATFORM = Platform.QQ.value
TABLES = ("t_owner", "t_sign", "t_feedback")
COLUMNS = {
    "t_owner": ("id", "owner_id", "owner_name", "on_duty_time", "owner_type"),
    "t_sign": ("id", "owner_id", "owner_name", "sign_in_time", "sign_out_time", "date"),
    "t_feedback": (
        "id",
        "feedback_user_id",
        "feedback_user_name",
        "feedback_message_id",
        "feedback_text",
        "create_time",
        "feedback_owner_id",
        "feedback_owner_name",
        "feedback_status",
        "feedback_type",
    ),
}
# The seed's words for its two rotations and two kinds of feedback.
OWNER_TYPES = {"技术": duty_service.KIND_TECH, "产品": duty_service.KIND_PRODUCT}
ROTATION_NAMES = {duty_service.KIND_TECH: "技术", duty_service.KIND_PRODUCT: "产品"}
FEEDBACK_TYPES = {"缺陷": FeedbackKind.BUG, "需求": FeedbackKind.SUGGESTION}
MAX_MESSAGE_ID = 128


class ImportFailed(Exception):
    """The import cannot run at all (source unreachable, tables missing, bad target); the message
    says why in plain words. Nothing was written."""


# -- reading -----------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The seed's rows, as read (column name → value)."""

    owners: list[dict[str, Any]] = field(default_factory=list)
    signs: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)


def _where(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "?"
    return f"{parsed.host or 'localhost'}:{parsed.port or 3306}/{parsed.database or ''}"


def read_source(url: str) -> Snapshot:
    """Read the three seed tables from ``mysql://user:pw@host[:port]/db``."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ImportFailed(t("importer.error.bad_url", url=url)) from exc
    if parsed.get_backend_name() not in ("mysql", "mariadb"):
        raise ImportFailed(t("importer.error.bad_url", url=parsed.render_as_string()))
    if not parsed.database:
        raise ImportFailed(t("importer.error.no_database"))
    # pymysql; the seed's tables are utf8 (3-byte) — read through a utf8mb4 connection, which
    # returns every character they can hold unchanged.
    parsed = parsed.set(drivername="mysql+pymysql").update_query_dict({"charset": "utf8mb4"})
    engine = create_engine(parsed, pool_pre_ping=False, connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            missing = [name for name in TABLES if name not in present]
            if missing:
                raise ImportFailed(
                    t("importer.error.missing_tables", tables=", ".join(missing), where=_where(url))
                )
            snapshot = Snapshot()
            rows: dict[str, list[dict[str, Any]]] = {}
            for table in TABLES:
                columns = ", ".join(f"`{c}`" for c in COLUMNS[table])
                # Table and column names are our constants; the seed gives no values to bind.
                result = connection.execute(text(f"SELECT {columns} FROM `{table}` ORDER BY `id`"))
                rows[table] = [dict(row._mapping) for row in result]
            snapshot.owners, snapshot.signs, snapshot.feedback = (
                rows["t_owner"],
                rows["t_sign"],
                rows["t_feedback"],
            )
            return snapshot
    except SQLAlchemyError as exc:
        reason = (str(getattr(exc, "orig", None) or exc).splitlines() or [type(exc).__name__])[0]
        raise ImportFailed(
            t("importer.error.unreachable", where=_where(url), reason=reason)
        ) from exc
    finally:
        engine.dispose()


# -- the report --------------------------------------------------------------------------------


@dataclass
class Tally:
    """What happened to one kind of source row."""

    created: int = 0
    present: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source id, reason)


@dataclass
class ImportReport:
    """Counts per kind of row: ``members``, ``rotations``, ``sign_ins``, ``feedback``."""

    workspace_key: str
    team_name: str
    team_key: str
    team_id: int
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def lines(self) -> list[str]:
        """The report in words, one line per kind, then each skipped row with its reason. The
        team is the one found, not the ``--team`` as typed: ``３`` may name the team named 1
        (tester s29 G-6)."""
        out = [
            t(
                "importer.header",
                workspace=self.workspace_key,
                team=self.team_name,
                team_key=self.team_key,
                id=self.team_id,
            )
        ]
        for kind in ("members", "rotations", "sign_ins", "feedback"):
            tally = self.tallies[kind]
            out.append(
                t(
                    "importer.line",
                    what=t(f"importer.kind.{kind}"),
                    created=tally.created,
                    present=tally.present,
                    skipped=len(tally.skipped),
                )
            )
            out.extend(
                t(
                    "importer.skipped_line",
                    what=t(f"importer.kind.{kind}"),
                    id=source_id,
                    reason=reason,
                )
                for source_id, reason in tally.skipped
            )
        return out


# -- writing -----------------------------------------------------------------------------------


def _parse_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        raw = value.strip()[:10].replace("/", "-")
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def _to_utc(value: object, tz: str) -> datetime | None:
    """A seed DATETIME (the bot server's local wall clock) as UTC."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return value.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _clean(value: object) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


class _Importer:
    def __init__(
        self,
        session: Session,
        *,
        workspace: Workspace,
        team: Team,
        guild: str,
        now: datetime,
        report: ImportReport,
    ) -> None:
        self.session = session
        self.workspace = workspace
        self.team = team
        self.guild = guild
        self.now = now
        self.report = report
        self.mapped: dict[tuple[str, str], int] = {
            (row.source_table, row.source_id): row.target_id
            for row in session.scalars(
                select(ImportSource).where(
                    ImportSource.workspace_id == workspace.id, ImportSource.source_system == SYSTEM
                )
            )
        }
        self.people_seen: set[int] = set()

    # mapping rows

    def _remember(
        self, source_table: str, source_id: object, target_table: str, target_id: int
    ) -> None:
        key = (source_table, str(source_id))
        self.mapped[key] = target_id
        self.session.add(
            ImportSource(
                workspace_id=self.workspace.id,
                source_system=SYSTEM,
                source_table=source_table,
                source_id=str(source_id),
                target_table=target_table,
                target_id=target_id,
                imported_at=self.now,
            )
        )

    # people

    def person(self, user_key: str, name: str) -> Member:
        """The member behind a QQ user id, enrolled in the team when first seen."""
        tally = self.report.tallies["members"]
        member = team_service.get_member_by_identity(
            self.session,
            workspace=self.workspace,
            platform=PLATFORM,
            tenant_key=self.guild,
            user_key=user_key,
        )
        if member is None:
            member = team_service.enroll(
                self.session,
                workspace=self.workspace,
                team=self.team,
                platform=PLATFORM,
                tenant_key=self.guild,
                user_key=user_key,
                display_name=name,
            )
            self.people_seen.add(member.id)
            tally.created += 1
            return member
        if member.id not in self.people_seen:
            self.people_seen.add(member.id)
            tally.present += 1
            if team_service.role_of(self.session, team=self.team, member=member) is None:
                team_service.set_role(self.session, team=self.team, member=member, role=Role.MEMBER)
        return member

    # t_owner → members and rotations

    def owners(self, rows: list[dict[str, Any]]) -> dict[str, str]:
        """Create people and rotations; returns owner_id → rotation kind (for sign-ins)."""
        kinds: dict[str, str] = {}
        lineups: dict[str, list[tuple[date, int, Member]]] = defaultdict(list)
        for row in rows:
            owner_id = _clean(row["owner_id"])
            raw_type = _clean(row["owner_type"]) or "技术"  # NULL: the column's default
            if not owner_id:
                self.report.tallies["members"].skipped.append(
                    (f"t_owner:{row['id']}", t("importer.reason.no_owner_id"))
                )
                continue
            kind = OWNER_TYPES.get(raw_type)
            if kind is None:
                self.report.tallies["members"].skipped.append(
                    (f"t_owner:{row['id']}", t("importer.reason.owner_type", value=raw_type))
                )
                continue
            member = self.person(owner_id, _clean(row["owner_name"]))
            if ("t_owner", str(row["id"])) not in self.mapped:
                self._remember("t_owner", row["id"], "member", member.id)
            kinds.setdefault(owner_id, kind)
            day = _parse_day(row["on_duty_time"]) or date.max
            if all(m.id != member.id for _, _, m in lineups[kind]):
                lineups[kind].append((day, int(row["id"]), member))
        for kind in (duty_service.KIND_TECH, duty_service.KIND_PRODUCT):
            self.rotation(kind, sorted(lineups.get(kind, []), key=lambda x: (x[0], x[1])))
        return kinds

    def rotation(self, kind: str, lineup: list[tuple[date, int, Member]]) -> None:
        tally = self.report.tallies["rotations"]
        name = ROTATION_NAMES[kind]
        if ("t_owner.owner_type", name) in self.mapped:
            tally.present += 1
            return
        existing = self._rotation(kind)
        if existing is not None:
            tally.skipped.append((name, t("importer.reason.rotation_exists", name=existing.name)))
            return
        if not lineup:
            return  # the seed had nobody of this type: no rotation to make
        today = duty_service.today(self.team, self.now)
        start = min((d for d, _, _ in lineup if d != date.max and d >= today), default=today)
        rotation = duty_service.create_rotation(
            self.session,
            team=self.team,
            key=kind,
            name=name,
            kind=kind,
            members=[m for _, _, m in lineup],
            start_date=start,
            now=self.now,
        )
        self._remember("t_owner.owner_type", name, "duty_rotation", rotation.id)
        tally.created += 1

    def _rotation(self, kind: str) -> Rotation | None:
        return self.session.scalar(
            select(Rotation).where(Rotation.team_id == self.team.id, Rotation.key == kind)
        )

    # t_sign → sign-in history

    def signs(self, rows: list[dict[str, Any]], kinds: dict[str, str]) -> None:
        tally = self.report.tallies["sign_ins"]
        rotations: dict[str, Rotation | None] = {}
        for row in rows:
            source = str(row["id"])
            if ("t_sign", source) in self.mapped:
                tally.present += 1
                continue
            owner_id = _clean(row["owner_id"])
            signed_in = _to_utc(row["sign_in_time"], self.team.timezone)
            if signed_in is None:
                tally.skipped.append((source, t("importer.reason.no_sign_in_time")))
                continue
            kind = kinds.get(owner_id)
            if kind is None:
                tally.skipped.append((source, t("importer.reason.not_in_roster", id=owner_id)))
                continue
            if kind not in rotations:
                rotations[kind] = self._rotation(kind)
            rotation = rotations[kind]
            if rotation is None:
                tally.skipped.append((source, t("importer.reason.no_rotation")))
                continue
            member = self.person(owner_id, _clean(row["owner_name"]))
            duty_date = _parse_day(row["date"]) or local(signed_in, self.team.timezone).date()
            taken = self.session.scalar(
                select(SignIn.id).where(
                    SignIn.rotation_id == rotation.id,
                    SignIn.member_id == member.id,
                    SignIn.duty_date == duty_date,
                )
            )
            if taken is not None:
                tally.skipped.append(
                    (source, t("importer.reason.same_day", date=duty_date.isoformat()))
                )
                continue
            signed_out = _to_utc(row["sign_out_time"], self.team.timezone)
            sign_in = SignIn(
                rotation_id=rotation.id,
                member_id=member.id,
                duty_date=duty_date,
                signed_in_at=signed_in,
                signed_out_at=signed_out if signed_out and signed_out >= signed_in else None,
            )
            self.session.add(sign_in)
            self.session.flush()
            self._remember("t_sign", source, "duty_sign_in", sign_in.id)
            tally.created += 1

    # t_feedback → feedback items

    def feedback(self, rows: list[dict[str, Any]]) -> None:
        tally = self.report.tallies["feedback"]
        for row in rows:
            source = str(row["id"])
            if ("t_feedback", source) in self.mapped:
                tally.present += 1
                continue
            reason = self._feedback_problem(row)
            if reason is not None:
                tally.skipped.append((source, reason))
                continue
            self._feedback_item(row)
            tally.created += 1

    def _feedback_problem(self, row: dict[str, Any]) -> str | None:
        text_ = row["feedback_text"]
        if not isinstance(text_, str) or not text_.strip():
            return t("importer.reason.empty_text")
        if len(text_) > MAX_TEXT:
            return t("importer.reason.too_long", length=len(text_), limit=MAX_TEXT)
        if _to_utc(row["create_time"], self.team.timezone) is None:
            return t("importer.reason.no_create_time")
        if _clean(row["feedback_type"]) not in FEEDBACK_TYPES:
            return t("importer.reason.feedback_type", value=_clean(row["feedback_type"]))
        if row["feedback_status"] not in (None, 0, 1):
            return t("importer.reason.feedback_status", value=row["feedback_status"])
        return None

    def _feedback_item(self, row: dict[str, Any]) -> FeedbackItem:
        created = _to_utc(row["create_time"], self.team.timezone)
        assert created is not None
        reporter_key = _clean(row["feedback_user_id"])
        reporter_name = _clean(row["feedback_user_name"])
        reporter = self.person(reporter_key, reporter_name) if reporter_key else None
        owner_key = _clean(row["feedback_owner_id"])
        owner = self.person(owner_key, _clean(row["feedback_owner_name"])) if owner_key else None
        message_id = _clean(row["feedback_message_id"])
        item = feedback_service.submit(
            self.session,
            team=self.team,
            reporter=reporter,
            kind=FEEDBACK_TYPES[_clean(row["feedback_type"])],
            text=row["feedback_text"],  # exactly as stored
            origin=Origin(
                platform=PLATFORM,
                tenant_key=self.guild,
                message_id=message_id if 0 < len(message_id) <= MAX_MESSAGE_ID else None,
            ),
            owner=owner,
            now=created,
            reporter_name=reporter_name or (reporter.display_name if reporter else ""),
        )
        # Old items are not chased by the follow-up sweep (see the module's notes).
        item.renotified_at = self.now
        item.escalated_at = self.now
        if row["feedback_status"] == 1:
            item.status = FeedbackStatus.RESOLVED.value
            self.session.add(
                FeedbackEvent(
                    item_id=item.id,
                    action=FeedbackAction.RESOLVED.value,
                    actor_id=None,
                    note=t("importer.resolved_note"),
                    detail={"source": SYSTEM, "source_id": row["id"], "resolved_at": None},
                    at=self.now,
                )
            )
        item.updated_at = self.now
        self.session.flush()
        self._remember("t_feedback", row["id"], "feedback_item", item.id)
        return item


def _target(
    session: Session, *, workspace_key: str, team_key: str, guild: str, timezone: str
) -> tuple[Workspace, Team]:
    workspace = team_service.get_workspace_by_key(session, key=workspace_key)
    if workspace is None:
        # a workspace of its own for the import: its first team made as any new team is
        workspace = team_service.create_workspace(session, key=workspace_key, name=workspace_key)
        team = workspaces.add_team(session, workspace=workspace, name=team_key, timezone=timezone)
    else:
        # Into an existing workspace, a team it has (its key, name or #id, as every --team):
        # a typo made a second team named like a key, with no admin, beside the real one.
        try:
            team = workspaces.pick_team(session, workspace, team_key)
        except NotFound as exc:
            known = "、".join(
                f"{row.name}（{row.key}）"
                for row in team_service.get_teams(session, workspace_id=workspace.id)
            )
            raise ImportFailed(
                t("importer.error.no_team", ws=workspace.key, team=team_key[:64], known=known)
            ) from exc
    if guild:
        binding = session.scalar(
            select(PlatformTenant).where(
                PlatformTenant.platform == PLATFORM, PlatformTenant.tenant_key == guild
            )
        )
        if binding is None:
            team_service.bind_tenant(
                session, workspace=workspace, platform=PLATFORM, tenant_key=guild, kind="guild"
            )
        elif binding.workspace_id != workspace.id:
            raise ImportFailed(t("importer.error.guild_elsewhere", guild=guild))
    return workspace, team


def import_snapshot(
    session: Session,
    snapshot: Snapshot,
    *,
    workspace_key: str,
    team_key: str,
    guild: str = "",
    now: datetime,
    timezone: str = "Asia/Shanghai",
) -> ImportReport:
    """Write ``snapshot`` into the workspace (created when missing); flushes, never commits."""
    workspace, team = _target(
        session, workspace_key=workspace_key, team_key=team_key, guild=guild, timezone=timezone
    )
    report = ImportReport(
        workspace_key=workspace.key, team_name=team.name, team_key=team.key, team_id=team.id
    )
    importer = _Importer(
        session, workspace=workspace, team=team, guild=guild, now=now, report=report
    )
    kinds = importer.owners(snapshot.owners)
    importer.signs(snapshot.signs, kinds)
    importer.feedback(snapshot.feedback)
    session.flush()
    return report
