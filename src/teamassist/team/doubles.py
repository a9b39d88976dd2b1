"""Teams of one workspace whose names are one name (``ff0f601``, tester F-15 of session 25:
`team add 第二团队` four times made four 「第二团队」, and 「ＡＢＣ」 beside 「abc」), daily jobs
set to run more than twelve times a day (before ``92531a8``, tester s27 A-6: every minute), and
channel, workspace and team names with line breaks (before ``2b46fb0``, tester s27 A-9, s28
E-16: a team named 「3\n- 12-24 周四 @假人」 printed a fake roster line). The checks keep new ones
right; these are what is left, for ``teamassist doctor``
(:class:`teamassist.events.StoredDoubles`). Read only: renaming a team or a channel and a
team's job times are its admins' call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamassist.events import Double, StoredDoubles
from teamassist.i18n import t
from teamassist.team.models import Channel, Team, Workspace
from teamassist.team.names import blank, fold, one_line, strip_invisible, team_name_key
from teamassist.team.settings import MAX_TIMES_PER_DAY


def answer(session: Session, query: StoredDoubles) -> tuple[Double, ...]:
    """:func:`team_names`, :func:`crowded_schedules`, :func:`broken_channel_names`,
    :func:`broken_names`, :func:`shared_web_rooms` and :func:`invisible_team_keys`."""
    return (
        *team_names(session, query),
        *crowded_schedules(session),
        *broken_channel_names(session),
        *broken_names(session),
        *shared_web_rooms(session),
        *invisible_team_keys(session),
    )


def crowded_schedules(session: Session) -> tuple[Double, ...]:
    """Each team's daily jobs whose stored times are more than :data:`MAX_TIMES_PER_DAY`
    distinct ones (they still run at every one of them)."""
    found: list[Double] = []
    for team in session.scalars(select(Team).order_by(Team.id)):
        stored = (team.settings or {}).get("schedule") or {}
        for job, times in sorted(stored.items()):
            count = len({times} if isinstance(times, str) else set(times or ()))
            if count > MAX_TIMES_PER_DAY:
                found.append(
                    Double(
                        "team.schedule",
                        (team.id,),
                        t(
                            "core.doctor.crowded_schedule",
                            team=_shown(team.name),
                            team_id=team.id,
                            job=job,
                            count=count,
                            limit=MAX_TIMES_PER_DAY,
                        ),
                    )
                )
    return tuple(found)


def broken_channel_names(session: Session) -> tuple[Double, ...]:
    """Channels whose name :func:`one_line` would change (a line break, a control or an
    invisible character): they print as several lines in replies and lists."""
    channels = {c.id: c for c in session.scalars(select(Channel).order_by(Channel.id))}
    return not_one_line(
        "team.channel_name",
        ((c.id, c.name) for c in channels.values()),
        lambda row_id, clean: t(
            "core.doctor.channel_name",
            id=row_id,
            address=channels[row_id].address[:40],
            clean=clean,
        ),
        broken=lambda name: one_line(name) != name,
    )


def not_one_line(
    kind: str,
    named: Iterable[tuple[int, str]],
    say: Callable[[int, str], str],
    *,
    broken: Callable[[str], bool] | None = None,
) -> tuple[Double, ...]:
    """A :class:`Double` ``kind`` for each ``(id, name)`` whose name is not one line
    (``broken``, default :func:`_not_one_line`), its line ``say(id, the one line it should
    read)`` (cut to 60 characters): the one finder of names stored before the one-line rule
    (``2b46fb0``), for channels, workspaces and teams here and rotations in ``duty.doubles``."""
    check = broken or _not_one_line
    return tuple(
        Double(kind, (row_id,), say(row_id, one_line(name)[:60]))
        for row_id, name in named
        if check(name)
    )


def broken_names(session: Session) -> tuple[Double, ...]:
    """Workspaces and teams whose name :func:`one_line` would change, as
    :func:`broken_channel_names` finds channels (the rule covers all of them since
    ``2b46fb0``; the doctor named only channels and rotations, tester s28 E-16)."""
    workspaces = {w.id: w for w in session.scalars(select(Workspace).order_by(Workspace.id))}
    teams = {team.id: team for team in session.scalars(select(Team).order_by(Team.id))}
    return (
        *not_one_line(
            "team.workspace_name",
            ((w.id, w.name) for w in workspaces.values()),
            lambda row_id, clean: t(
                "core.doctor.workspace_name", id=row_id, ws_key=workspaces[row_id].key, clean=clean
            ),
        ),
        *not_one_line(
            "team.team_name",
            ((team.id, team.name) for team in teams.values()),
            lambda row_id, clean: t(
                "core.doctor.team_name", id=row_id, team_key=teams[row_id].key, clean=clean
            ),
        ),
    )


def invisible_team_keys(session: Session) -> tuple[Double, ...]:
    """Teams whose key holds a character that draws nothing (zero-width, a direction mark, a
    filler: :func:`~teamassist.team.names.blank`), stored before keys were refused so (tester
    s29 F-7): nobody can see or type it, or it reads as another team's key."""
    found: list[Double] = []
    for team in session.scalars(select(Team).order_by(Team.id)):
        hidden = next((c for c in team.key if blank(c)), None)
        if hidden is not None:
            found.append(
                Double(
                    "team.key",
                    (team.id,),
                    t(
                        "core.doctor.team_key",
                        id=team.id,
                        name=_shown(team.name)[:60],
                        code=f"U+{ord(hidden):04X}",
                        clean="".join(c for c in team.key if not blank(c))[:64],
                    ),
                )
            )
    return tuple(found)


def shared_web_rooms(session: Session) -> tuple[Double, ...]:
    """Web channels of two or more teams of a workspace at one address (folded), made before
    a web address was kept one team's whatever the purpose (tester s29 F-2): their notices
    are one feed, which ``/feeds`` now shows to none of those teams' people but the workspace
    owner. An admin moves one to another address."""
    groups: dict[tuple[int, str], list[Channel]] = defaultdict(list)
    firsts = dict(
        session.execute(
            select(Team.workspace_id, func.min(Team.id)).group_by(Team.workspace_id)
        ).all()
    )
    for channel in session.scalars(
        select(Channel).where(Channel.platform == "web").order_by(Channel.id)
    ):
        if not channel.address.startswith("member:"):
            groups[channel.workspace_id, fold(channel.address).strip()].append(channel)
    found: list[Double] = []
    for (workspace_id, address), rows in groups.items():
        teams = {c.team_id or firsts.get(workspace_id) for c in rows}
        if len(teams) > 1:
            found.append(
                Double(
                    "team.web_room",
                    tuple(c.id for c in rows),
                    t(
                        "core.doctor.web_room",
                        address=address[:40],
                        ids="、".join(f"#{c.id}" for c in rows),
                        count=len(teams),
                    ),
                )
            )
    return tuple(found)


def _shown(name: str) -> str:
    """``name`` as a line of the doctor prints it: as stored (its blanks may be what two names
    differ by), made one line only when it is not."""
    return one_line(name) if _not_one_line(name) else name


def _not_one_line(name: str) -> bool:
    """A line break, a control or an invisible character that :func:`one_line` drops; blanks
    around a name or doubled inside it print on one line and are not listed (a team 「 第二团队 」
    is :func:`team_names`' to name, beside 「第二团队」)."""
    kept = name.strip(" \u3000")
    return strip_invisible(kept) != kept or any(c.isspace() and c not in " \u3000" for c in kept)


def team_names(session: Session, _query: StoredDoubles) -> tuple[Double, ...]:
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
                workspace=_shown(rows[0][1].name),
                names="、".join(
                    f"「{_shown(team.name)}」（#{team.id}，{team.key}）" for team, _ in rows
                ),
                count=len(rows),
            ),
        )
        for rows in groups.values()
        if len(rows) > 1
    )
