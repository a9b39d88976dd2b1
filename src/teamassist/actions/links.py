"""What an item is linked to, as people write it in chat: ``KR-3`` at the end of the text or
``关联 KR-3`` (``关联KR-3``, ``link KR-3``) anywhere. The KR is resolved through the
:class:`teamassist.events.KeyResultNamed` query, answered by the OKR desk (this desk never reads
OKR tables); an unknown KR is refused, nothing is created. Meetings and 1on1s link by their
generic source (``meeting`` / ``one_on_one`` and an id) through REST or the domain that opens
the item (:class:`teamassist.events.FollowUpNeeded`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from teamassist.actions.service import Source
from teamassist.chat.parser import ascii_digits
from teamassist.events import KeyResultNamed, SourceKnown, ask
from teamassist.exceptions import Invalid, NotFound
from teamassist.team.models import Member, Team

_KR = re.compile(r"KR-?[0-9]{1,9}", re.IGNORECASE)
_LINK_WORDS = ("关联", "link")


@dataclass(frozen=True)
class KeyResultLink:
    """A resolved KR: the source to store, and how to name it in the reply."""

    source: Source
    ref: str
    title: str


def _plain(token: str) -> str:
    return unicodedata.normalize("NFKC", ascii_digits(token)).strip()


def _is_kr(token: str) -> bool:
    return _KR.fullmatch(_plain(token)) is not None


def split_link(words: list[str], *, at_end: bool = True) -> tuple[str | None, list[str]]:
    """The KR ref the words name (``关联 KR-3`` anywhere; a bare ``KR-3`` last when
    ``at_end``) and the words without it."""
    for index, word in enumerate(words):
        folded = _plain(word).casefold()
        for link in _LINK_WORDS:
            if folded == link and index + 1 < len(words) and _is_kr(words[index + 1]):
                return words[index + 1], words[:index] + words[index + 2 :]
            if folded.startswith(link) and _is_kr(word[len(link) :]):
                return word[len(link) :], words[:index] + words[index + 1 :]
    if at_end and words and _is_kr(words[-1]):
        return words[-1], words[:-1]
    return None, words


def resolve(session: Session, *, team: Team, ref: str, today: date) -> KeyResultLink:
    """The KR ``ref`` names, asked of the OKR desk; ``Invalid`` when nobody knows it."""
    answers = ask(session, KeyResultNamed(team=team, ref=ref, today=today))
    written = "KR-" + str(int(re.sub(r"[^0-9]", "", _plain(ref))))  # as okr prints it
    if not answers:
        raise Invalid("actions.error.no_key_result", ref=written[:20])
    kr_id, title = answers[0]
    return KeyResultLink(Source("okr_kr", kr_id), written, title)


def require_known(session: Session, *, team: Team, source: Source, by: Member) -> None:
    """Refuse (``NotFound`` ``actions.error.unknown_source``) a source given by id that no
    domain knows in ``team``, or that ``by`` may not read (another person's career plan, the
    agenda of a 1on1 they are not in): asked through :class:`teamassist.events.SourceKnown`."""
    answers = ask(session, SourceKnown(team=team, kind=source.kind, source_id=source.id, by=by))
    if not any(answers):
        raise NotFound("actions.error.unknown_source", kind=source.kind[:32], id=source.id)
