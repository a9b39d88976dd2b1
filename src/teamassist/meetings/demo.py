"""The demo team's meetings: its core group and whole-team group (web channels), and the
series' place and video link (fields, not text). Occurrences are planned by the first sweep."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.enums import ChannelPurpose, Platform
from teamassist.team import service as team_service
from teamassist.team.models import Workspace

PLACE = "3号楼2层 大会议室"
VIDEO = "https://meeting.example.com/j/demo-okr"
CORE_ADDRESS = "core-room"
TEAM_ADDRESS = "team-room"


def load(session: Session, workspace: Workspace, now: datetime) -> None:
    """Give the demo team its meeting groups and the series' place and link."""
    team = team_service.default_team(session, workspace_id=workspace.id)
    for address, purpose, name in (
        (CORE_ADDRESS, ChannelPurpose.CORE, "核心群"),
        (TEAM_ADDRESS, ChannelPurpose.TEAM, "全员群"),
    ):
        team_service.create_channel(
            session,
            workspace=workspace,
            platform=Platform.WEB.value,
            address=address,
            purpose=purpose.value,
            name=name,
            team=team,
        )
    every = {"place": PLACE, "video_url": VIDEO}
    series = ("weekly", "monthly", "quarterly", "half_year", "annual")
    settings = dict(team.settings or {})
    settings["meetings"] = {kind: dict(every) for kind in series}
    team.settings = settings
