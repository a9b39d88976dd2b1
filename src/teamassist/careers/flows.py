"""Starting plans across rooms: each new plan gets an action item due at the deadline, asked
through :class:`teamassist.events.FollowUpNeeded` (source kind ``career_plan``), and its
document; its person gets a DM with the document's link (outbox key ``careers.started:<plan>``).
A plan that already existed gets none of these again, so a second start or a redelivered event
doubles nothing.

Each new plan's document (``个人职业发展规划-{姓名}``, the team's editable template filled in) is
published through the ``Documents`` port under key ``careers.plan:<id>``, in the folder
``职业发展规划/<year>``, the person an editor and the director a viewer: on a Feishu team a docx
in the team's Drive folder (made once per key by the outbox, however often it is retried),
elsewhere the plan's own dashboard page with its per-person access. The DM waits for the
document: it is queued on :class:`teamassist.events.DocumentReady` of that key, which carries
the link that opens it (built in at once; on Feishu once the docx is made and shared), so the
DM never carries a link to a document that does not exist yet, and goes once.

Also the answers to the two queries other domains ask: :class:`CareerPlanWanted` (the seed's
``***制定个人职业发展规划***`` in a DM, asked by announcements) and :class:`CareerGoals` (a 1on1).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from teamassist.careers import service, templates_store
from teamassist.careers.models import CareerPlan
from teamassist.careers.service import Started
from teamassist.chat import notify
from teamassist.chat.types import Reply, user_text
from teamassist.clock import ensure_utc, local
from teamassist.events import (
    CareerGoals,
    CareerPlanWanted,
    DocumentReady,
    FollowUpNeeded,
    FollowUpPersonal,
    FollowUpSourceChanged,
    GoalFact,
    SourceKnown,
    ask,
    publish,
)
from teamassist.exceptions import NotFound
from teamassist.i18n import t
from teamassist.ports import DocumentDraft, Documents
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team
from teamassist.team.people import addressed_as, leaves_by

SOURCE_KIND = "career_plan"  # an action item's source_kind; source_id is the plan
DOCUMENT_PREFIX = "careers.plan:"  # + the plan's id: its document's key in the Documents port


def link(public_url: str, plan: CareerPlan) -> str:
    """The plan's dashboard page."""
    return f"{public_url.rstrip('/')}/career-plans/{plan.id}?team={plan.team_id}"


def due_text(plan: CareerPlan, team: Team) -> str:
    """``2026-12-31 18:00`` on the team's wall clock."""
    return local(plan.due_at, team.timezone).strftime("%Y-%m-%d %H:%M")


def start(
    session: Session,
    *,
    team: Team,
    director: Member,
    people: Sequence[Member],
    due_at: datetime,
    request: str,
    now: datetime,
    public_url: str,
    documents: Documents,
    year: int | None = None,
) -> list[Started]:
    """:func:`service.start`, then for each new plan its action item and its document; the DM
    follows when the document is ready (:func:`on_document_ready`)."""
    started = service.start(
        session,
        team=team,
        director=director,
        people=people,
        due_at=due_at,
        request=request,
        now=now,
        year=year,
    )
    for one in started:
        if one.moved_from is not None:
            _moved(session, team=team, one=one, now=now)
        if one.created:
            _follow_up(
                session, team=team, director=director, plan=one.plan, now=now, public_url=public_url
            )
            _publish(
                session,
                team=team,
                director=director,
                one=one,
                now=now,
                public_url=public_url,
                documents=documents,
            )
    return started


def _moved(session: Session, *, team: Team, one: Started, now: datetime) -> None:
    """A re-issued start moved an unwritten plan's deadline later: its action item follows
    and its person is told the new deadline (once per deadline)."""
    plan = one.plan
    publish(
        session,
        FollowUpSourceChanged(
            team=team,
            source_kind=SOURCE_KIND,
            source_id=plan.id,
            due_at=ensure_utc(plan.due_at),
            cancelled=False,
            now=now,
            title=plan.title,
        ),
    )
    notify.to_member(
        session,
        member=one.member,
        reply=Reply(
            title=plan.title,
            body=t("careers.due_moved_dm", title=user_text(plan.title), due=due_text(plan, team)),
        ),
        key=f"careers.moved:{plan.id}:{ensure_utc(plan.due_at).isoformat()}",
        now=now,
    )


def document_key(plan_id: int) -> str:
    """The plan document's ``DocumentDraft.key``."""
    return f"{DOCUMENT_PREFIX}{plan_id}"


def _publish(
    session: Session,
    *,
    team: Team,
    director: Member,
    one: Started,
    now: datetime,
    public_url: str,
    documents: Documents,
) -> None:
    """Publish the plan's document from the team's template: its person edits, the director
    reads."""
    plan = one.plan
    draft = DocumentDraft(
        key=document_key(plan.id),
        title=plan.title,
        markdown=templates_store.plan_markdown(session, plan=plan),
        local_url=link(public_url, plan),
        folder=(t("careers.folder"), str(plan.year)),
        editor_ids=(one.member.id,),
        viewer_ids=(director.id,) if director.id != one.member.id else (),
    )
    documents.publish(session, team=team, draft=draft, now=now)


def _follow_up(
    session: Session,
    *,
    team: Team,
    director: Member,
    plan: CareerPlan,
    now: datetime,
    public_url: str,
) -> str | None:
    """Open (or find: the action desk opens one per plan) the plan's action item; its note."""
    note = ask(
        session,
        FollowUpNeeded(
            team=team,
            source_kind=SOURCE_KIND,
            source_id=plan.id,
            owner_id=plan.member_id,
            requester_id=director.id,
            title=t("careers.action_title", title=plan.title, url=link(public_url, plan))[:200],
            due=local(plan.due_at, team.timezone).date(),
            now=now,
            due_at=plan.due_at,
        ),
    )
    return note[0] if note else None


def on_document_ready(session: Session, event: DocumentReady, *, public_url: str) -> None:
    """A plan's document can be opened: its person's DM, with that link (outbox key
    ``careers.started:<plan>``, so a repeated event sends nothing more). Other keys, and a
    plan gone meanwhile, are not ours."""
    if not event.key.startswith(DOCUMENT_PREFIX):
        return
    plan_id = event.key.removeprefix(DOCUMENT_PREFIX)
    plan = session.get(CareerPlan, int(plan_id)) if plan_id.isdigit() else None
    if plan is None or plan.workspace_id != event.workspace_id:
        return
    team = session.get(Team, plan.team_id)
    person = session.get(Member, plan.member_id)
    if team is None or person is None:
        return
    director_id = plan.started_by_id or team.director_id
    director = session.get(Member, director_id) if director_id is not None else None
    note = None
    if director is not None:
        note = _follow_up(
            session, team=team, director=director, plan=plan, now=event.now, public_url=public_url
        )
    body = t(
        "careers.dm",
        director=user_text(addressed_as(director, team)) if director else t("careers.someone"),
        title=user_text(plan.title),
        request=user_text(plan.request) if plan.request else t("careers.dm_no_request"),
        due=due_text(plan, team),
        url=event.url,
    )
    if note:
        body += "\n" + note
    notify.to_member(
        session,
        member=person,
        reply=Reply(title=plan.title, body=body),
        key=f"careers.started:{plan.id}",
        now=event.now,
    )


def summary(started: Sequence[Started], team: Team) -> str:
    """The director's reply: who got a new plan, who had one already."""
    new = [s for s in started if s.created]
    moved = [s for s in started if s.moved_from is not None]
    # another team's plan of the person: left as it was, named (tester s25 F-16)
    elsewhere = [s for s in started if s.elsewhere is not None]
    kept = [s for s in started if not s.created and s.moved_from is None and s.elsewhere is None]
    # a plan its person has written keeps its deadline: say so, not only "started before"
    # (tester F7, session 19: a later deadline for a written plan read as if it applied)
    earlier = [s for s in kept if s.earlier_asked is not None]
    old = [s for s in kept if s.plan.written_at is None and s.earlier_asked is None]
    written = [s for s in kept if s.plan.written_at is not None]
    lines: list[str] = []
    if new:
        lines.append(
            t(
                "careers.started",
                count=len(new),
                names=_names([s.member.display_name for s in new]),
                year=new[0].plan.year,
                due=due_text(new[0].plan, team),
            )
        )
    for one in moved:  # each its own line: the deadlines they had may differ
        lines.append(
            t(
                "careers.due_moved",
                name=user_text(one.member.display_name),
                year=one.plan.year,
                before=local(one.moved_from or one.plan.due_at, team.timezone).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                due=due_text(one.plan, team),
            )
        )
    for one in earlier:  # each its own line, as the moved ones
        lines.append(
            t(
                "careers.due_kept",
                name=user_text(one.member.display_name),
                year=one.plan.year,
                asked=local(one.earlier_asked or one.plan.due_at, team.timezone).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                due=due_text(one.plan, team),
            )
        )
    if old:
        lines.append(
            t(
                "careers.already_started",
                names=_names([s.member.display_name for s in old]),
                year=old[0].plan.year,
            )
        )
    if written:
        lines.append(
            t(
                "careers.already_written",
                names=_names([s.member.display_name for s in written]),
                year=written[0].plan.year,
            )
        )
    for one in elsewhere:  # each its own line: the teams may differ
        lines.append(
            t(
                "careers.elsewhere",
                name=user_text(one.member.display_name),
                year=one.plan.year,
                team=user_text(one.elsewhere or ""),
                due=due_text(one.plan, team),
            )
        )
    lines.extend(leaving(started, team))
    return "\n".join(lines)


def leaving(started: Sequence[Started], team: Team) -> list[str]:
    """A line per person of this start (a new plan, or a deadline moved) set to leave on or
    before the plan's deadline: the plan and its action item are due after they have gone
    (the rule of /销项, :func:`teamassist.team.people.leaves_by`; tester s26 B-23). The
    director's reply and REST ``warnings``."""
    lines = []
    for one in started:
        if not one.created and one.moved_from is None:
            continue
        at = leaves_by(one.member, one.plan.due_at)
        if at is not None:
            lines.append(
                t(
                    "careers.leaves_first",
                    name=one.member.display_name,  # as /销项's warning, REST's too
                    date=local(at, team.timezone).date().isoformat(),
                    due=due_text(one.plan, team),
                )
            )
    return lines


STARTED_NAMES = 20  # the names a start's reply lists before "等 N 人"


def _names(names: Sequence[str]) -> str:
    """``张三、李四`` — the first :data:`STARTED_NAMES`, then ``等 306 人`` (a start for a
    306-person team named everyone in one 3.7 KB line)."""
    shown = "、".join(user_text(name) for name in names[:STARTED_NAMES])
    if len(names) <= STARTED_NAMES:
        return shown
    return t("careers.names_more", names=shown, count=len(names))


def answer_wanted(
    session: Session, query: CareerPlanWanted, *, public_url: str, documents: Documents
) -> str:
    """The seed grammar's start: the director's reply text (errors raise, nothing is sent)."""
    director = session.get(Member, query.director_id)
    if director is None:
        raise NotFound("careers.error.not_director", team=query.team.name)
    people = list(team_service.members_by_id(session, query.member_ids).values())
    people.sort(key=lambda m: query.member_ids.index(m.id))
    started = start(
        session,
        team=query.team,
        director=director,
        people=people,
        due_at=query.due_at,
        request=query.text,
        now=query.now,
        public_url=public_url,
        documents=documents,
    )
    return summary(started, query.team)


def answer_goals(session: Session, query: CareerGoals) -> tuple[GoalFact, ...]:
    """The reviewed plan's goals for a 1on1 (see :class:`CareerGoals`); nothing unless the
    asker may read that plan (its person or the director of the team that started it), as
    :func:`service.get` rules: a 1on1 of another team the person is in is no way round it."""
    plan = service.reviewed_plan(session, team=query.team, member=query.member, now=query.now)
    if plan is None or not service.may_read(session, plan=plan, viewer=query.asker):
        return ()
    return service.goal_facts(session, team=query.team, member=query.member, now=query.now)


def answer_known(session: Session, query: SourceKnown) -> bool | None:
    """Whether ``career_plan`` + id is a plan ``query.by`` reads (:func:`service.may_read`) of
    ``query.team``'s: started by it, or its person is in it (other kinds: not ours, None).
    Anyone else is answered as for no plan: a private plan's existence is not told (a tester
    linked an item to another member's plan through REST)."""
    if query.kind != SOURCE_KIND:
        return None
    plan = session.get(CareerPlan, query.source_id)
    if plan is None or plan.workspace_id != query.team.workspace_id:
        return False
    person = session.get(Member, plan.member_id)
    ours = plan.team_id == query.team.id or (
        person is not None
        and team_service.role_of(session, team=query.team, member=person) is not None
    )
    return ours and service.may_read(session, plan=plan, viewer=query.by)


def answer_personal(session: Session, query: FollowUpPersonal) -> bool | None:
    """A plan's action item is its person's alone: only they may write the plan (the README),
    so when they leave it closes rather than going to the director or an admin."""
    return True if query.source_kind == SOURCE_KIND else None
