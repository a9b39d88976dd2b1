"""The seed's non-director form ``###群名###***我有事儿找组织***内容`` in a DM with the bot.

The group is a chat of the workspace by name (or a team by name or key); the sender must be in
its team (the seed forgot this in its mini-program path and crashed in its chat path). Named,
as in the seed: the director reads "{姓名}：{内容}"; a leading 匿名 makes it anonymous, as with
``/找组织 匿名``: the seed had no anonymous mode, and whoever writes the word means it.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.chat.fallback import Answer, DirectText
from teamassist.exceptions import NotFound
from teamassist.org_contact import messages, service
from teamassist.team.models import Channel, Team
from teamassist.team.names import fold

CONTACT = "我有事儿找组织"
_FORM = re.compile(r"###(?P<group>.+?)###|\*\*\*(?P<command>.+?)\*\*\*", re.DOTALL)


def _team_named(session: Session, workspace_id: int, name: str) -> Team:
    wanted = fold(name.strip())
    for channel in session.scalars(
        select(Channel).where(
            Channel.workspace_id == workspace_id,
            Channel.enabled.is_(True),
            Channel.team_id.is_not(None),
        )
    ):
        if channel.name and fold(channel.name) == wanted:
            team = session.get(Team, channel.team_id)
            if team is not None:
                return team
    for team in session.scalars(select(Team).where(Team.workspace_id == workspace_id)):
        if fold(team.name) == wanted or team.folded_key == wanted:
            return team
    raise NotFound("org_contact.error.unknown_group", group=name.strip()[:60])


def answer(session: Session, query: DirectText) -> Answer | None:
    """Answer ``###G###***我有事儿找组织***内容`` (None for any other text)."""
    group = command = None
    rest: list[str] = []
    at = 0
    for match in _FORM.finditer(query.text):
        rest.append(query.text[at : match.start()])
        at = match.end()
        if match.group("group") is not None and group is None:
            group = match.group("group")
        elif match.group("command") is not None and command is None:
            command = match.group("command").strip()
    rest.append(query.text[at:])
    if command != CONTACT:
        return None
    ctx = query.ctx
    team = _team_named(session, ctx.workspace.id, group) if group else ctx.team
    anonymous, text = service.split_anonymous("".join(rest))
    sent = service.reach(
        session,
        team=team,
        sender=ctx.member,
        text=text,
        anonymous=anonymous,
        now=ctx.now,
        via=ctx.message,
    )
    return Answer(messages.acknowledged(sent))
