"""Jinja2 templates that produce Markdown, in the sandbox.

Templates are user-editable (a team's own report text), so they run in Jinja2's
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with ``StrictUndefined``: a typo in a
field name fails when the template is saved, not in front of the meeting. Each calling package
keeps its partials in ``<package>/sources/*.j2``; ``{% include %}`` finds them there.

This module renders in the process that calls it: :mod:`teamassist.documents.sandbox` calls
:func:`render_here` in a worker process with a memory and a time limit (the general cap); the
budgets below are the cheap checks inside it that name what went over.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any, cast

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    pass_environment,
    pass_eval_context,
)
from jinja2 import filters as jinja_filters
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from teamassist.exceptions import Invalid
from teamassist.i18n import t

# Budgets for one render, so one saved template cannot hang a worker (a report is a few
# kilobytes; nested ``range(3000)`` loops made 9 MB in 4 s before these).
MAX_OUTPUT = 500_000  # characters of output, checked while streaming
MAX_RANGE_STEPS = 20_000  # items all ``range()`` calls of one render may yield together
MAX_PRODUCT = 100_000  # longest string/list a ``*``, ``**``, join or replace may make


class OverBudget(SecurityError):
    """A render went over one of the budgets above (a template that loops or repeats too much,
    not a broken one): callers may word it apart from a syntax error."""


class _Budget:
    """The ``range`` of one render: like the builtin, but all its calls share one step budget."""

    def __init__(self) -> None:
        self.left = MAX_RANGE_STEPS

    def range(self, *args: int) -> Iterator[int]:
        steps = range(*args)
        if len(steps) > self.left:
            raise OverBudget(f"range() over the budget of {MAX_RANGE_STEPS} steps per render")
        self.left -= len(steps)
        return iter(steps)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox with ``*`` and ``**`` checked: ``"x" * 10**9`` is refused, not built. A
    template's own lists and dicts cannot be changed (``l.extend(l)`` doubled one per loop
    step, tester s27 B-1): no default template changes one, and ``namespace()`` still works."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "%":
            if isinstance(left, str):
                _formatted_size(left, *(right if isinstance(right, tuple) else (right,)))
            return operator.mod(left, right)
        if operator_ == "**":
            if isinstance(right, int) and abs(right) > 64:
                raise OverBudget("exponent too large")
            return operator.pow(left, right)
        for a, b in ((left, right), (right, left)):
            sized = isinstance(a, str | list | tuple) and isinstance(b, int)
            if sized and len(a) * b > MAX_PRODUCT:
                raise OverBudget(f"a repeated value longer than {MAX_PRODUCT}")
        return operator.mul(left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # A string's format and format_map come here (the sandbox wraps them), not to ``call``.
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        spec, mapping = str(value.__self__), value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            given = args[0].values() if mapping and args and isinstance(args[0], Mapping) else ()
            _formatted_size(spec, *args, *given, **kwargs)
            return wrapped(*args, **kwargs)

        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # A string's own methods that build a longer string: their size is known first.
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") in _SIZED_METHODS:
            # Inside a loop or a block Jinja passes its scope along (``_loop_vars``,
            # ``_block_vars``, which the context's call takes off): not the method's arguments
            # (tester s28 D-7: every .replace() in a {% for %} was refused with a TypeError).
            given = {k: v for k, v in kwargs.items() if k not in _JINJA_CALL_KEYS}
            _SIZED_METHODS[__obj.__name__](owner, *args, **given)
        return super().call(__context, __obj, *args, **kwargs)


# What Jinja's compiled code adds to a call's keywords (``jinja2.runtime.Context.call``).
_JINJA_CALL_KEYS = frozenset({"_loop_vars", "_block_vars"})


# A width or precision in a format: ``%50000000s``, ``{:>50000000}``, ``{:{}}`` / ``%*s``.
_FORMAT_NUMBERS = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d*))?|\{[^{}]*:[^{}\d]*(\d*)(?:\.(\d*))?")


def _formatted_size(spec: str, *args: Any, **kwargs: Any) -> None:
    """Refuse a ``%`` / ``format`` whose padding would pass :data:`MAX_PRODUCT`: a width or
    precision written in the format, or given as an argument (``%*s``, ``{:{}}``)."""
    for match in _FORMAT_NUMBERS.finditer(spec):
        for number in match.groups():
            if number:
                _within(int(number[:7]))
    if "*" in spec or re.search(r"\{[^{}]*\{", spec):
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool):
                _within(abs(value))


def _within(size: int) -> None:
    if size > MAX_PRODUCT:
        raise OverBudget(f"a built value longer than {MAX_PRODUCT}")


def _replaced_size(s: str, old: object = "", new: object = "", count: object = -1, *_: Any) -> None:
    """Refuse a replace whose result would pass :data:`MAX_PRODUCT`: an empty ``old`` puts
    ``new`` between every two characters (``title|replace("", title)`` squares the length)."""
    old, new = str(old), str(new)
    times = s.count(old) if old else len(s) + 1
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        times = min(times, count)
    _within(len(s) + times * (len(new) - len(old)))


def _joined_size(d: str, items: Any = (), *_: Any) -> None:
    parts = [str(item) for item in items] if isinstance(items, list | tuple) else []
    _within(sum(map(len, parts)) + len(d) * max(len(parts) - 1, 0))


def _padded_size(s: str, width: object = 0, *_: Any) -> None:
    if isinstance(width, int):
        _within(max(len(s), width))


_SIZED_METHODS: dict[str, Any] = {
    "replace": _replaced_size,
    "join": _joined_size,
    "center": _padded_size,
    "ljust": _padded_size,
    "rjust": _padded_size,
    "zfill": _padded_size,
    "expandtabs": lambda s, size=8, *_: _within(len(s) + s.count("\t") * max(int(size), 0)),
    "format": _formatted_size,
}


@pass_eval_context
def _join(
    eval_ctx: EvalContext, value: Any, d: str = "", attribute: str | int | None = None
) -> str:
    """Jinja's ``join``, refused before it builds more than :data:`MAX_PRODUCT` characters
    (``range(6000)|join(range(6000)|join)`` built 137 MB per render, tester s26 B-19)."""
    items = list(value)
    if attribute is not None:
        items = list(map(jinja_filters.make_attrgetter(eval_ctx.environment, attribute), items))
    _joined_size(str(d), items)
    return cast(str, jinja_filters.do_join(eval_ctx, items, d))  # an async variant: typed Any


@pass_eval_context
def _replace(eval_ctx: EvalContext, s: str, old: str, new: str, count: int | None = None) -> str:
    """Jinja's ``replace``, refused before it builds more than :data:`MAX_PRODUCT` characters."""
    _replaced_size(str(s), old, new, -1 if count is None else count)
    return jinja_filters.do_replace(eval_ctx, s, old, new, count)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    _formatted_size(str(value), *args, **kwargs)
    return jinja_filters.do_format(value, *args, **kwargs)


def _indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    pad = width if isinstance(width, int) else len(str(width))
    _within(len(str(s)) + pad * (str(s).count("\n") + 1))
    return jinja_filters.do_indent(s, width, first, blank)


@pass_environment
def _wordwrap(
    environment: Environment,
    s: str,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> str:
    """Jinja's ``wordwrap``, refused when its result could pass :data:`MAX_PRODUCT` characters:
    each line break becomes ``wrapstring`` (``wordwrap(1, wrapstring="y" * 1000)`` put 1,000
    characters after every character, tester s27 B-1). A paragraph's line holds at least one
    character, and two of its lines together more than ``width`` (else the second's first word
    would have fitted on the first)."""
    text = str(s)
    paragraphs = len(text.splitlines()) + 1
    lines = min(len(text) + 1, 2 * len(text) // max(int(width), 1) + paragraphs)
    joint = environment.newline_sequence if wrapstring is None else str(wrapstring)
    _within(len(text) + lines * len(joint))
    return jinja_filters.do_wordwrap(
        environment, text, width, break_long_words, wrapstring, break_on_hyphens
    )


def _center(value: str, width: int = 80) -> str:
    _padded_size(str(value), width)
    return jinja_filters.do_center(value, width)


def _cell(value: object) -> str:
    """A value safe inside a Markdown table cell (no pipe, no line break)."""
    return str(value).replace("|", "｜").replace("\r", " ").replace("\n", " ").strip()


def _pct(value: object) -> str:
    """0.425 → ``43%`` (None → ``—``)."""
    if value is None:
        return "—"
    return f"{round(float(value) * 100)}%"  # type: ignore[arg-type]


@cache
def environment(package: str) -> SandboxedEnvironment:
    """The sandbox whose ``{% include %}`` finds ``<package>/sources/*.j2`` (the partials),
    with the filters ``cell`` (a value safe in a table cell) and ``pct`` (0.425 → ``43%``).
    One per package, cached."""
    env = _Sandbox(
        loader=PackageLoader(package, "sources"),
        undefined=StrictUndefined,
        autoescape=False,  # Markdown, not HTML: the HTML step escapes
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _cell
    env.filters["join"] = _join
    env.filters["replace"] = _replace
    env.filters["center"] = _center
    env.filters["format"] = _format
    env.filters["indent"] = _indent
    env.filters["pct"] = _pct
    env.filters["wordwrap"] = _wordwrap
    # lipsum(n) writes n paragraphs of filler: 40 s of CPU for n = 100,000 (tester s27 B-1)
    del env.globals["lipsum"]
    return env


def default_source(name: str, *, package: str) -> str:
    """The text of ``<package>/sources/<name>`` (a default template)."""
    env = environment(package)
    assert env.loader is not None
    text, _path, _uptodate = env.loader.get_source(env, name)
    return text


def render_here(
    source: str,
    context: Mapping[str, Any],
    *,
    package: str,
    error_key: str = "documents.error.template",
    budget_key: str | None = None,
) -> str:
    """The template ``source`` rendered with ``context`` (plain values) in this process;
    ``{% include %}`` reads the partials of ``package``. Only the worker of
    :mod:`teamassist.documents.sandbox` calls it: elsewhere use ``documents.render_markdown``.

    Raises :class:`teamassist.exceptions.Invalid` (``error_key``, with ``line`` and the
    engine's message as ``detail``) when the text is not a template or uses a missing field;
    a domain passes its own catalogue key to word it for its users. The same Invalid when a
    render goes over a budget: :data:`MAX_OUTPUT` characters, :data:`MAX_RANGE_STEPS` range
    steps, or a ``*``/``**``/join/replace/padding/wordwrap making more than :data:`MAX_PRODUCT`
    items; with a ``budget_key`` that Invalid carries ``budget_key`` instead (``detail`` names
    the budget). A :class:`MemoryError` is raised as it is: the worker words it."""
    try:
        template = environment(package).from_string(source)
        parts: list[str] = []
        size = 0
        for part in template.generate(**{"range": _Budget().range, **context}):
            size += len(part)
            if size > MAX_OUTPUT:
                raise OverBudget(f"output longer than {MAX_OUTPUT} characters")
            parts.append(part)
        return "".join(parts)
    except MemoryError:
        raise
    except OverBudget as error:
        raise refusal(
            error, explain(error, context), error_key=error_key, budget_key=budget_key
        ) from error
    except Exception as error:
        raise _invalid(error_key, error, context) from error


def refusal(
    error: BaseException | None, detail: str, *, error_key: str, budget_key: str | None
) -> Invalid:
    """The Invalid of a render that went over a limit (``detail`` says which): ``budget_key``
    when the caller gave one, else ``error_key`` with the template line ``error`` came from,
    or ``documents.error.template_unplaced`` when no line is known (the worker was stopped)."""
    if budget_key is not None:
        return Invalid(budget_key, detail=detail)
    line = _line_of(error) if error is not None else None
    if line is None:
        return Invalid("documents.error.template_unplaced", detail=detail)
    return Invalid(error_key, line=line, detail=detail)


def _invalid(error_key: str, error: BaseException, context: Mapping[str, Any]) -> Invalid:
    # a line only when one is known: "第 ? 行" told the tester nothing (session 16, M3)
    line = _line_of(error)
    if line is None:
        return Invalid("documents.error.template_unplaced", detail=explain(error, context))
    return Invalid(error_key, line=line, detail=explain(error, context))


# The engine's own words for the usual mistakes, matched to say them in the catalogue's
# language; anything else keeps the engine's text after a Chinese lead.
_ENGINE_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^'(?P<name>[^']+)' is undefined$"), "undefined"),
    (re.compile(r"^'(?P<kind>\w+) object' has no attribute '(?P<name>[^']+)'$"), "no_attribute"),
    (re.compile(r"^(?P<kind>\w+) object has no element (?P<name>.+)$"), "no_element"),
    (re.compile(r"^access to attribute '(?P<name>[^']+)' of .* is unsafe\.?$"), "unsafe"),
    (re.compile(r"^unexpected '(?P<name>[^']+)'$"), "unexpected"),
    (re.compile(r"^Encountered unknown tag '(?P<name>[^']+)'\.?"), "unknown_tag"),
    (re.compile(r"^Unexpected end of template\."), "unclosed"),
    (re.compile(r"^No filter named '(?P<name>[^']+)'\.?"), "no_filter"),
    (re.compile(r"^range\(\) over the budget"), "budget_range"),
    (re.compile(r"^output longer than"), "budget_output"),
    (
        re.compile(r"^(a repeated value longer than|a built value longer than|exponent too large)"),
        "budget_product",
    ),
)

ENGINE_KEYS = (
    *(key for _pattern, key in _ENGINE_WORDS),
    "no_index",
    "no_template",
    "zero",
    "syntax",
    "other",
)
"""The ``documents.engine.<key>`` entries :func:`explain` uses."""


def explain(error: BaseException, context: Mapping[str, Any]) -> str:
    """``error`` of a render said for the template's author: the usual mistakes in the
    catalogue's words (a missing field lists the fields there are), anything else with the
    engine's text kept after a Chinese lead."""
    text = str(error)
    for pattern, key in _ENGINE_WORDS:
        found = pattern.match(text)
        if found is not None:
            name = found.groupdict().get("name", "")
            if key == "no_element" and name.isdigit():
                # Jinja counts from 0; people count from 1 (tester F12, session 18: 「没有第 1
                # 项」 for members[1] read as "no first item" in a team of seven).
                return t("documents.engine.no_index", index=name, ordinal=int(name) + 1)
            fields = "、".join(sorted(k for k in context if not k.startswith("_")))
            return t(f"documents.engine.{key}", name=name, fields=fields)
    if isinstance(error, TemplateNotFound):
        # {% include %}, {% import %} or {% extends %} of a file that is not one of ours
        return t("documents.engine.no_template", name=getattr(error, "name", None) or text)
    if isinstance(error, ZeroDivisionError):
        return t("documents.engine.zero")
    if isinstance(error, TemplateError) and error.__class__.__name__.endswith("SyntaxError"):
        return t("documents.engine.syntax", detail=text)
    return t("documents.engine.other", detail=text)


def _line_of(error: BaseException) -> int | None:
    """The template line an error came from. A syntax error carries it; an error while
    rendering (a missing field, a division by zero, a loop over a number) does not, but Jinja
    rewrites the traceback so the template's frames name the line: the innermost frame of the
    text itself (an include's error points at its ``{% include %}``)."""
    line = getattr(error, "lineno", None) if isinstance(error, TemplateError) else None
    if isinstance(line, int):
        return line
    found = None
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            found = trace.tb_lineno
        trace = trace.tb_next
    return found
