"""What people type or platforms report as names and keys: one cleaning, one folding.

:func:`fold` is the one comparison key for a handle or a team key (``member.handle_key``,
``team.folded_key``, both unique in their workspace); every lookup and every writer goes through
it, so ``Änne`` and ``änne``, ``Ωmega`` and ``ωmega``, ``ＮＥＷ`` and ``new`` are one name on every
backend (SQL ``lower()`` folds only ASCII on SQLite, and MariaDB's collations fold accents too).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar

from teamassist.bidi import unmarked

NAME_MAX = 200  # characters of a display name (the column's length)


def invisible(char: str) -> bool:
    """Zero-width, bidi and other format (Cf) or control (Cc) characters: invisible, they make
    two names look alike (``ad\u200bmin``) or turn the text around them (``\u202e``)."""
    return unicodedata.category(char) in {"Cf", "Cc"}


def fold(text: str) -> str:
    """The comparison key of a handle or key: NFKC, then Unicode full case folding, then NFKC
    again (casefold can leave a non-normalised string, e.g. for ``ǰ``); Unicode's
    NFKC_Casefold up to ignorables, which handles refuse anyway (``people.check_handle``).

    ``fold("ＮＥＷ") == fold("new")``, ``fold("Straße") == fold("STRASSE")``. At most three
    characters per input character (Unicode's longest full case folding), so a 64-character
    handle gives at most 192 (the columns hold 255).
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def name_key(name: str) -> str:
    """What makes two names one, as people read them: :func:`fold` without any :func:`blank`
    character (spaces, U+3000, zero-width and the letters that draw nothing). 「王　管理」,
    「王 管理」 and 「王\u200b管理」 read as 「王管理」, so a person may not take one beside the
    other (tester s28 E-11: a full-width blank inside passed the look-alike rule);
    ``member.name_key``, team names, names held after a rename."""
    return "".join(c for c in fold(name) if not blank(c))


def team_name_key(name: str) -> str:
    """What makes two team names one: :func:`fold` of the name without any :func:`blank`
    character. 「前 端 组」, 「前端组 」, 「前端\u200b组」, 「ＣＯＲＥ」 and 「Core」 read
    as one team in /切换团队 and the org page's lists, so they are one name, as the refusal
    says (「只差大小写、全角半角或空格」); before, spaces between words were kept and 「前 端
    组」 became a second team beside 「前端组」 (tester s26 A-4). ``teamassist doctor`` lists
    the teams stored before under one name (``team.doubles``), merging nothing."""
    return name_key(name)


class _Answering(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def folded_key(self) -> str: ...


_T = TypeVar("_T", bound=_Answering)


def teams_answering(teams: Iterable[_T], ref: str) -> list[_T]:
    """The teams of ``teams`` that ``ref`` names, as every ``--team`` and ``/切换团队`` read it:
    ``#12`` (``＃１２`` too: NFKC) is the id alone, as refusals print it; anything else is
    compared with every team's key (:func:`fold`), name (:func:`team_name_key`) and, when it
    is digits, id, all at once. More than one found is for the caller to refuse naming them:
    ``3``, one team's name and another's id, took the team named 3 in chat and the id in the
    command line (tester s27 C-2, s28 E-17)."""
    wanted = fold(ref.strip())
    number = wanted.removeprefix("#").strip()
    by_id = number.isdecimal()
    if wanted.startswith("#"):
        return [team for team in teams if by_id and str(team.id) == number]
    name = team_name_key(ref)
    return [
        team
        for team in teams
        if team.folded_key == wanted
        or team_name_key(team.name) == name
        or (by_id and str(team.id) == number)
    ]


def team_list(teams: Iterable[_Answering]) -> str:
    """Teams as refusals list them, ``key（名称，#id）``, joined by 、 (``-`` for none)."""
    return "、".join(f"{team.key}（{team.name}，#{team.id}）" for team in teams) or "-"


# What may end a sentence (and so not make two texts differ): NFKC has already made the
# full-width ones of ASCII (！？，；：～) ASCII.
_CLOSING = re.compile(r"[\s。.!?,;:、~～…]+$")


def _wide(char: str) -> bool:
    """A character set without spaces around it: Han, kana, Hangul, CJK punctuation, emoji."""
    return unicodedata.east_asian_width(char) in {"W", "F"}


def gist(text: str) -> str:
    """The comparison key of free text people retype: no invisible character (a zero-width
    space, a direction mark such as U+200F, U+FEFF: :func:`invisible`; blanks count as blanks
    and a ZERO WIDTH JOINER inside an emoji stays, as :func:`strip_invisible` keeps it; tester
    s26 B-1), :func:`fold` (full-width letters and digits, case), runs of blanks as one space,
    no space beside a Chinese (or other wide) character, no closing punctuation.
    ``gist("明天 下午开会。") == gist("明天下午开会")`` and ``gist("ｍｅｅｔｉｎｇ TOMORROW") ==
    gist("meeting tomorrow")``, while ``"meeting tomorrow"`` stays apart from
    ``"meetingtomorrow"``. The repeat guards of 群发, /进展, /问题反馈, /销项 compare texts
    with it (tester F-B12, F-B13, session 25: 「明天下午 开会」 and 「推进中。」 went through)."""
    seen = "".join(
        c
        for i, c in enumerate(text)
        if c.isspace() or not invisible(c) or (c == ZWJ and _joins_emoji(text, i))
    )
    out: list[str] = []
    for word in fold(seen).split():
        if out and not _wide(out[-1][-1]) and not _wide(word[0]):
            out.append(" ")
        out.append(word)
    return _CLOSING.sub("", "".join(out))


ZWJ = "\u200d"
# What may stand between an emoji and a ZERO WIDTH JOINER: its presentation selector (U+FE0F) and
# a skin tone (U+1F3FB..U+1F3FF), as in ❤️‍🔥 and 👩🏽‍💻.
_EMOJI_TAIL = frozenset(["\ufe0f", *map(chr, range(0x1F3FB, 0x1F400))])


def _emoji(char: str) -> bool:
    """A pictograph (``So``, the category of 👨, ❤, 🔥; Python has no Extended_Pictographic)."""
    return unicodedata.category(char) == "So"


def _joins_emoji(text: str, at: int) -> bool:
    """Whether the ZWJ at ``at`` joins two emoji into one (👨‍👩‍👧): an emoji before it (its
    selector or skin tone aside) and one right after it."""
    before = at - 1
    while before >= 0 and text[before] in _EMOJI_TAIL:
        before -= 1
    return before >= 0 and _emoji(text[before]) and at + 1 < len(text) and _emoji(text[at + 1])


def strip_invisible(text: str) -> str:
    """``text`` without invisible characters (see :func:`invisible`), trimmed; a ZERO WIDTH
    JOINER between two emoji is kept, as it makes them one (家庭👨‍👩‍👧 became 家庭👨👩👧,
    three people, session 13), while one anywhere else (``ad\u200dmin``) is dropped."""
    return "".join(
        c for i, c in enumerate(text) if not invisible(c) or (c == ZWJ and _joins_emoji(text, i))
    ).strip()


# Letters that draw nothing though they are neither spaces nor format characters: Unicode's
# Default_Ignorable_Code_Point ranges outside Cf/Cc (DerivedCoreProperties.txt, Unicode 15.1:
# the Hangul fillers, the combining grapheme joiner, Khmer's inherent vowels, the Mongolian and
# other variation selectors, the unassigned ignorables), plus U+2800 BRAILLE PATTERN BLANK, which
# is a symbol but is the favourite "invisible name" on chat platforms.
_BLANK_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)


def blank(char: str) -> bool:
    """Whether ``char`` shows nothing: a space, an :func:`invisible` character or one of the
    letters that draw nothing (``\u3164`` HANGUL FILLER, ``\u2800``, variation selectors)."""
    if char.isspace() or invisible(char):
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _BLANK_RANGES)


def clean_text(text: str) -> str:
    """Free text people type (an agenda item, a 360 answer, a nomination's evidence, a career
    plan field) trimmed, or ``""`` when it shows nothing: only :func:`blank` characters, e.g.
    ``\u202e\u200b`` or ``\u3164``. The caller refuses ``""`` where text is required (a
    friendly ``Invalid``, nothing stored) and stores it as "none given" where it is optional.
    Visible text is kept as typed, fillers and all, less the direction marks it does not need
    (:func:`teamassist.bidi.unmarked`: an RLM in a Chinese O title or agenda item was stored,
    tester s27 B-2)."""
    trimmed = text.strip()
    return unmarked(trimmed) if not all(blank(c) for c in trimmed) else ""


def one_line(text: str) -> str:
    """A name as one line: :func:`strip_invisible` (control characters such as CR and LF
    too), runs of spaces made one, trimmed. Team, workspace, channel and rotation names and
    platform names: a rotation named ``值班\r\nBEGIN:VEVENT`` printed fake lines in
    /查看值班表 (tester s27 A-9)."""
    return " ".join(strip_invisible(text).split())


def platform_name(name: str | None, *, fallback: str, limit: int = NAME_MAX) -> str:
    """A display name a platform reported (QQ nickname, Feishu name), cleaned like a typed one:
    invisible characters dropped, runs of spaces made one, trimmed, cut to ``limit``; the
    platform's user id (``fallback``) when nothing is left. Never refuses: the person exists."""
    value = one_line(name or "")[:limit].strip()
    return value or fallback[:limit]
