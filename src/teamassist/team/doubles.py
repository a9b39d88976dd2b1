"""Teams of one workspace whose names are one name (``ff0f601``, tester F-15 of session 25:
`team add 第二团队` four times made four 「第二团队」, and 「ＡＢＣ」 beside 「abc」). The check
in ``service.create_team`` keeps new ones single; these are what is left, for ``teamassist
doctor`` (:class:`teamassist.events.StoredDoubles`). Read only: renaming a team is its
admins' call."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.events import Double, StoredDoubles
from teamassist.i18n import t
from teamassist.team.models import Team, Workspace
from teamassist.team.names import team_name_key


def answer(session: Session, _query: StoredDoubles) -> tuple[Double, ...]:
    """Each workspace's teams grouped by :func:`team_name_key`, groups of two or more."""
    groups: dict[tuple[int, str], list[tuple[Team, Workspace]]] = defaultdict(list)
    for team, workspace in session.execute(
        select(Team, Workspace).join(Workspace, Workspace.id == Team.workspace_id).order_by(Team.id)
    ):
        groups[workspace.id, team_name_key(team.name)].append((team, workspace))
    return tuple(
        Double(
            "team.name",
            tuple(team.id for team, _ in rows),
            t(
                "core.doctor.team_names",
                workspace=rows[0][1].name,
                names="、".join(f"「{team.name}」（#{team.id}，{team.key}）" for team, _ in rows),
                count=len(rows),
            ),
        )
        for rows in groups.values()
        if len(rows) > 1
    )
