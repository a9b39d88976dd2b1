"""Every catalogue key the code and the templates use exists, and no catalogue entry is empty.

A missing key only shows when its line runs (``t`` raises ``KeyError``), often in a branch no
test reaches; this reads the sources instead. Literal keys are found where they are used:
calls to ``t``/``lookup`` and the helpers that take a key, ``DomainError`` and its subclasses,
``key=`` arguments, names called ``key``/``*_key`` given a literal, navigation labels, and
``t('…')`` in the Jinja templates. A key built at run time (an f-string, or ``"a." ~ x`` in a
template) must be listed in :data:`DYNAMIC` with the finite set of values it takes, taken from
the enum or the constants it is built from; an unlisted one fails the test, so none escapes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chinese_calendar import Holiday

from teamassist.actions.models import ActionState
from teamassist.adapters.feishu import gave_up as feishu_gave_up
from teamassist.announcements.models import AnnouncementKind
from teamassist.bootstrap import DOMAINS
from teamassist.careers.models import STATES as CAREER_STATES
from teamassist.careers.models import STATUSES as CAREER_STATUSES
from teamassist.careers.words import SUBCOMMANDS as CAREER_WORDS
from teamassist.chat.registry import ArgKind, Permission
from teamassist.documents import templating
from teamassist.duty import feeds as duty_feeds
from teamassist.duty.calendar import CalendarMode
from teamassist.duty.feed_models import SCOPE_MEMBER, SCOPE_ROTATION
from teamassist.duty.flows import PUBLIC_COMMANDS
from teamassist.duty.pages.editor_form import ACTIONS as EDITOR_ACTIONS
from teamassist.duty.planning import (
    ACTION_ADD,
    ACTION_PARAMS,
    ACTION_REMOVE,
    ACTION_REPLAN,
    ACTION_SWAP,
)
from teamassist.duty.rotation import SOURCE_OVERRIDE, SOURCE_SWAP
from teamassist.enums import ChannelPurpose, Role
from teamassist.feedback.models import CLOSED_STATUSES, FeedbackAction, FeedbackKind, FeedbackStatus
from teamassist.http import errors as http_errors
from teamassist.i18n import catalogue
from teamassist.okr.formulas import KrKind, Status
from teamassist.okr.models import ObjectiveType
from teamassist.okr.sheet import COLUMNS as SHEET_COLUMNS
from teamassist.one_on_ones import messages as one_on_ones_messages
from teamassist.org_contact import service as org_contact_service
from teamassist.outbox.models import OutboxStatus
from teamassist.reports.kinds import TEMPLATES as REPORT_TEMPLATES
from teamassist.reviews import service as review_service
from teamassist.reviews.models import Pool as ReviewPool
from teamassist.reviews.models import RequestStatus as ReviewRequestStatus
from teamassist.team.binding import KINDS
from teamassist.web.form_errors import FIELD_LABELS

SRC = Path(__file__).resolve().parents[2] / "src" / "teamassist"

# Callables whose argument at this position is a catalogue key.
KEY_ARGS: dict[str, int] = {
    "t": 0,
    "lookup": 0,
    "simple": 0,  # duty.messages.simple
    "_field": 0,  # chat.commands._field
    "_words": 0,  # duty.commands._words
    "ArgError": 0,
    "DomainError": 0,  # and every subclass, found in the sources
    "command_button": 1,  # (command, label key, ...)
    "NavEntry": 1,  # (href, label key)
}
KEY_KEYWORDS = {"key", "label_key"}
KEY_NAME = re.compile(r"^(key|[a-z_]*_key)$")
KEY_SHAPE = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
TEMPLATE_CALL = re.compile(r"""\bt\(\s*(["'])([^"']*)\1\s*(~)?""")


@dataclass(frozen=True)
class Use:
    """One key (or key pattern, ``{}`` where a value goes) used at ``where``."""

    key: str
    where: str
    dynamic: bool = False


def _literal_args(name: str, path: Path, position: int = 0) -> set[str]:
    """The literal arguments at ``position`` of every call to ``name`` (or ``x.name``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call) and _callee(node) == name and len(node.args) > position:
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def _command_keys() -> set[str]:
    """``<domain>.commands.<action>`` of every declared chat command."""
    return {spec.catalogue_key for d in DOMAINS for g in d.commands for spec in g.commands}


# Each key built at run time, as a pattern, and the values that fill it. The values come from
# the enums and constants the code builds the key from, never from the catalogue itself.
DYNAMIC: dict[str, Callable[[], Iterable[str | tuple[str, ...]]]] = {
    "{}_rest": lambda: sorted(http_errors.REST_WORDING),
    "okr.kind.{}": lambda: list(KrKind),
    "feishu.gave_up.advice.{}": lambda: list(feishu_gave_up.ADVICE_KEYS),
    "feishu.gave_up.kind.{}": lambda: list(feishu_gave_up.KINDS),
    "actions.state.{}": lambda: [*ActionState, "overdue"],
    "careers.status.{}": lambda: list(CAREER_STATUSES),
    "duty_feeds.reset_how.{}": lambda: list(duty_feeds.RESET_VIA),
    "careers.status_words.{}": lambda: list(CAREER_STATUSES),
    "careers.state.{}": lambda: list(CAREER_STATES),
    "careers.words.{}": lambda: list(CAREER_WORDS),
    "reports.web.template_{}": lambda: list(REPORT_TEMPLATES),
    "reviews.act.{}": lambda: [*review_service.ACTS, *review_service.ACTS_NEEDING_A_PERSON],
    "documents.engine.{}": lambda: list(templating.ENGINE_KEYS),
    "core.permission.{}": lambda: list(Permission),
    "reviews.pool.{}": lambda: list(ReviewPool),
    "web.form.field.{}": lambda: list(FIELD_LABELS),
    "reviews.status.{}": lambda: list(ReviewRequestStatus),
    "org_contact.ack.route.{}": lambda: list(org_contact_service.TOLD_ROUTES),
    "one_on_ones.receipt.{}": lambda: list(one_on_ones_messages.MOVED_KEYS.values()),
    # messages.changed("<key>", ...): the notices and receipts of one change.
    "actions.{}": lambda: [
        f"{kind}.{change}"
        for kind, changes in (
            ("notice", ("done", "closed", "reopened", "extended")),
            ("receipt", ("done", "closed", "reopened", "extended")),
        )
        for change in changes
    ],
    "okr.otype.{}": lambda: list(ObjectiveType),
    "okr.status.{}": lambda: list(Status),
    "okr_sheet.column.{}": lambda: SHEET_COLUMNS,
    "feedback.status.{}": lambda: list(FeedbackStatus),
    "feedback.box.{}": lambda: list(FeedbackStatus),
    "feedback.kind.{}": lambda: list(FeedbackKind),
    "feedback.received.{}": lambda: list(FeedbackKind),
    "feedback.notice.title_{}": lambda: list(FeedbackKind),
    # The generic line; the actions with parameters are spelled out above it in messages.py.
    "feedback.action.{}": lambda: list(FeedbackAction),
    "feedback.done.{}": lambda: _literal_args("done", SRC / "feedback" / "commands.py"),
    # flows._loop(session, item, "<action>", ...), and close() with a closing status.
    "feedback.reporter.{}": lambda: (
        _literal_args("_loop", SRC / "feedback" / "flows.py", 2) | set(CLOSED_STATUSES)
    ),
    "feedback.show.{}": lambda: _literal_args("field", SRC / "feedback" / "messages.py"),
    "core.role.{}": lambda: list(Role),
    "people.words.role.{}": lambda: list(Role),
    "core.arg.{}": lambda: list(ArgKind),
    # Probed with lookup() by a word argument's name, falling back to its kind's word.
    "core.arg.word_{}": lambda: [
        "group",
        "who",
        "role",
        "code",
        "date_a",
        "level",
        "outcome",
        "ref",
        "cycle",
    ],
    "announcements.word.{}": lambda: list(AnnouncementKind),
    # Probed with lookup() and falls back to core.http.other: only the fallback must exist.
    "core.http.{}": lambda: ["other"],
    "web.outbox_status.{}": lambda: list(OutboxStatus),
    "web.purpose_label.{}": lambda: list(ChannelPurpose),
    "{}.commands.{}.name": lambda: [tuple(k.split(".commands.")) for k in _command_keys()],
    "{}.name": _command_keys,
    "{}.help": lambda: _command_keys() | set(PUBLIC_COMMANDS),
    "{}.usage": lambda: _command_keys() | set(PUBLIC_COMMANDS),
    "{}.aliases": _command_keys,
    "duty.roster_source.{}": lambda: [SOURCE_SWAP, SOURCE_OVERRIDE],
    "duty.change.{}": lambda: [
        "create",
        ACTION_ADD,
        ACTION_REMOVE,
        ACTION_SWAP,
        ACTION_REPLAN,
        ACTION_PARAMS,
    ],
    "duty.notice.{}_reminder": lambda: ["sign_in", "sign_out"],
    "duty.calendar_mode.{}": lambda: list(CalendarMode),
    "duty.words.calendar.{}": lambda: list(CalendarMode),
    "duty_web.editor.calendar_label.{}": lambda: list(CalendarMode),
    "duty_web.editor.action_label.{}": lambda: EDITOR_ACTIONS,
    # Probed with lookup(), shown as stored when unknown; every value the code writes is named.
    "duty_web.editor.change_label.{}": lambda: [
        "create",
        ACTION_ADD,
        ACTION_REMOVE,
        ACTION_SWAP,
        ACTION_REPLAN,
        ACTION_PARAMS,
    ],
    "duty_web.holiday_names.{}": lambda: [h.value for h in Holiday],
    # The tab list is spelled out in duty/_layout.html; these are the duty page routers' tabs.
    "duty_web.tabs.{}": lambda: ["today", "roster", "sign_ins", "fairness", "editor", "feeds"],
    "duty_web.feeds.scope_{}": lambda: [SCOPE_MEMBER, SCOPE_ROTATION],
    "binding.kind.{}": lambda: list(KINDS),
    "importer.kind.{}": lambda: ["members", "rotations", "sign_ins", "feedback"],
}


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _pattern(node: ast.JoinedStr) -> str:
    parts: list[str] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        else:
            parts.append("{}")
    return "".join(parts)


def _keys_in(node: ast.expr, where: str, *, shaped: bool) -> Iterator[Use]:
    """The keys ``node`` can evaluate to: a literal, both sides of ``a if c else b``, an f-string.

    ``shaped`` keeps only key-like literals (for names and keywords that may hold other text).
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if not shaped or KEY_SHAPE.match(node.value):
            yield Use(node.value, where)
    elif isinstance(node, ast.IfExp):
        yield from _keys_in(node.body, where, shaped=shaped)
        yield from _keys_in(node.orelse, where, shaped=shaped)
    elif isinstance(node, ast.JoinedStr):
        pattern = _pattern(node)
        if not shaped or KEY_SHAPE.match(pattern.replace("{}", "x")):
            yield Use(pattern, where, dynamic=True)


def _error_classes(trees: Iterable[ast.Module]) -> set[str]:
    """``DomainError`` and every class that derives from it (by name, to a fixed point)."""
    names = {"DomainError", "ArgError"}
    classes = [n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases}
            if cls.name not in names and bases & names:
                names.add(cls.name)
                grew = True
    return names


def collect_python(sources: dict[str, str]) -> list[Use]:
    """Every key use in ``sources`` (a display name → Python text)."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    positions = dict(KEY_ARGS) | dict.fromkeys(_error_classes(trees.values()), 0)
    uses: list[Use] = []
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                callee = _callee(node)
                position = positions.get(callee or "")
                if position is not None and len(node.args) > position:
                    where = f"{name}:{node.lineno}"
                    uses.extend(_keys_in(node.args[position], where, shaped=False))
                for keyword in node.keywords:
                    if keyword.arg in KEY_KEYWORDS or (callee == "NavEntry" and keyword.arg):
                        where = f"{name}:{keyword.value.lineno}"
                        uses.extend(_keys_in(keyword.value, where, shaped=True))
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(x, ast.Name) and KEY_NAME.match(x.id) for x in targets):
                    where = f"{name}:{node.lineno}"
                    uses.extend(_keys_in(node.value, where, shaped=True))
    return uses


def collect_template(name: str, text: str) -> list[Use]:
    """Every ``t('…')`` in a Jinja template; ``t('a.' ~ x)`` is the pattern ``a.{}``."""
    uses: list[Use] = []
    for match in TEMPLATE_CALL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        concatenated = match.group(3) is not None
        key = match.group(2) + "{}" if concatenated else match.group(2)
        uses.append(Use(key, f"{name}:{line}", dynamic=concatenated))
    return uses


def expand(use: Use) -> list[str] | None:
    """The concrete keys of ``use``; None when a dynamic pattern is not in :data:`DYNAMIC`."""
    if not use.dynamic:
        return [use.key]
    values = DYNAMIC.get(use.key)
    if values is None:
        return None
    keys: list[str] = []
    for value in values():
        filled = value if isinstance(value, tuple) else (str(value),)
        keys.append(use.key.format(*filled))
    return keys


def problems(uses: Iterable[Use], entries: dict[str, object]) -> list[str]:
    """One line per use whose key is missing, or whose pattern nobody enumerated."""
    found: list[str] = []
    for use in uses:
        keys = expand(use)
        if keys is None:
            found.append(f"{use.where}: dynamic key {use.key!r} is not listed in DYNAMIC")
            continue
        found.extend(f"{use.where}: missing {k!r}" for k in keys if k not in entries)
    return sorted(found, key=_by_place)


def _by_place(problem: str) -> tuple[str, int]:
    name, line, _ = problem.split(":", 2)
    return name, int(line)


def all_uses() -> list[Use]:
    root = SRC.parents[1]
    python = {
        str(p.relative_to(root)): p.read_text("utf-8")
        for p in sorted(SRC.rglob("*.py"))
        if "migrations" not in p.parts
    }
    uses = collect_python(python)
    for path in sorted(SRC.rglob("*.html")):
        uses.extend(collect_template(str(path.relative_to(root)), path.read_text("utf-8")))
    return uses


def test_every_key_used_in_code_and_templates_exists() -> None:
    uses = all_uses()
    assert len(uses) > 300  # the collector still sees the code
    assert problems(uses, catalogue()) == []


def test_every_dynamic_pattern_is_still_used() -> None:
    used = {u.key for u in all_uses() if u.dynamic}
    assert set(DYNAMIC) - used == set()


def test_no_catalogue_entry_is_empty() -> None:
    empty = [key for key, value in catalogue().items() if value == "" or value == []]
    assert empty == []


SAMPLE = """
from teamassist.exceptions import NotFound

class Gone(NotFound):
    pass

def f(flag: bool, kind: str) -> None:
    t("core.error.no_team", team=1)
    t("core.made.up")
    key = "core.also.made_up" if flag else "core.error.no_team"
    raise Gone("core.error.invented")

def g(kind: str) -> str:
    return t(f"core.role.{kind}") + t(f"core.nowhere.{kind}")
"""


def test_the_collector_reports_made_up_keys_by_file_and_line() -> None:
    exceptions = (SRC / "exceptions.py").read_text("utf-8")  # where NotFound is declared
    uses = collect_python({"exceptions.py": exceptions, "sample.py": SAMPLE})
    assert problems(uses, catalogue()) == [
        "sample.py:9: missing 'core.made.up'",
        "sample.py:10: missing 'core.also.made_up'",
        "sample.py:11: missing 'core.error.invented'",
        "sample.py:14: dynamic key 'core.nowhere.{}' is not listed in DYNAMIC",
    ]


def test_the_collector_reads_templates() -> None:
    text = '<p>{{ t("web.product") }}</p>\n{{ t("web.nope") }} {{ t("web.gone." ~ x) }}'
    assert problems(collect_template("x.html", text), catalogue()) == [
        "x.html:2: missing 'web.nope'",
        "x.html:2: dynamic key 'web.gone.{}' is not listed in DYNAMIC",
    ]
