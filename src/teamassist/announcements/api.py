"""``/api/v1/announcements``: announce or DM a group (directors and admins) and read receipts.

The same service as ``/通知`` and ``/群发``; an ``Idempotency-Key`` header makes a retried
POST answer with the first announcement instead of sending again (201 as the first time, with
``Idempotency-Replayed: true``). A key belongs to its caller: two people may pick the same one.
The caller's key reused with another body is refused, 422 ``core.error.idempotency_key_reused``,
nothing sent. The keys live in the one store every keyed create uses (``http.idempotency``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.announcements import grammar, groups, messages, service
from teamassist.announcements.models import Announcement, AnnouncementKind
from teamassist.announcements.schemas import (
    AnnouncementCreate,
    AnnouncementRead,
    announcement_read,
)
from teamassist.chat.types import MentionToken
from teamassist.clock import local
from teamassist.exceptions import Invalid, NotFound, PermissionDenied
from teamassist.http import idempotency
from teamassist.http.auth import Principal, is_admin
from teamassist.http.deps import (
    Id,
    NowDep,
    PrincipalDep,
    SessionDep,
    TeamDep,
    require_team_person,
    team_of,
)
from teamassist.http.routes import Routes
from teamassist.http.team_gate import row_gate
from teamassist.team import service as team_service
from teamassist.team.models import Member
from teamassist.team.names import fold

router = Routes(prefix="/announcements", tags=["announcements"])


def _author(
    session: Session, principal: Principal, group: groups.Group, named: str | None
) -> Member:
    """The member who announces, the author its group and people see and who owns the action
    items it opens: the caller. The workspace owner (the global API token, a member-less
    account) is no person: it names one with ``"as"`` (422 without), who must be allowed to
    announce to the group as if they sent it themselves (:func:`_may`). It was the group
    team's first admin, who never wrote it and was told nothing (tester s23 F4)."""
    if principal.member is not None:
        if named is not None and fold(named.strip()) != principal.member.handle_key:
            raise Invalid("announcements.error.as_only_owner", handle=named.strip()[:64])
        return principal.member
    if named is None:
        raise Invalid("announcements.error.as_needed", group=group.name)
    author = team_service.get_member_by_handle(
        session, workspace_id=principal.workspace.id, handle=named
    )
    if author is None or not author.active:
        raise NotFound("core.error.unknown_member", who=named.strip()[:64])
    return author


def _resolver(session: Session, principal: Principal) -> Callable[[MentionToken], Member]:
    """An ``@name`` (handle or unique display name) in a REST text, as chat on the web reads it."""

    def resolve(token: MentionToken) -> Member:
        return team_service.find_member(
            session,
            workspace=principal.workspace,
            platform="web",
            tenant_key="",
            user_key=token.user_key,
            name=token.name,
        )

    return resolve


def _may(session: Session, principal: Principal, group: groups.Group, author: Member) -> bool:
    """Whether ``author`` may announce to ``group``: the workspace owner's pick is asked as if
    they sent it (the owner's own rights would let anyone's name through)."""
    caller_admin = principal.member is not None and is_admin(session, principal, group.team)
    return caller_admin or service.may_announce(session, member=author, group=group, is_admin=False)


def _refuse_a_deadline_in_text(text: str, group: groups.Group, now: datetime) -> None:
    """REST has ``due_at``: a closing ``截止 周五`` in ``text``, which chat would read as the
    deadline, was sent as plain text with no action items (session 14). It is refused with a
    pointer to ``due_at`` (so is one chat would refuse); ``截止 日期另行通知`` stays text."""
    zone = group.team.timezone
    try:
        _text, due = grammar.trailing_due(text, zone, local(now, zone).date())
    except Invalid as refused:
        # a closing 截止 with no time after it is no deadline REST could take: text
        due = None if refused.key == "announcements.error.due_missing" else now
    if due is not None:
        raise Invalid("announcements.error.rest_due_in_text")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AnnouncementRead,
    responses=idempotency.REPLAYED_DOC,
)
def create_announcement(
    body: AnnouncementCreate,
    session: SessionDep,
    principal: PrincipalDep,
    team: TeamDep,
    now: NowDep,
    idempotency_key: idempotency.KeyHeader = None,
) -> AnnouncementRead | Response:
    """Queue a notice to the group's chats or a DM to each target; 403 unless the caller is
    the group team's director or an admin, 404 for an unknown group, 422 for bad input. The
    deadline is ``due_at``: a ``text`` ending in a deadline as chat writes one (``截止 周五``)
    is refused (422 ``announcements.error.rest_due_in_text``), never sent as plain text.

    ``Idempotency-Key`` (at most 120 characters, per caller): the same key with the same body
    answers as the first time, 201 with the first announcement, and the header
    ``Idempotency-Replayed: true``; nothing is sent again. The same key with another body is
    refused (422 ``core.error.idempotency_key_reused``), nothing sent.

    ``team_id`` (query; the caller's home team without it) is the team whose group of that
    name is meant when several teams have one (422 ``announcements.error.ambiguous_group``
    when neither it nor a single team has)."""
    # The body first: an empty ``targets`` is refused as such whatever the group (a tester's
    # unknown group with ``[]`` was told 404 unknown group, session 16).
    if body.targets is not None and not body.targets:
        raise Invalid("announcements.error.no_targets", group=body.group.strip()[:60])

    def make() -> idempotency.Made[AnnouncementRead]:
        group = groups.resolve(
            session, workspace_id=principal.workspace.id, name=body.group, acting=team
        )
        author = _author(session, principal, group, body.as_member)
        if not _may(session, principal, group, author):
            raise PermissionDenied("announcements.error.forbidden", group=group.name)
        # @names in the text resolve as in chat (they stayed literal text, session 13); the
        # targets by id and the people @-mentioned pass the same check as chat's.
        _refuse_a_deadline_in_text(body.text, group, now)
        kind = AnnouncementKind(body.kind)

        def known(name: str) -> bool:  # where a glued 「@王五:写周报」 ends, as chat reads it
            return team_service.names_a_member(session, workspace=principal.workspace, name=name)

        reply, mentioned = messages.from_chat(
            body.text,
            _resolver(session, principal),
            private=kind is AnnouncementKind.BULK,
            known=known,
        )
        wanted = list(dict.fromkeys(body.targets or ()))
        found = team_service.members_by_id(session, wanted)
        unknown = [
            i for i in wanted if i not in found or found[i].workspace_id != principal.workspace.id
        ]
        if unknown:
            raise Invalid(
                "announcements.error.unknown_name", name=f"#{unknown[0]}", group=group.name
            )
        targets = list(dict.fromkeys([found[i] for i in wanted] + mentioned))
        service.check_targets(session, group, kind, targets)
        outcome = service.announce(
            session,
            workspace=principal.workspace,
            author=author,
            group=group,
            kind=kind,
            reply=reply,
            now=now,
            targets=targets,
            due_at=body.due_at,
            title=messages.title_of(body.text, known),
            send_at=body.send_at,
            force=body.force,
        )
        row = outcome.announcement
        read = announcement_read(
            row,
            service.receipts(session, announcement=row, now=now),
            service.mentioned(session, row),
        )
        read.warnings = messages.leaving(outcome, group.team)
        return idempotency.Made(read, resource=f"announcement:{row.id}", label=f"#{row.id}")

    return idempotency.once(
        session,
        principal,
        idempotency_key,
        request=f"POST announcements team={team.id}",
        body=body,
        now=now,
        make=make,
        replayed=lambda replay: _replayed(session, principal, replay, now),
    )


def _replayed(
    session: Session, principal: Principal, replay: idempotency.Replay, now: datetime
) -> Response:
    """A retried key's answer: the first answer again (a replay answers as the first time did,
    but says so: a client can tell "sent now" from "already sent" without comparing ids). A
    key kept from before the store has no stored answer: its announcement as it is now."""
    if replay.answer is not None:
        return replay.response()
    row = service.get(
        session,
        workspace_id=principal.workspace.id,
        announcement_id=replay.resource_id("announcement") or 0,
    )
    read = announcement_read(
        row, service.receipts(session, announcement=row, now=now), service.mentioned(session, row)
    )
    return idempotency.Replay(201, read.model_dump(mode="json"), replay.resource).response()


def _announcement_team(session: Session, announcement_id: int) -> int | None:
    return session.scalar(select(Announcement.team_id).where(Announcement.id == announcement_id))


# One announcement is its team's: a caller outside that team hears the team gate's 403
# (你不在「…」里) before anything else, as every team route says; it once heard the receipts'
# refusal naming the group (tester s25 F-B8). Inside the team, the receipts' rule follows.
ANNOUNCEMENT_GATE = row_gate("announcement_id", _announcement_team)


@router.get("")
def list_announcements(
    session: SessionDep, principal: PrincipalDep, now: NowDep, team_id: Id | None = None
) -> list[AnnouncementRead]:
    """The workspace's latest 50 announcements, newest first, with receipts (admins see all,
    others their own); ``?team_id=`` lists that team's only, for its people and its director
    (403 ``core.error.not_in_team`` for anyone else: it answered 200 [] to a caller outside
    the team, tester s25 F-B8)."""
    if team_id is not None:
        require_team_person(session, principal, team_of(session, principal, team_id))
    rows = service.listing(session, workspace_id=principal.workspace.id, team_id=team_id)
    if principal.member is not None:
        teams = team_service.get_teams(session, workspace_id=principal.workspace.id)
        admin_of = {t.id for t in teams if is_admin(session, principal, t)}
        rows = [
            r
            for r in rows
            if r.author_id == principal.member.id
            or r.team_id in admin_of
            or any(t.id == r.team_id and t.director_id == principal.member.id for t in teams)
        ]
    return [
        announcement_read(
            r, service.receipts(session, announcement=r, now=now), service.mentioned(session, r)
        )
        for r in rows
    ]


@router.get("/{announcement_id}", dependencies=[ANNOUNCEMENT_GATE])
def get_announcement(
    announcement_id: Id, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> AnnouncementRead:
    """One announcement and who got it (its author, the team's director, admins); a caller
    outside its team is refused first (403 ``core.error.not_in_team``)."""
    row = service.get(session, workspace_id=principal.workspace.id, announcement_id=announcement_id)
    team = team_service.get_team(session, workspace_id=row.workspace_id, team_id=row.team_id)
    member = principal.member
    allowed = is_admin(session, principal, team) or (
        member is not None and member.id in (row.author_id, team.director_id)
    )
    if not allowed:
        raise PermissionDenied("announcements.error.receipts_forbidden", group=row.group_name)
    return announcement_read(
        row, service.receipts(session, announcement=row, now=now), service.mentioned(session, row)
    )


@router.post("/{announcement_id}/cancel", dependencies=[ANNOUNCEMENT_GATE])
def cancel_announcement(
    announcement_id: Id, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> AnnouncementRead:
    """Cancel an announcement that has not gone out (a scheduled one): its pending notices
    are withdrawn and its action items closed as cancelled; the receipts say ``cancelled``.
    Its author or an admin (403 otherwise, 404 for none); 409 once its send time has come or
    any notice is claimed or sent, or when already cancelled. The same service as
    ``/取消通知``."""
    row = service.get(session, workspace_id=principal.workspace.id, announcement_id=announcement_id)
    team = team_service.get_team(session, workspace_id=row.workspace_id, team_id=row.team_id)
    done = service.cancel(
        session,
        workspace_id=principal.workspace.id,
        announcement_id=announcement_id,
        member=principal.member,
        is_admin=is_admin(session, principal, team),
        now=now,
    )
    row = done.announcement
    return announcement_read(
        row, service.receipts(session, announcement=row, now=now), service.mentioned(session, row)
    )
