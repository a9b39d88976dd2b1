"""Recording stand-ins for the workspace ports, put in for one platform of a runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.ports import Calendar, CalendarEntry, DocumentDraft, Documents, TaskMirror, Tasks
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from teamassist.team.platform_tools import TeamCalendar, TeamDocuments, TeamTasks


@dataclass
class Recorder:
    """Remembers each call (team id, what was asked); ``link`` is what publish answers."""

    tasks: list[tuple[int, TaskMirror]] = field(default_factory=list)
    entries: list[tuple[int, CalendarEntry]] = field(default_factory=list)
    drafts: list[tuple[int, DocumentDraft]] = field(default_factory=list)
    link: str = "https://docs.example.test/doc-1"

    def mirror(self, session: Session, *, team: Team, task: TaskMirror, now: datetime) -> None:
        self.tasks.append((team.id, task))

    def schedule(
        self, session: Session, *, team: Team, entry: CalendarEntry, now: datetime
    ) -> None:
        self.entries.append((team.id, entry))

    def publish(self, session: Session, *, team: Team, draft: DocumentDraft, now: datetime) -> str:
        self.drafts.append((team.id, draft))
        return self.link


def record_for(runtime: Runtime, platform: str) -> Recorder:
    """A recorder serving every port for the teams on ``platform``."""
    recorder = Recorder()
    tasks = runtime.ports.get(Tasks)
    calendar = runtime.ports.get(Calendar)
    documents = runtime.ports.get(Documents)
    assert isinstance(tasks, TeamTasks) and isinstance(calendar, TeamCalendar)
    assert isinstance(documents, TeamDocuments)
    tasks.platforms[platform] = recorder
    calendar.platforms[platform] = recorder
    documents.platforms[platform] = recorder
    return recorder
