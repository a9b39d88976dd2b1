"""How the OKR commands read their words: short ids, numbers, percents, and keyword pairs such
as ``起始 50 目标 10 单位 个 权重 50%`` (a keyword may also run straight into its value,
``权重50%``). Every refusal is an ``Invalid`` with a catalogue key; nothing here touches storage.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from teamassist.chat.parser import mention_at
from teamassist.chat.types import Mention, MentionToken
from teamassist.chat.when import ascii_digits
from teamassist.exceptions import Invalid
from teamassist.i18n import t
from teamassist.okr.formulas import KrKind
from teamassist.okr.models import ObjectiveType

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_SHORT_ID = re.compile(r"^(?:O|KR)-?[0-9]+$", re.IGNORECASE)
ECHO_MAX = 64

KR_KEYWORDS: Mapping[str, str] = {
    "起始": "start",
    "起始值": "start",
    "start": "start",
    "目标": "target",
    "目标值": "target",
    "target": "target",
    "单位": "unit",
    "unit": "unit",
    "权重": "weight",
    "weight": "weight",
    "类型": "kind",
    "kind": "kind",
}
OBJECTIVE_KEYWORDS: Mapping[str, str] = {
    "类型": "kind",
    "kind": "kind",
    "周期": "cycle",
    "cycle": "cycle",
}
CHECKIN_KEYWORDS: Mapping[str, str] = {"信心": "confidence", "confidence": "confidence"}

KR_KINDS: Mapping[str, KrKind] = {
    "提升": KrKind.INCREASE,
    "上升": KrKind.INCREASE,
    "increase": KrKind.INCREASE,
    "降低": KrKind.DECREASE,
    "下降": KrKind.DECREASE,
    "decrease": KrKind.DECREASE,
    "保持≥": KrKind.STAY_ABOVE,
    "保持>=": KrKind.STAY_ABOVE,
    "不低于": KrKind.STAY_ABOVE,
    "stay_above": KrKind.STAY_ABOVE,
    "保持≤": KrKind.STAY_BELOW,
    "保持<=": KrKind.STAY_BELOW,
    "不高于": KrKind.STAY_BELOW,
    "stay_below": KrKind.STAY_BELOW,
    "是否完成": KrKind.BINARY,
    "是否": KrKind.BINARY,
    "binary": KrKind.BINARY,
    "里程碑": KrKind.MILESTONE,
    "milestone": KrKind.MILESTONE,
}
OBJECTIVE_TYPES: Mapping[str, ObjectiveType] = {
    "承诺型": ObjectiveType.COMMITTED,
    "承诺": ObjectiveType.COMMITTED,
    "committed": ObjectiveType.COMMITTED,
    "挑战型": ObjectiveType.ASPIRATIONAL,
    "挑战": ObjectiveType.ASPIRATIONAL,
    "aspirational": ObjectiveType.ASPIRATIONAL,
}
EVEN_WORDS = frozenset({"均分", "平均", "even"})
DONE_WORDS: Mapping[str, float] = {"完成": 1.0, "已完成": 1.0, "done": 1.0, "未完成": 0.0}


def tokens(text: str | None) -> list[str]:
    """The whitespace-separated words of ``text`` (any Unicode space)."""
    return (text or "").split()


def plain(token: str) -> str:
    """``token`` as the parsers read it: full-width letters, digits and signs as ASCII
    (``ＫＲ－１`` is ``KR-1``), surrounding space dropped."""
    return unicodedata.normalize("NFKC", ascii_digits(token)).strip()


def echo(text: str) -> str:
    """What the user wrote, for a reply that names it (very long input is cut, marked …)."""
    written = text.strip()
    return written if len(written) <= ECHO_MAX else written[: ECHO_MAX - 1] + "…"


def is_short_id(token: str) -> bool:
    """Whether ``token`` looks like ``O-1`` or ``KR-3`` (full-width too)."""
    return _SHORT_ID.match(plain(token)) is not None


def number(token: str, *, what: str) -> float:
    """A number as typed (full-width digits too); ``okr.error.not_a_number`` otherwise."""
    written = ascii_digits(token).replace(",", "").replace("，", "")
    if _NUMBER.fullmatch(written) is None:
        raise Invalid("okr.error.not_a_number", value=token[:20], what=what)
    return float(written)


def weight(token: str) -> int:
    """A whole percent ``50`` / ``50%`` / ``５０％``; the range is checked by the service."""
    written = ascii_digits(token).rstrip("%％")
    if re.fullmatch(r"[+-]?[0-9]{1,6}", written) is None:
        raise Invalid("okr.error.bad_weight", value=token[:20])
    return int(written)


def confidence(token: str) -> int:
    """A confidence 0–10 as typed; the range is checked by the service."""
    written = ascii_digits(token).removesuffix("/10")
    if re.fullmatch(r"[+-]?[0-9]{1,6}", written) is None:
        raise Invalid("okr.error.bad_confidence", value=token[:20])
    return int(written)


@dataclass
class Phrase:
    """Free words (a title, a comment) and the keyword values found among them."""

    words: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(self.words)


def keywords(words: Sequence[str], table: Mapping[str, str], usage: str) -> Phrase:
    """Split ``words`` into free words and ``keyword value`` pairs of ``table``.

    A keyword needs a value after it (``okr.error.missing_value``); a keyword given twice keeps
    the last. Free words may only come before the first keyword or after the last pair.
    """
    phrase = Phrase()
    folded = {k.casefold(): v for k, v in table.items()}
    i = 0
    while i < len(words):
        word = words[i]
        name, glued = _keyword(word, folded)
        if name is None:
            phrase.words.append(word)
            i += 1
            continue
        if glued:
            phrase.values[name] = glued
            i += 1
            continue
        if i + 1 >= len(words):
            raise Invalid("okr.error.missing_value", what=word, example=usage)
        phrase.values[name] = words[i + 1]
        i += 2
    return phrase


def _keyword(word: str, folded: Mapping[str, str]) -> tuple[str | None, str]:
    lowered = word.casefold()
    if lowered in folded:
        return folded[lowered], ""
    for key in sorted(folded, key=len, reverse=True):
        if not key.isascii() and lowered.startswith(key) and len(word) > len(key):
            return folded[key], word[len(key) :]
    return None, ""


def kr_kind(token: str) -> KrKind:
    """A KR kind word (``提升``, ``保持≥``, ``binary``...)."""
    found = KR_KINDS.get(token.casefold()) or KR_KINDS.get(token)
    if found is None:
        raise Invalid("okr.error.bad_kind", value=token[:20])
    return found


def objective_type(token: str) -> ObjectiveType:
    """An O type word (``承诺型`` / ``挑战型``)."""
    found = OBJECTIVE_TYPES.get(token.casefold())
    if found is None:
        raise Invalid("okr.error.bad_otype", value=token[:20])
    return found


def checkin_value(token: str, *, unit: str = "") -> float:
    """A check-in value: a number, or 完成/未完成 for yes/no KRs; for a KR measured in ``%``
    the number may carry the sign (``73%``, ``７３％``: a tester's 73% was "not a number",
    session 18)."""
    if token.casefold() in DONE_WORDS:
        return DONE_WORDS[token.casefold()]
    if unit.strip() in ("%", "％"):
        token = token.removesuffix("%").removesuffix("％")
    return number(token, what=t("okr.word.value"))


PEOPLE_WORDS: Mapping[str, str] = {
    "负责人": "owner",
    "owner": "owner",
    "协作人": "contributors",
    "协作": "contributors",
    "contributors": "contributors",
}
NONE_WORDS = frozenset({"无", "none"})
_PEOPLE = re.compile(
    r"(?:^|(?<=\s))(" + "|".join(sorted(PEOPLE_WORDS, key=len, reverse=True)) + r")(?=[\s@＠<]|$)",
    re.IGNORECASE,
)
_BETWEEN = re.compile(r"[\s、，,]*")


@dataclass
class PeopleText:
    """``负责人 @张三 协作 @李四 @王五`` taken out of a command's text: the mentions (resolved by
    the caller) and the text without them. ``contributors`` None: not given; ``[]``: ``协作 无``."""

    text: str
    owner: MentionToken | None = None
    contributors: list[MentionToken] | None = None


def people(
    text: str,
    mentions: list[Mention] | None = None,
    known: Callable[[str], bool] | None = None,
) -> PeopleText:
    """Find ``负责人 @x`` (one) and ``协作 @y @z`` / ``协作 无`` in ``text``; a word with no
    mention after it is ``okr.error.people_need_mention``. ``known`` as
    :func:`teamassist.chat.parser.mention_at` takes it."""
    found = PeopleText(text)
    start = 0
    while (match := _PEOPLE.search(found.text, start)) is not None:
        role = PEOPLE_WORDS[match.group(1).casefold()]
        end = match.end()
        tokens: list[MentionToken] = []
        while (gap := _BETWEEN.match(found.text, end)) is not None and (
            taken := mention_at(found.text[gap.end() :], mentions, known)
        ) is not None:
            tokens.append(taken[0])
            end = gap.end() + taken[1]
        rest = found.text[end:].split(maxsplit=1)
        if not tokens and role == "contributors" and rest and rest[0].casefold() in NONE_WORDS:
            end = found.text.index(rest[0], end) + len(rest[0])
        elif not tokens:
            raise Invalid("okr.error.people_need_mention", word=match.group(1))
        elif role == "owner" and len(tokens) > 1:
            raise Invalid("okr.error.one_owner", count=len(tokens))
        if role == "owner":
            found.owner = tokens[0]
        else:
            found.contributors = tokens
        found.text = (
            found.text[: match.start()].rstrip() + " " + found.text[end:].lstrip()
        ).strip()
        start = match.start()
    return found
