"""Action items as platform tasks: every change is mirrored through the ``Tasks`` port (a Feishu
team sees one Task v2 task per item), and a task completed on the platform marks its item done;
un-completed there before the item was checked, the item is open again.

The mirror is keyed ``actions.item:<id>``; the built-in ``Tasks`` does nothing, since action
items are the product's own tasks.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from teamassist.actions import notices, service
from teamassist.actions.models import ActionItem, ActionState
from teamassist.events import ActionItemChanged, PlatformTaskCompleted, PlatformTaskReopened
from teamassist.ports import TaskMirror, Tasks
from teamassist.team.models import Member, Team

PREFIX = "actions.item:"


def key(item: ActionItem) -> str:
    """The mirror key of ``item``."""
    return f"{PREFIX}{item.id}"


def mirror_of(
    item: ActionItem, team: Team, *, public_url: str, cancelled: bool = False
) -> TaskMirror:
    """``item`` as the port sees it: the owner is the assignee; the requester and the
    director follow it (the owner never follows their own task); ``cancelled`` when it was
    closed because what it follows up was cancelled (:func:`service.closed_as_cancelled`)."""
    followers = tuple(
        dict.fromkeys(
            m for m in (item.requester_id, team.director_id) if m is not None and m != item.owner_id
        )
    )
    base = public_url.rstrip("/")
    return TaskMirror(
        key=key(item),
        title=item.title,
        due_at=item.due_at,
        assignee_id=item.owner_id,
        follower_ids=followers,
        done=item.state != ActionState.OPEN.value,
        url=f"{base}/actions/{item.id}" if base else "",
        cancelled=cancelled,
    )


def on_changed(
    session: Session, event: ActionItemChanged, *, tasks: Tasks, public_url: str
) -> None:
    """Mirror the changed item (the port queues; nothing reaches the platform here)."""
    item = session.get(ActionItem, event.item_id)
    team = session.get(Team, item.team_id) if item is not None else None
    if item is None or team is None:
        return
    cancelled = service.closed_as_cancelled(session, item)
    task = mirror_of(item, team, public_url=public_url, cancelled=cancelled)
    tasks.mirror(session, team=team, task=task, now=event.now)


def _item_of(session: Session, mirror_key: str, workspace_id: int) -> ActionItem | None:
    """The item mirrored under ``mirror_key`` in ``workspace_id``, locked; None if not ours."""
    if not mirror_key.startswith(PREFIX) or not mirror_key[len(PREFIX) :].isdigit():
        return None
    item = session.get(
        ActionItem, int(mirror_key[len(PREFIX) :]), with_for_update=True, populate_existing=True
    )
    return item if item is not None and item.workspace_id == workspace_id else None


def on_platform_completed(session: Session, event: PlatformTaskCompleted) -> None:
    """A mirrored task was completed on the platform: its open item becomes done, as if its
    owner had said so (the requester is then asked to check, as always). Anything else (not
    ours, gone, already done or closed) is left alone: the platform redelivers events."""
    item = _item_of(session, event.key, event.workspace_id)
    if item is None or item.state != ActionState.OPEN.value:
        return
    owner = session.get(Member, item.owner_id)
    team = session.get(Team, item.team_id)
    assert owner is not None and team is not None  # RESTRICT / CASCADE foreign keys
    service.mark_done(session, item=item, actor=owner, now=event.at)
    notices.done(session, team=team, item=item, owner=owner)


def on_platform_reopened(session: Session, event: PlatformTaskReopened) -> None:
    """A mirrored task was un-completed on the platform: a done item waiting to be checked is
    open again, as the owner's taking back "done", and the requester is told there is nothing
    to check. An item already open (the product reopened it and the mirror un-completed the
    task), closed (checked: final) or not ours is left alone."""
    item = _item_of(session, event.key, event.workspace_id)
    if item is None or item.state != ActionState.DONE.value:
        return
    team = session.get(Team, item.team_id)
    owner = session.get(Member, item.owner_id)
    assert owner is not None and team is not None  # RESTRICT / CASCADE foreign keys
    if service.undo_done(session, item=item, now=event.at, via="task"):
        notices.undone(session, team=team, item=item, owner=owner)
