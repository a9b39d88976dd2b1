"""A team's 360 knobs, in ``team.settings["reviews"]``: ``k`` and the question template.

``min_answers`` (k, default 3) is the fewest answers a pool needs before anything of it is
shown. Values below 2 read as 2: with k = 1 every single answer would be shown alone, which is
the reviewer's name in all but form. The self pool is never counted against k (see
:mod:`teamassist.reviews.summary`).

``questions`` is the team's template: a list of ``{"key", "kind", "text"}`` with ``kind``
``rating`` (1–5, the labels in the catalogue) or ``text``; absent, the catalogue's default
(``reviews.questions``) is used. A cycle copies both when it starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from teamassist.exceptions import Invalid
from teamassist.i18n import lookup
from teamassist.team.models import Team

MIN_ANSWERS = 3
FLOOR = 2  # the smallest k a team may choose
# The largest: a pool is the reviewee's manager, reports or up to 8 peers (plus those added);
# k = 1000 (tester M4) silently hid every pool of every later cycle.
CEILING = 20
MAX_QUESTIONS = 30
MAX_QUESTION_TEXT = 300
KINDS = ("rating", "text")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class ReviewSettings:
    """What the 360 desk reads from a team's settings."""

    min_answers: int
    questions: list[dict[str, Any]]


def default_questions() -> list[dict[str, Any]]:
    """The catalogue's template (``[[questions]]`` in ``locale/reviews.toml``)."""
    return [dict(q) for q in lookup("reviews.questions") or []]


def check_questions(raw: object) -> list[dict[str, Any]]:
    """``raw`` as a clean question list, or Invalid (``reviews.error.bad_questions``) naming
    what is wrong: 1–30 questions, lower-case keys, a known kind, 1–300 characters; a key
    given twice is ``reviews.error.duplicate_key``, naming it."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_QUESTIONS:
        raise Invalid("reviews.error.bad_questions", detail=f"1–{MAX_QUESTIONS}")
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, dict):
            raise Invalid("reviews.error.bad_questions", detail="{key, kind, text}")
        key, kind, text = item.get("key"), item.get("kind"), item.get("text")
        if isinstance(key, str) and key in seen:
            raise Invalid("reviews.error.duplicate_key", name=key)
        if not isinstance(key, str) or not _KEY.match(key):
            raise Invalid("reviews.error.bad_questions", detail=f"key {str(key)[:40]}")
        if kind not in KINDS:
            raise Invalid("reviews.error.bad_questions", detail=f"kind {str(kind)[:40]}")
        if not isinstance(text, str) or not 1 <= len(text.strip()) <= MAX_QUESTION_TEXT:
            raise Invalid("reviews.error.bad_questions", detail=f"text of {key}")
        seen.add(key)
        cleaned.append({"key": key, "kind": kind, "text": text.strip()})
    return cleaned


def of(team: Team) -> ReviewSettings:
    """The team's settings; a missing or unreadable value takes its default."""
    raw = (team.settings or {}).get("reviews") or {}
    k = raw.get("min_answers")
    if not isinstance(k, int) or isinstance(k, bool):
        k = MIN_ANSWERS
    k = min(k, CEILING)  # one stored before the ceiling was set
    try:
        questions = check_questions(raw["questions"]) if "questions" in raw else None
    except Invalid:
        questions = None
    return ReviewSettings(max(k, FLOOR), questions or default_questions())


def update(
    team: Team, *, min_answers: int | None = None, questions: object | None = None
) -> ReviewSettings:
    """Change k and/or the template; everything is checked before anything changes
    (Invalid ``reviews.error.bad_k`` for k outside :data:`FLOOR`–:data:`CEILING`)."""
    stored = dict((team.settings or {}).get("reviews") or {})
    if min_answers is not None:
        if not FLOOR <= min_answers <= CEILING:
            raise Invalid("reviews.error.bad_k", floor=FLOOR, ceiling=CEILING, value=min_answers)
        stored["min_answers"] = min_answers
    if questions is not None:
        stored["questions"] = check_questions(questions)
    team.settings = {**(team.settings or {}), "reviews": stored}
    return of(team)
