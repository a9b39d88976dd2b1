"""People who leave: a deactivated member goes out of every rotation from the day it takes effect.

The team domain publishes :class:`~teamassist.events.MemberDeactivated`; this removes the member
with the roster change an admin's ``/值班人员移除`` makes, so pending changes are replayed and
broken swaps cancelled as usual. Today's person on duty keeps today's shift and leaves from the
next duty day; a rotation that would be left empty refuses (the deactivation with it), so an
admin adds someone first.

The removal is stored as ``leave`` (:data:`~teamassist.duty.planning.ACTION_LEAVE`), not
``remove``, with the member's id alone in its note: that is how a departure's removal is told
from one an admin made by hand. When the departure is called off
(:class:`~teamassist.events.MemberReactivated`) the ``leave`` rows of that member still pending
are withdrawn and the changes after them replayed; a removal by hand, and a ``leave`` already in
effect (they had left: an admin adds them again), stay. A tester called off
``/停用成员 @李四 12月20日`` and the rotation still dropped 李四 from 12-20.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from teamassist.chat import notify
from teamassist.chat.types import Reply
from teamassist.clock import ensure_utc, local, parse_hhmm
from teamassist.duty import messages, planning, service
from teamassist.duty.models import Override, Rotation, RotationVersion, Swap
from teamassist.duty.rotation import CompiledRotation, day_start, duty_date_at, main_people
from teamassist.events import MemberDeactivated, MemberReactivated
from teamassist.exceptions import Conflict, DomainError
from teamassist.i18n import t
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

_Plan = TypeVar("_Plan", Override, Swap)
_LISTED = 5  # a departure's reply names this many cancelled covers and swaps, then counts


def on_member_deactivated(session: Session, event: MemberDeactivated) -> str | None:
    """Remove the member from each rotation they are in, from the duty day of ``event.at``,
    and cancel their covers and swaps from then on in every rotation of the team. Says which
    covers and swaps it cancelled (the admin's ``/停用成员`` reply listed none, session 16),
    or None when none."""
    by = session.get(Member, event.by_id) if event.by_id else None
    cancelled: list[str] = []
    cut: list[str] = []  # covers running at the departure: they end then, not cancelled whole
    withdrawn: list[str] = []
    gaps: list[str] = []
    for team_id in event.team_ids:
        team = session.get(Team, team_id)
        if team is None:
            continue
        for rotation in service.rotations(session, team=team):
            handoff = parse_hhmm(service.rotation_handoff(session, team, rotation))
            # A deactivation "from 06-05" means from that calendar day, not from the night
            # shift before it; never before the duty day running now.
            day = max(
                local(event.at, team.timezone).date(),
                duty_date_at(event.now, handoff, team.timezone),
            )
            spec = service.current_spec(session, team, rotation)
            gone_now = event.at <= event.now
            gap_day: date | None = None
            if spec.versions and event.member_id in spec.versions[-1].member_ids:
                left_from = day
                day, broken, changes = _leave(session, team, rotation, event, day, by)
                withdrawn += changes
                if day > left_from and gone_now:
                    gap_day = left_from  # on duty now and gone now: today's rest lost them
            else:
                broken = []
            # Gone now, their covers end now: one running today kept the rest of the day for
            # nobody and blocked the very cover the reply suggests (tester F2, session 22);
            # the rotation beneath it applies again. Leaving later, from that day.
            since = (
                event.now if gone_now else max(day_start(day, handoff, team.timezone), event.now)
            )
            gone, ended = _cancel_plans(
                session, team, rotation, event, day=day, since=since, broken=broken
            )
            cancelled += gone
            cut += ended
            if gap_day is not None:
                gaps.append(_today_gap(session, team, rotation, event, gap_day, handoff))
    said = [
        *gaps,
        # 「已一并取消 TA 的 2 项代班或换班：…；…，当事人已收到私信。」, the first few named
        _said_listed("duty.departure.cancelled", cancelled),
        _said_listed("duty.departure.cut", cut),
        _said_listed("duty.departure.changes_withdrawn", withdrawn),
    ]
    return "".join(s for s in said if s) or None


def _today_gap(
    session: Session,
    team: Team,
    rotation: Rotation,
    event: MemberDeactivated,
    today: date,
    handoff: time,
) -> str:
    """The sentence, for the admin's reply and (by direct notice) the team's admins, that the
    leaver was on duty in ``rotation`` and the rest of ``today`` has lost them, with the
    command that names a cover. Their later days go to the rotation without them (the roster
    change from tomorrow); today's shift was already running, so nobody is moved onto it
    mid-shift unasked: an admin chooses. A tester deactivated today's person on duty and
    「「产品」现在没有人值班」 followed without a word (session 18). The example names the
    rotation's next person on duty, who is on call anyway."""
    leaver = session.get(Member, event.member_id)
    compiled = CompiledRotation(service.current_spec(session, team, rotation))
    left = [m for m in compiled.people_at(event.now) if m != event.member_id]
    start = day_start(today + timedelta(days=1), handoff, team.timezone)
    upcoming = compiled.shifts(start, start + timedelta(days=14))
    following = next((main_people([s]) for s in upcoming if s.member_ids), ())
    people = service.members_by_id(session, [*left, *following])
    stays = [people[m] for m in left if m in people and people[m].active]
    cover = next((people[m] for m in following if m in people), None)
    reply = Reply()
    reply.body = t(
        "duty.departure.today_short" if stays else "duty.departure.today_empty",
        name=leaver.display_name if leaver is not None else "?",
        rotation=rotation.name,
        date=today.isoformat(),
        stays="、".join(m.display_name for m in stays),
        command=t(
            "duty.departure.today_cover",
            who=f"@{cover.display_name}" if cover is not None else t("duty.departure.someone"),
            date=today.isoformat(),
            rotation=rotation.name,
        ),
    )
    for admin in team_service.admins(session, team=team):
        if admin.active:  # also heard by REST's caller, whose answer carries no sentence
            key = f"duty.departure.today_gap:{rotation.id}:{admin.id}:{event.now.isoformat()}"
            notify.to_member(session, member=admin, reply=reply, key=key, now=event.now)
    return reply.body


def _said_listed(key: str, items: list[str]) -> str | None:
    """The sentence ``key`` counting ``items`` and naming the first few, or None when none."""
    if not items:
        return None
    shown = "；".join(items[:_LISTED])
    if len(items) > _LISTED:
        shown += t("duty.departure.and_more", count=len(items) - _LISTED)
    return t(key, count=len(items), items=shown)  # the catalogue key, named in full by callers


def _leave(
    session: Session,
    team: Team,
    rotation: Rotation,
    event: MemberDeactivated,
    day: date,
    by: Member | None,
) -> tuple[date, list[int], list[str]]:
    """The roster change out of ``rotation`` from ``day`` (from the next day when on duty
    now); returns the day it takes effect, the ids of the swaps it broke and the pending
    changes it withdrew (as the reply names them). When only a pending addition had them join
    (from ``day`` on), taking them out of it is all."""
    broken_before = _broken_ids(session, team, rotation, event.now)
    withdrawn = _withdraw_moot(session, team, rotation, event, day)
    # Swaps planned on a withdrawn (or rewritten) change: the departure cancels them like the
    # ones its own removal breaks (session 17: they stopped applying with nobody told).
    unmade = sorted(_broken_ids(session, team, rotation, event.now) - broken_before)
    spec = service.current_spec(session, team, rotation)
    if event.member_id not in spec.versions[-1].member_ids:
        return day, unmade, withdrawn
    for first in (day, day + timedelta(days=1)):
        change = planning.RosterChange(
            planning.ACTION_LEAVE, member_ids=(event.member_id,), effective_date=first
        )
        try:
            preview = service.change_roster(
                session, team=team, rotation=rotation, change=change, now=event.now, by=by
            )
        except Conflict as exc:
            if exc.key != "duty.error.remove_on_duty" or first != day:
                raise
            # On duty right now: today's shift stays theirs, they leave from tomorrow.
            continue
        return first, [*unmade, *(swap.id for swap in preview.broken_swaps)], withdrawn
    raise AssertionError("unreachable")  # the second pass returns or raises


def _broken_ids(session: Session, team: Team, rotation: Rotation, now: datetime) -> set[int]:
    """The swaps in force whose people no longer hold a traded shift still to come."""
    spec = service.current_spec(session, team, rotation)
    return {swap.id for swap in CompiledRotation(spec).broken_swaps(now)}


def _withdraw_moot(
    session: Session, team: Team, rotation: Rotation, event: MemberDeactivated, day: date
) -> list[str]:
    """Withdraw the pending changes from ``day`` on that are only about the leaver: a swap of
    positions with them, a re-plan starting from them, adding them alone. Replayed after the
    removal they cannot apply, and a tester's ``/停用成员 @王五`` was refused by a pending
    ``/值班交换 @张三 @王五`` with the reason "「王五」不在「技术」轮值里". Whoever made each and
    its people are told, the admin's reply names it, and it is marked as the departure's
    (``cancelled_for_id``): calling the departure off applies it again (a tester's
    ``/值班交换 @赵六 @孙七 产品 2026-12-10`` went silently with 孙七's departure and stayed gone
    when it was called off). A change about others that still blocks is named by
    ``duty.error.pending_blocks``. Returns the withdrawn changes as the reply names them.

    Adding them with others is written again without them, the others joining on the same
    day: replayed as it was, it put the leaver back from its day (session 16 tester)."""
    since = day_start(
        day, parse_hhmm(service.rotation_handoff(session, team, rotation)), team.timezone
    )
    moot, shared = [], []
    for version in service.pending_versions(session, rotation=rotation, after=event.now):
        ids = service.change_member_ids(version)
        if version.effective_at < since or event.member_id not in ids:
            continue
        alone = version.change == planning.ACTION_ADD and ids == [event.member_id]
        if alone or version.change in (planning.ACTION_SWAP, planning.ACTION_REPLAN):
            moot.append(version)
        elif version.change == planning.ACTION_ADD:
            shared.append(version)
    for version in reversed(moot):  # the latest first: nothing after it to replay onto it
        service.withdraw_and_replay(
            session, team=team, rotation=rotation, version=version, now=event.now, strict=True
        )
        version.cancelled_for_id = event.member_id
        ids = service.change_member_ids(version)
        _tell_change(
            session,
            team,
            rotation,
            version,
            event,
            "duty.departure.change_withdrawn",
            mentioned=ids,
            told=[version.created_by_id, *ids],
        )
    for version in shared:
        _add_without(session, team, rotation, version, event)
    session.flush()
    return [_change_item(session, team, rotation, version) for version in moot]


def _add_without(
    session: Session,
    team: Team,
    rotation: Rotation,
    version: RotationVersion,
    event: MemberDeactivated,
) -> None:
    """Write the pending addition ``version`` again without the leaver, in its place (its
    day, its maker's name, before the changes after it); the maker is told. Withdrawn then
    added anew, a second leaver of the same add leaving after its day was refused: their
    removal, replayed before the new add, named someone not in the rotation (session 17)."""
    others = tuple(i for i in service.change_member_ids(version) if i != event.member_id)
    day = service.version_day(team, service.version_spec(version))
    change = planning.RosterChange(planning.ACTION_ADD, member_ids=others, effective_date=day)
    service.withdraw_and_replay(
        session,
        team=team,
        rotation=rotation,
        version=version,
        now=event.now,
        strict=True,
        instead=change,
    )
    _tell_change(  # the maker hears who still joins
        session,
        team,
        rotation,
        version,
        event,
        "duty.departure.add_without",
        mentioned=others,
        told=[version.created_by_id],
    )


def _tell_change(
    session: Session,
    team: Team,
    rotation: Rotation,
    version: RotationVersion,
    event: MemberDeactivated | MemberReactivated,
    notice: str,
    *,
    mentioned: Sequence[int],
    told: Sequence[int | None],
    reason: str = "",
) -> None:
    """A direct notice about the pending roster change ``version`` to the members ``told``
    (the active ones; never a leaver about their own departure), naming ``mentioned``. Callers
    say whom: it was once chosen by comparing the catalogue key it was given."""
    member = session.get(Member, event.member_id)
    if member is None:
        return
    gone = member.id if isinstance(event, MemberDeactivated) else None
    people = service.members_by_id(session, [*mentioned, *told])
    reply = Reply()
    reply.body = t(
        notice,  # the catalogue key, named in full at each call
        name=member.display_name,
        rotation=rotation.name,
        date=service.version_day(team, service.version_spec(version)).isoformat(),
        change=t(f"duty.change.{version.change}"),
        people="、".join(messages.mention(reply, people[i]) for i in mentioned if i in people),
        reason=reason,
    )
    for member_id in dict.fromkeys(i for i in told if i is not None and i != gone):
        person = people.get(member_id)
        if person is not None and person.active:
            key = f"{notice}:{version.id}:{person.id}:{event.now.isoformat()}"
            notify.to_member(session, member=person, reply=reply, key=key, now=event.now)


def _change_item(session: Session, team: Team, rotation: Rotation, version: RotationVersion) -> str:
    """「「产品」2026-12-10 生效的交换位置（赵六、孙七）」: a pending change as a reply names it."""
    ids = service.change_member_ids(version)
    people = service.members_by_id(session, ids)
    return t(
        "duty.departure.change_item",
        rotation=rotation.name,
        date=service.version_day(team, service.version_spec(version)).isoformat(),
        change=t(f"duty.change.{version.change}"),
        people="、".join(people[i].display_name for i in ids if i in people),
    )


def _cancel_plans(
    session: Session,
    team: Team,
    rotation: Rotation,
    event: MemberDeactivated,
    *,
    day: date,
    since: datetime,
    broken: list[int],
) -> tuple[list[str], list[str]]:
    """Cancel the leaver's covers from ``since``, and whole the swaps trading a shift of
    theirs on or after ``day`` and those the departure's roster changes broke: a tester found a
    cover planned before the departure still standing on a day after it, with nobody on duty
    (swaps were cancelled, covers were not), and a swap kept its half before ``day`` (session
    18). Whoever made each, and the swap's people, are told; calling the departure off
    restores what is still valid. Returns what this hearing cancelled as the reply names it (a
    swap with who now holds its days), and the covers it cut: one that starts before ``since``
    still holds until then, and the reply and notice say so (tester s23 F6: 「已一并取消」 a
    cover of which tomorrow still stood)."""
    leaver = event.member_id
    done: list[str] = []
    cut: list[str] = []
    covers = session.scalars(
        select(Override).where(
            Override.rotation_id == rotation.id,
            Override.member_id == leaver,
            Override.cancelled_at.is_(None),
            Override.end_at > since,
        )
    ).all()
    for cover in covers:
        what = f"「{rotation.name}」{_what(session, team, cover)}"
        # leaving later, a cover begun before the day keeps its days until then (leaving now,
        # one running ends now: the reply's gap sentence says what today lost)
        if ensure_utc(cover.start_at) < ensure_utc(since) and since > event.now:
            until = local(since, team.timezone).strftime("%Y-%m-%d %H:%M")
            cut.append(t("duty.departure.cut_item", what=what, until=until))
            notice = "duty.departure.cover_cut"
        else:
            done.append(what)
            notice = "duty.departure.cover_cancelled"
        cover.cancelled_at = since
        cover.cancelled_for_id = leaver
        _tell(session, team, rotation, cover, event, notice, since=since)
    swaps = session.scalars(
        select(Swap).where(
            Swap.rotation_id == rotation.id,
            or_(Swap.cancelled_at.is_(None), Swap.id.in_(broken)),
        )
    ).all()
    handoff = parse_hhmm(service.rotation_handoff(session, team, rotation))
    ended: list[Swap] = []
    for swap in swaps:
        traded = [d for d in (swap.date_a, swap.date_b) if d is not None]
        theirs = leaver in (swap.member_a_id, swap.member_b_id) and max(traded) >= day
        if not theirs and swap.id not in broken:
            continue
        # A swap is one trade: both halves go, not only the one from the leaving day on (a
        # tester's 12-04 half stayed, its taker on duty two days running).
        swap.cancelled_at = _swap_cut(swap, traded, handoff, team.timezone, event.now)
        swap.cancelled_for_id = leaver
        ended.append(swap)
    session.flush()
    if ended:  # told once every cancellation is in: who holds each traded day now
        compiled = CompiledRotation(service.current_spec(session, team, rotation))
        for swap in ended:
            holds = _holds(session, compiled, swap, event, day)
            done.append(
                t(
                    "duty.departure.swap_item",
                    rotation=rotation.name,
                    what=_what(session, team, swap),
                    holds=holds(lambda member: member.display_name),
                )
            )
            _tell(
                session,
                team,
                rotation,
                swap,
                event,
                "duty.departure.swap_cancelled",
                since=since,
                holds=holds,
            )
    return done, cut


def _swap_cut(
    swap: Swap, traded: Sequence[date], handoff: time, tz: str, now: datetime
) -> datetime:
    """When a swap a departure cancels stops applying: the start of its first traded shift not
    begun yet. A traded shift under way stays as it is (nobody is swapped back mid-shift); one
    already served is history. Stored this way, ``/启用成员`` restores the swap while nothing
    of the cancellation has happened yet."""
    for day in sorted(traded):
        start = day_start(day, handoff, tz)
        if start >= now:
            return max(start, swap.created_at)
    return max(now, swap.created_at)


def _holds(
    session: Session,
    compiled: CompiledRotation,
    swap: Swap,
    event: MemberDeactivated,
    day: date,
) -> Callable[[Callable[[Member], str]], str]:
    """Who is on duty on each traded day now, as a notice or a reply writes the people:
    「2026-12-04 由 @李四 值班，2026-12-05 由 @王五 值班」. A leaver's own day from their
    leaving day goes to whoever the rotation now gives it (their removal re-plans it), said so."""
    traded = [d for d in (swap.date_a, swap.date_b) if d is not None]
    held = {d: main_people(compiled.day_shifts(d)) for d in traded}
    people = service.members_by_id(session, [m for ids in held.values() for m in ids])
    own = {swap.date_a: swap.member_a_id}
    if swap.date_b is not None:
        own[swap.date_b] = swap.member_b_id
    leaver = session.get(Member, event.member_id)

    def said(name: Callable[[Member], str]) -> str:
        parts = []
        for d in traded:
            who = "、".join(name(people[m]) for m in held[d] if m in people)
            if not who:
                parts.append(t("duty.departure.day_empty", date=d.isoformat()))
                continue
            part = t("duty.departure.day_held", date=d.isoformat(), who=who)
            if own[d] == event.member_id and d >= day and leaver is not None:
                part += t("duty.departure.day_replanned", name=leaver.display_name)
            parts.append(part)
        return "，".join(parts)

    return said


def _tell(
    session: Session,
    team: Team,
    rotation: Rotation,
    row: Override | Swap,
    event: MemberDeactivated | MemberReactivated,
    notice: str,
    *,
    since: datetime | None = None,
    holds: Callable[[Callable[[Member], str]], str] | None = None,
) -> None:
    """A direct notice about a cover or swap to whoever made it and its people: a leaver is
    left out of a cover their departure cancelled, and told, once back, what it restored or
    could not (the returning member was never told a swap of theirs stayed cancelled, session
    16). A swap's leaver, still here until their day, is told: its cancelled half before that
    day is theirs again (a tester's 李四 heard nothing while the reply said 「当事人已收到私信」).
    ``holds`` says who is on duty on the swap's days now."""
    leaver = session.get(Member, event.member_id)
    ids = [row.created_by_id]
    if isinstance(row, Swap):
        ids += [row.member_a_id, row.member_b_id]
    else:
        ids.append(row.member_id)
    gone = event.member_id if isinstance(event, MemberDeactivated) and holds is None else None
    people = service.members_by_id(session, [i for i in ids if i and i != gone])
    reply = Reply()
    reply.body = t(
        notice,  # the catalogue key, named in full at each call
        name=leaver.display_name if leaver is not None else "?",
        rotation=rotation.name,
        what=_what(session, team, row, lambda member: messages.mention(reply, member)),
        date=local(since, team.timezone).strftime("%Y-%m-%d %H:%M") if since else "",
        holds=holds(lambda member: messages.mention(reply, member)) if holds else "",
    )
    kind = "cover" if isinstance(row, Override) else "swap"
    for member in people.values():
        if member.active:
            key = f"{notice}:{kind}:{row.id}:{member.id}:{event.now.isoformat()}"
            notify.to_member(session, member=member, reply=reply, key=key, now=event.now)


def _what(
    session: Session,
    team: Team,
    row: Override | Swap,
    name: Callable[[Member], str] = lambda member: member.display_name,
) -> str:
    """「代班（@王五 2026-06-08 03:00 至 2026-06-09 03:00）」 or 「换班（@张三 2026-06-04 ↔ …）」,
    each person as ``name`` writes them (a mention in a notice, the name in a reply)."""
    if isinstance(row, Override):
        member = session.get(Member, row.member_id) if row.member_id else None
        return t(
            "duty.departure.cover",
            who=name(member) if member else "",
            start=local(row.start_at, team.timezone).strftime("%Y-%m-%d %H:%M"),
            end=local(row.end_at, team.timezone).strftime("%Y-%m-%d %H:%M"),
        )
    people = service.members_by_id(session, [row.member_a_id, row.member_b_id])
    a, b = people.get(row.member_a_id), people.get(row.member_b_id)
    return t(
        "duty.departure.swap" if row.date_b else "duty.departure.swap_one_way",
        a=name(a) if a else "?",
        b=name(b) if b else "?",
        date_a=row.date_a.isoformat(),
        date_b=row.date_b.isoformat() if row.date_b else "",
    )


def on_member_reactivated(session: Session, event: MemberReactivated) -> str | None:
    """Withdraw the departure's removals of the member that have not taken effect yet (and
    replay what was planned after them), then restore the covers and swaps it cancelled that
    still fit; the others' people are told to arrange them again. Says which rotations they
    stay in, which they had already left (an admin adds them again) and what was restored or
    not, or None when the departure touched no rotation: a tester was told a removal "was
    withdrawn" that had taken effect, and swaps a departure cancelled stayed cancelled."""
    withdrawn: list[str] = []
    left: list[str] = []
    kept: list[str] = []
    changes_back: list[str] = []
    changes_lost: list[str] = []
    restored, lost = 0, 0
    for team_id in event.team_ids:
        team = session.get(Team, team_id)
        if team is None:
            continue
        for rotation in service.rotations(session, team=team):
            taken_back = False
            for version in _departure_removals(session, rotation.id, event):
                # A swap made while the removal was pending was planned on the roster without
                # them: withdrawn, the removal would break it (session 16). The newer swap
                # stands, and so does the removal, said to the admin and the returner.
                if service.withdraw_and_replay(
                    session,
                    team=team,
                    rotation=rotation,
                    version=version,
                    now=event.now,
                    keep_swaps=True,
                ):
                    taken_back = True
                else:
                    kept.append(_tell_kept(session, team, rotation, version, event))
            if taken_back:
                withdrawn.append(rotation.name)
            elif _left_already(session, team, rotation, event):
                left.append(rotation.name)
            # The roster changes first: a cover or swap restored next was planned on it.
            back_changes, lost_changes = _restore_changes(session, team, rotation, event)
            changes_back += back_changes
            changes_lost += lost_changes
            back, gone = _restore_plans(session, team, rotation, event)
            restored, lost = restored + back, lost + gone
    said = []
    if withdrawn:
        said.append(t("duty.departure.withdrawn", rotations=_quoted(withdrawn)))
    if left:
        said.append(t("duty.departure.left_already", rotations=_quoted(left)))
    said += kept
    said += [
        sentence
        for sentence in (
            _said_listed("duty.departure.changes_restored", changes_back),
            _said_listed("duty.departure.changes_not_restored", changes_lost),
        )
        if sentence
    ]
    if restored:
        said.append(t("duty.departure.restored", count=restored))
    if lost:
        said.append(t("duty.departure.not_restored", count=lost))
    return "".join(said) or None


def _tell_kept(
    session: Session,
    team: Team,
    rotation: Rotation,
    version: RotationVersion,
    event: MemberReactivated,
) -> str:
    """The sentence, for the admin's reply and the returner, that the departure's removal
    from ``rotation`` stays."""
    day = service.version_day(team, service.version_spec(version)).isoformat()
    said = t("duty.departure.removal_kept", rotation=rotation.name, date=day)
    member = session.get(Member, event.member_id)
    if member is not None and member.active:
        key = f"duty.departure.removal_kept:{version.id}:{event.now.isoformat()}"
        notify.to_member(session, member=member, reply=Reply(body=said), key=key, now=event.now)
    return said


def _restore_changes(
    session: Session, team: Team, rotation: Rotation, event: MemberReactivated
) -> tuple[list[str], list[str]]:
    """Apply again, at their own dates and in their makers' names, the pending roster changes
    this departure withdrew (a swap of positions with the member, say); one that can no longer
    stand (its date has passed, a newer change or swap conflicts) stays withdrawn. Their makers
    and people, the returner included, are told either way. Returns the changes restored and
    those not (each with why), as the reply names them."""
    rows = session.scalars(
        select(RotationVersion)
        .where(
            RotationVersion.rotation_id == rotation.id,
            RotationVersion.cancelled_for_id == event.member_id,
        )
        .order_by(RotationVersion.effective_at, RotationVersion.id)
    ).all()
    back: list[str] = []
    lost: list[str] = []
    for row in rows:
        row.cancelled_for_id = None  # dealt with: a later departure marks its own
        ids = service.change_member_ids(row)
        told = [row.created_by_id, *ids]
        item = _change_item(session, team, rotation, row)
        reason = _apply_again(session, team, rotation, row, event)
        if reason is None:
            back.append(item)
            notice = "duty.departure.change_restored_notice"
            _tell_change(session, team, rotation, row, event, notice, mentioned=ids, told=told)
            continue
        lost.append(t("duty.departure.change_lost", item=item, reason=reason))
        notice = "duty.departure.change_not_restored_notice"
        _tell_change(
            session, team, rotation, row, event, notice, mentioned=ids, told=told, reason=reason
        )
    session.flush()
    return back, lost


def _apply_again(
    session: Session,
    team: Team,
    rotation: Rotation,
    row: RotationVersion,
    event: MemberReactivated,
) -> str | None:
    """Write the withdrawn change ``row`` again from its own duty day; None when done, else
    why it cannot stand (nothing is written then). A change that would break a shift swap made
    meanwhile is not applied: the swap's people keep what they agreed."""
    day = service.version_day(team, service.version_spec(row))
    if row.effective_at <= event.now:
        return t("duty.departure.change_past", date=day.isoformat())
    change = planning.RosterChange(
        row.change, member_ids=tuple(service.change_member_ids(row)), effective_date=day
    )
    try:
        preview = service.preview_change(
            session, team=team, rotation=rotation, change=change, now=event.now
        )
    except DomainError as exc:
        return exc.message().rstrip("。")
    if preview.broken_swaps:
        return t("duty.departure.change_breaks_swaps")
    maker = session.get(Member, row.created_by_id) if row.created_by_id else None
    service.change_roster(
        session, team=team, rotation=rotation, change=change, now=event.now, by=maker
    )
    return None


def _restore_plans(
    session: Session, team: Team, rotation: Rotation, event: MemberReactivated
) -> tuple[int, int]:
    """Undo the cancellations this departure made that have not taken effect yet, keeping
    those that no longer fit (a cover overlapping one made meanwhile, a swap whose people no
    longer hold the traded shifts); their people are told to redo them. Returns (restored,
    not restored). Everyone of each is told which."""
    now = event.now
    covers = _cancelled_for(session, Override, rotation, event)
    swaps = _cancelled_for(session, Swap, rotation, event)
    if not covers and not swaps:
        return 0, 0
    rows: list[Override | Swap] = [*covers, *swaps]
    was = {(type(row), row.id): row.cancelled_at for row in rows}
    for row in rows:
        row.cancelled_at, row.cancelled_for_id = None, None
    session.flush()
    lost: list[Override | Swap] = [c for c in covers if _overlaps(session, c)]
    spec = service.current_spec(session, team, rotation)
    broken = {s.id for s in CompiledRotation(spec).broken_swaps(now)}
    taken = _days_traded_by_others(session, rotation, swaps)
    lost += [s for s in swaps if s.id in broken or {s.date_a, s.date_b} & taken]
    for row in lost:
        row.cancelled_at = was[(type(row), row.id)]
        _tell(session, team, rotation, row, event, "duty.departure.not_restored_notice")
    for row in rows:
        if row not in lost:  # they were told it was cancelled: now that it is back
            _tell(session, team, rotation, row, event, "duty.departure.restored_notice")
    session.flush()
    return len(covers) + len(swaps) - len(lost), len(lost)


def _cancelled_for(
    session: Session,
    model: type[_Plan],
    rotation: Rotation,
    event: MemberReactivated,
) -> Sequence[_Plan]:
    """The rotation's covers or swaps this departure cancelled that are still to take effect;
    a cover also when the departure has taken effect but the cover's time has not all passed:
    `/启用成员` two seconds after a mistaken `/停用成员` brought back 1on1s and 360 invitations,
    not a cover planned for next week, and said nothing of it (tester s23 F7)."""
    still = model.cancelled_at > event.now
    if model is Override:
        still = or_(still, Override.end_at > event.now)
    return session.scalars(
        select(model).where(
            model.rotation_id == rotation.id,
            model.cancelled_for_id == event.member_id,
            still,
        )
    ).all()


def _days_traded_by_others(
    session: Session, rotation: Rotation, restoring: Sequence[Swap]
) -> set[date]:
    """The days of ``restoring`` also traded by a swap in force that is not being restored. Two
    swaps in force never trade the same day (a second one is refused), so a restored swap
    trading one of them was cancelled while that one was made: restored, it would take the
    shift from under it, which then did nothing and nobody was told (session 15 tester). The
    newer one holds."""
    theirs = {day for s in restoring for day in (s.date_a, s.date_b) if day is not None}
    rows = session.execute(
        select(Swap.date_a, Swap.date_b).where(
            Swap.rotation_id == rotation.id,
            Swap.cancelled_at.is_(None),
            Swap.id.not_in([s.id for s in restoring]),
            or_(Swap.date_a.in_(theirs), Swap.date_b.in_(theirs)),
        )
    ).all()
    return {day for row in rows for day in row if day in theirs}


def _overlaps(session: Session, cover: Override) -> bool:
    """Whether another cover in force shares some of ``cover``'s time (one made meanwhile)."""
    others = session.scalars(
        select(Override).where(
            Override.rotation_id == cover.rotation_id,
            Override.id != cover.id,
            Override.start_at < cover.end_at,
        )
    ).all()
    return any(service.override_end(o) > max(o.start_at, cover.start_at) for o in others)


def _quoted(names: list[str]) -> str:
    return "、".join(f"「{name}」" for name in names)


def _left_already(
    session: Session, team: Team, rotation: Rotation, event: MemberReactivated
) -> bool:
    """Whether a removal of this departure took effect and the member is still out of the
    rotation now."""
    removed = session.scalar(
        select(RotationVersion.id).where(
            RotationVersion.rotation_id == rotation.id,
            RotationVersion.change == planning.ACTION_LEAVE,
            RotationVersion.note == str(event.member_id),
            RotationVersion.cancelled_at.is_(None),
            RotationVersion.effective_at <= event.now,
        )
    )
    if removed is None:
        return False
    version = CompiledRotation(service.current_spec(session, team, rotation)).version_at(event.now)
    return version is not None and event.member_id not in version.member_ids


def _departure_removals(
    session: Session, rotation_id: int, event: MemberReactivated
) -> list[RotationVersion]:
    return list(
        session.scalars(
            select(RotationVersion)
            .where(
                RotationVersion.rotation_id == rotation_id,
                RotationVersion.change == planning.ACTION_LEAVE,
                RotationVersion.note == str(event.member_id),
                RotationVersion.cancelled_at.is_(None),
                RotationVersion.effective_at > event.now,
            )
            .order_by(RotationVersion.effective_at.desc(), RotationVersion.id.desc())
        )
    )
