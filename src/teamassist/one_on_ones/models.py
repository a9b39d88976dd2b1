"""1on1 pairs, their occurrences and their agenda items.

A :class:`OneOnOne` is a pair (``manager`` ↔ ``report``) with its slot; a
:class:`OneOnOneMeeting` is one occurrence of it, materialised by rule so a move or a
cancellation persists (``key`` is the rule's, stable); an :class:`AgendaItem` belongs to the
pair and is raised for an occurrence, so an unchecked item carries over by itself to the next
one and a moved occurrence keeps its items. A ``private`` item (a private note) is read by its
author alone: every read goes through :func:`teamassist.one_on_ones.agenda.visible`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamassist.database import Base, UTCDateTime
from teamassist.models import TimestampMixin

SOURCE_KIND = "one_on_one"  # an action item's source: an agenda item's id (one_on_ones.agenda)


class OneOnOne(TimestampMixin, Base):
    """A pair and its slot (``cadence`` None: no slot yet). ``weekday`` is ISO (1 = Monday),
    ``nth`` 1–5 for a monthly slot, ``at`` ``HH:MM`` team-local, ``anchor`` the first day of a
    biweekly series, ``holiday`` ``later``/``earlier``/``keep``."""

    __tablename__ = "one_on_one"
    __table_args__ = (UniqueConstraint("team_id", "manager_id", "report_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    report_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    cadence: Mapped[str | None] = mapped_column(String(16))
    nth: Mapped[int | None] = mapped_column(Integer)
    weekday: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[str | None] = mapped_column(String(5))
    anchor: Mapped[date | None] = mapped_column(Date)
    holiday: Mapped[str] = mapped_column(String(8), default="later")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=45)
    place: Mapped[str] = mapped_column(String(200), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")


class OneOnOneMeeting(TimestampMixin, Base):
    """One occurrence of a pair; ``id`` is the number people type. ``sequence`` is the
    iCalendar SEQUENCE (bumped on every move or cancellation); ``reminded_for`` the local date
    the day-before reminder was sent for (a moved occurrence is reminded again)."""

    __tablename__ = "one_on_one_meeting"
    __table_args__ = (
        UniqueConstraint("pair_id", "key"),
        Index("ix_one_on_one_meeting_team_id_start_at", "team_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    pair_id: Mapped[int] = mapped_column(ForeignKey("one_on_one.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    reminded_for: Mapped[date | None] = mapped_column(Date)


class AgendaItem(TimestampMixin, Base):
    """A topic for a pair's 1on1: shared (both read it) or ``private`` (its author alone).
    ``meeting_id`` is the occurrence it was raised for; ``done_at`` when checked off (and
    ``done_in`` the occurrence it was discussed in); ``action_note`` names the action item
    it was turned into."""

    __tablename__ = "one_on_one_agenda_item"
    __table_args__ = (Index("ix_one_on_one_agenda_item_pair_id_done_at", "pair_id", "done_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("one_on_one.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("one_on_one_meeting.id", ondelete="SET NULL")
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the clock's now, not the row's
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_in: Mapped[int | None] = mapped_column(Integer)
    action_note: Mapped[str | None] = mapped_column(Text)
