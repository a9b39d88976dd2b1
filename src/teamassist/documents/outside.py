"""A render asked for inside a unit of work runs with no transaction open.

A unit that writes holds SQLite's one write lock from its first statement to its commit (and
its row locks on PostgreSQL and MariaDB): a report template rendering there held every write
of the install for as long as the render, up to the 30 s batch cap (tester s28 E-14). So a
render asked for inside a unit whose boundary can run work outside
(:func:`teamassist.database.outside_results`) raises :class:`RenderOutside`: the boundary rolls
the unit back, renders with no transaction open (waiting for a render place too), and runs
the unit again. The second attempt reads everything again in its own transaction and uses the
render only when it was made from exactly what it reads now (the template's text and every
value of every context): what it stores is what a render in place would have stored, so a
change committed meanwhile is neither lost nor overwritten by an older read, and a pack built
meanwhile by someone else is found by the second attempt (no second pack). When the values
changed, the render is done again; after :data:`MAX_OUTSIDE` renders for one unit (its data
changing under each), it renders in place, as before.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from teamassist.database import WorkOutside, outside_results

MAX_OUTSIDE = 3  # renders outside the transaction for one unit, then in place
_KEY = "documents.renders"


@dataclass(frozen=True)
class Render:
    """What one render call renders: compared whole with what the unit asks again."""

    source: str
    contexts: Sequence[Mapping[str, Any]]
    package: str
    error_key: str
    budget_key: str | None
    owner: Hashable
    trial: bool

    def run(self) -> list[str]:
        """Render it now, where the caller is."""
        from teamassist.documents import sandbox

        return sandbox.render(
            self.source,
            self.contexts,
            package=self.package,
            error_key=self.error_key,
            budget_key=self.budget_key,
            owner=self.owner,
            trial=self.trial,
        )


@dataclass
class _Done:
    """A render done outside: its texts, or what it raised (given to the unit to raise)."""

    render: Render
    texts: list[str] = field(default_factory=list)
    error: Exception | None = None

    def give(self) -> list[str]:
        if self.error is not None:
            raise self.error
        return list(self.texts)


class RenderOutside(WorkOutside):
    """Render this with no transaction open, then run the unit again."""

    def __init__(self, render: Render, done: list[_Done]) -> None:
        super().__init__("a template render, outside the transaction")
        self.render = render
        self.done = done

    def run(self) -> None:
        try:
            self.done.append(_Done(self.render, texts=self.render.run()))
        except Exception as error:  # the template's refusal, a stopped host: the unit's to say
            self.done.append(_Done(self.render, error=error))


def render(call: Render) -> list[str]:
    """The texts of ``call``: rendered outside the unit's transaction when its boundary can
    (raising :class:`RenderOutside` the first time), else here."""
    results = outside_results()
    if results is None:
        return call.run()
    done: list[_Done] = results.setdefault(_KEY, [])
    for earlier in done:
        if earlier.render == call:
            return earlier.give()
    if len(done) >= MAX_OUTSIDE:
        return call.run()
    raise RenderOutside(call, done)
