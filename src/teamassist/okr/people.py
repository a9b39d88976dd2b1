"""Who owns and who contributes to an O or KR: changing them (chat ``/负责人`` and
``/新建KR … 负责人 @张三 协作 @李四``, REST ``owner``/``contributors``, one function) and reading
them for many Os at once, with who has left flagged (never dropped: their Os stay listed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.exceptions import Invalid
from teamassist.okr import objectives as okr
from teamassist.okr.models import Contributor, Cycle, KeyResult, Objective
from teamassist.okr.stale import departed
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

OBJECTIVE = "objective"
KEY_RESULT = "key_result"
MAX_CONTRIBUTORS = 20


def _usable(session: Session, team: Team, member: Member) -> Member:
    if member.workspace_id != team.workspace_id:
        raise Invalid("core.error.unknown_member", who=member.display_name[:64])
    if departed(member):
        raise Invalid("okr.error.member_left", who=member.display_name[:64])
    return okr.require_team_person(session, team=team, member=member)


def set_people(
    session: Session,
    *,
    team: Team,
    objective: Objective,
    key_result: KeyResult | None = None,
    owner: Member | None = None,
    contributors: Sequence[Member] | None = None,
    now: datetime,
) -> None:
    """Give the O (or its KR ``key_result``) a new ``owner`` and/or replace its
    ``contributors`` (None: unchanged; ``[]``: none). Invalid when someone has left, is of
    another team or workspace, or there are more than 20; Conflict once the cycle is closed.
    The owner is never listed as a contributor too. Nothing changes when it is refused."""
    cycle = session.get(Cycle, objective.cycle_id)
    assert cycle is not None
    okr.require_open(cycle, team, now)
    if owner is not None:
        _usable(session, team, owner)
    chosen: list[Member] | None = None
    if contributors is not None:
        chosen = [_usable(session, team, m) for m in dict.fromkeys(contributors)]
        if len(chosen) > MAX_CONTRIBUTORS:
            raise Invalid("okr.error.too_many_contributors", limit=MAX_CONTRIBUTORS)
    target = key_result if key_result is not None else objective
    if owner is not None:
        target.owner_id = owner.id
    if chosen is None and owner is not None:  # keep the others, drop the new owner
        ids = okr.contributors(session, target_type=_kind(key_result), target_id=target.id)
        known = team_service.members_by_id(session, ids)
        chosen = [known[i] for i in ids if i in known]
    if chosen is not None:
        kept = [m for m in chosen if m.id != target.owner_id]
        okr.set_contributors(
            session, target_type=_kind(key_result), target_id=target.id, members=kept
        )
    session.flush()


def _kind(key_result: KeyResult | None) -> str:
    return KEY_RESULT if key_result is not None else OBJECTIVE


@dataclass(frozen=True)
class People:
    """Contributors of many Os and KRs and the members named, loaded in two queries."""

    contributors: Mapping[tuple[str, int], list[int]] = field(default_factory=dict)
    members: Mapping[int, Member] = field(default_factory=dict)

    def of(self, target_type: str, target_id: int) -> list[int]:
        """Contributor ids of an O (``objective``) or KR (``key_result``)."""
        return self.contributors.get((target_type, target_id), [])

    def name(self, member_id: int | None) -> str | None:
        """A member's display name (None when unknown)."""
        member = self.members.get(member_id) if member_id is not None else None
        return member.display_name if member is not None else None

    def left(self, member_id: int | None) -> bool:
        """Whether the member has left (deactivated or merged)."""
        return member_id is not None and departed(self.members.get(member_id))


def load(
    session: Session,
    *,
    objective_ids: Iterable[int],
    key_result_ids: Iterable[int] = (),
    owner_ids: Iterable[int | None] = (),
) -> People:
    """The contributors of these Os and KRs, and every member they and ``owner_ids`` name."""
    wanted = {(OBJECTIVE, i) for i in objective_ids} | {(KEY_RESULT, i) for i in key_result_ids}
    found: dict[tuple[str, int], list[int]] = {}
    ids = {OBJECTIVE: [i for k, i in wanted if k == OBJECTIVE]}
    ids[KEY_RESULT] = [i for k, i in wanted if k == KEY_RESULT]
    for kind, chosen in ids.items():
        if not chosen:
            continue
        rows = session.execute(
            select(Contributor.target_id, Contributor.member_id)
            .where(Contributor.target_type == kind, Contributor.target_id.in_(chosen))
            .order_by(Contributor.id)
        )
        for target_id, member_id in rows:
            found.setdefault((kind, target_id), []).append(member_id)
    named = {m for ms in found.values() for m in ms} | {i for i in owner_ids if i is not None}
    return People(found, team_service.members_by_id(session, named))
