"""Direct messages that are not commands: a domain may recognise their form (the seed's
``###群名###…`` grammar, 有事儿找组织), else they are small talk.

Both steps are query events on the bus, so the chat core never imports a domain:

- :class:`DirectText` is asked first; a domain answers only for a form it owns (forms are
  disjoint), every other handler returns None.
- :class:`SmallTalk` is asked when nobody did; an optional provider answers, else the
  dispatcher sends ``hint`` (the closest commands, from :mod:`teamassist.chat.suggest`).

Work that must not run inside the dispatcher's transaction (an HTTP call to a chat provider)
is handed over with :func:`after_commit`: the dispatcher runs it once the unit has committed,
and a failure there is logged, never raised into the platform's webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from teamassist.chat.context import CommandContext
from teamassist.chat.types import Reply
from teamassist.events import Query

log = logging.getLogger(__name__)

_LATER = "teamassist.chat.after_commit"  # session.info key

Later = Callable[[], None]


@dataclass(frozen=True)
class Answer:
    """A domain's answer: ``reply`` to send now, or None when it queued what it says itself."""

    reply: Reply | None


@dataclass(frozen=True)
class DirectText(Query[Answer]):
    """A 1:1 message that is not a ``/`` command (``text`` without the bot's @mention)."""

    ctx: CommandContext
    text: str


@dataclass(frozen=True)
class SmallTalk(Query[Answer]):
    """A 1:1 message nobody recognised; ``hint`` is what is sent when no provider answers."""

    ctx: CommandContext
    text: str
    hint: Reply


def after_commit(session: Session, work: Later) -> None:
    """Run ``work`` after the dispatcher's unit of ``session`` commits (not at all if it rolls
    back). ``work`` opens its own transactions."""
    session.info.setdefault(_LATER, []).append(work)


@event.listens_for(Session, "after_soft_rollback")
def _forget_later(session: Session, previous: SessionTransaction) -> None:
    """A unit rolled back whole (a handler's error, a retried lock race, a repeated event id
    whose inbox row is refused last) runs none of the work it handed over: a retry would call
    the chat provider twice. A savepoint's rollback keeps it: the unit goes on."""
    if not previous.nested and previous.parent is None:
        session.info.pop(_LATER, None)


def take_later(session: Session) -> list[Later]:
    """The work registered with :func:`after_commit` in ``session`` (emptied)."""
    work: list[Later] = session.info.pop(_LATER, [])
    return work


def run_later(work: list[Later]) -> None:
    """Run committed units' follow-up work; a failure is logged and goes no further."""
    for item in work:
        try:
            item()
        except Exception:
            log.exception("work after commit failed")
