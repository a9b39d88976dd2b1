"""Report packs, the per-team template overrides they are rendered from, members' weekly
entries, and the reading meetings held on a pack."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime
from teamassist.models import TimestampMixin


class ReportTemplate(TimestampMixin, Base):
    """A team's override of a report kind's default template text (Jinja2 producing
    Markdown); validated before it is stored, so a stored one always renders."""

    __tablename__ = "report_template"
    __table_args__ = (UniqueConstraint("team_id", "kind", name="uq_report_template_team_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))


class WeeklyEntry(TimestampMixin, Base):
    """What one member writes for one week (``week_start``: that week's Monday, team-local):
    last week's priorities done / not done, next week's, risks, requests for help. Each field
    is lines of text; a later ``/周报`` of the same field replaces it."""

    __tablename__ = "report_weekly_entry"
    __table_args__ = (
        UniqueConstraint("team_id", "member_id", "week_start", name="uq_report_weekly_entry"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    done: Mapped[str] = mapped_column(Text, default="")
    not_done: Mapped[str] = mapped_column(Text, default="")
    next: Mapped[str] = mapped_column(Text, default="")
    risks: Mapped[str] = mapped_column(Text, default="")
    help: Mapped[str] = mapped_column(Text, default="")


class ReportPack(TimestampMixin, Base):
    """One generated document: its Markdown snapshot (the .docx and PDF are rendered from it
    on download). ``person_id`` set: a per-person document, readable by that person and the
    team's director only. ``occurrence_id``: the meeting occurrence it was built for (one pack
    per occurrence and person; asked again, the same pack is returned)."""

    __tablename__ = "report_pack"
    __table_args__ = (
        UniqueConstraint(
            "team_id", "occurrence_key", "person_key", name="uq_report_pack_occurrence"
        ),
        Index("ix_report_pack_team_id_period_end", "team_id", "period_end"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    # ``occ:<meeting occurrence id>`` or ``adhoc:<uuid>``; with person_key (0: the team's
    # document) unique per team, so a redelivered ask never builds a second pack.
    occurrence_key: Mapped[str] = mapped_column(String(64))
    person_key: Mapped[int] = mapped_column(Integer, default=0)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    markdown: Mapped[str] = mapped_column(Text)
    # The pre-read deadline (the meeting's report-due instant), when a meeting gave one.
    read_by: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReadingSession(TimestampMixin, Base):
    """A reading meeting (飞阅会) on a pack: the read window opened from chat, closed at the
    end with its decisions recorded."""

    __tablename__ = "report_reading"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("report_pack.id", ondelete="CASCADE"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_until: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReadingMark(Base):
    """Someone has read the pack (once per person and reading; a repeat changes nothing)."""

    __tablename__ = "report_reading_mark"
    __table_args__ = (UniqueConstraint("reading_id", "member_id", name="uq_report_reading_mark"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reading_id: Mapped[int] = mapped_column(
        ForeignKey("report_reading.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReadingNote(Base):
    """An open question asked while reading (``question``), or at the end a decision
    (``decision``) or an action item (``action``: ``action_note`` names the item opened)."""

    __tablename__ = "report_reading_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reading_id: Mapped[int] = mapped_column(
        ForeignKey("report_reading.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    action_note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
