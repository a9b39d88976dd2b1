"""The render host of :mod:`teamassist.documents.sandbox`: a process of its own (``python -m
teamassist.documents.sandbox_worker MEMORY_MIB FD...``) that imported the sandbox once and
forks a child for each batch of renders; the child renders under a memory limit (and, for a
template tried before it is saved, a CPU time limit per document) and the host kills it when a
document or the whole batch overruns its time.

The host itself never runs a template, so nothing a template does can hurt it; it is single
threaded, so forking it is safe, and a fork of it starts with Jinja2, the sandbox and the
catalogue loaded (a few milliseconds). Each batch starts from the same clean state and its
memory limit counts from the same base.

The protocol, over each connection ``FD`` (one per render the server may run at once): the
server sends a ``Batch``; the host answers each of its contexts in turn with ``("ok",
markdown)`` and ends the batch at the first refusal, ``("refused", key, params)`` (a broken
template, a budget, the memory or the time limit: the catalogue key and parameters of the
Invalid). It exits when the server closes a connection (the server stopped or died), killing
the children still running.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import resource
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any, cast

from jinja2.debug import rewrite_traceback_stack

from teamassist import i18n
from teamassist.documents import templating
from teamassist.exceptions import Invalid
from teamassist.i18n import t

MIB = 1024 * 1024


@dataclass(frozen=True)
class Batch:
    """Templates to render: ``source`` with each of ``contexts`` (plain values: they pickle),
    each within ``seconds`` of wall time, all of them within ``total_seconds`` (None: no cap on
    the batch), and each within ``cpu_seconds`` of CPU time when given (a template tried before
    it is saved)."""

    source: str
    contexts: Sequence[Mapping[str, Any]]
    package: str
    error_key: str
    budget_key: str | None
    seconds: float
    total_seconds: float | None = None
    cpu_seconds: float | None = None


@dataclass(frozen=True)
class Conversion:
    """A document to convert: ``markdown`` to ``kind`` (``pdf``: WeasyPrint, ``docx``:
    python-docx) under ``title``, within ``cpu_seconds`` of CPU time (a wall time of three
    times that) and ``memory_mib`` MiB over the host's memory (tester s28 D-9: a saved
    template's 5,500-row table cost 215 s of server CPU per PDF, in the server). The answer:
    ``("ok", bytes)``, ``("unavailable",)`` (no pango for a PDF) or a refusal."""

    kind: str
    markdown: str
    title: str
    cpu_seconds: float
    memory_mib: int
    error_key: str = "documents.error.convert_budget"

    @property
    def contexts(self) -> tuple[None]:
        return (None,)  # one answer

    @property
    def seconds(self) -> float:
        return 3 * self.cpu_seconds

    @property
    def total_seconds(self) -> None:
        return None

    @property
    def budget_key(self) -> str:
        return self.error_key


@dataclass
class _Child:
    """A forked child rendering one batch (or converting a document), as the host sees it."""

    server: Connection  # whom to answer
    batch: Batch | Conversion
    pid: int
    conn: Connection
    started: float
    left: int = field(init=False)
    document_ends: float = field(init=False)  # when the document being rendered is overdue

    def __post_init__(self) -> None:
        self.left = len(self.batch.contexts)
        self.document_ends = self.started + self.batch.seconds

    @property
    def batch_ends(self) -> float:
        """When the whole batch is overdue (never, without a cap on it)."""
        total = self.batch.total_seconds
        return self.started + total if total is not None else float("inf")

    @property
    def deadline(self) -> float:
        return min(self.document_ends, self.batch_ends)

    def overdue(self) -> str:
        """What the child overran, in the author's words: the batch's time or a document's."""
        batch = self.batch
        if isinstance(batch, Conversion):
            return t("documents.engine.budget_convert", seconds=f"{batch.cpu_seconds:g}")
        if self.batch_ends <= self.document_ends and batch.total_seconds is not None:
            return t(
                "documents.engine.budget_batch",
                count=len(batch.contexts),
                seconds=f"{batch.total_seconds:g}",
            )
        return t("documents.engine.budget_time", seconds=f"{batch.seconds:g}")


def main(argv: Sequence[str]) -> None:
    """Serve the server on the connections ``argv[1:]`` with children limited to ``argv[0]``
    MiB of memory over the host's own, until it closes them."""
    memory_mib, fds = int(argv[0]), [int(fd) for fd in argv[1:]]
    # Ctrl+C at the terminal reaches the whole process group: the host goes when its server
    # does (the connections close), not before it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    i18n.catalogue()  # loaded once here, inherited by every child
    gc.freeze()
    Host([Connection(fd) for fd in fds], memory_mib).serve()


class Host:
    """The host's loop: batches from the server, answers from the children, and deadlines."""

    def __init__(self, servers: Sequence[Connection], memory_mib: int) -> None:
        self.servers = list(servers)
        self.memory_mib = memory_mib
        self.children: dict[Connection, _Child] = {}
        self.warm: set[str] = set()

    def serve(self) -> None:
        try:
            while self._step():
                pass
        finally:
            for child in list(self.children.values()):
                self._end(child, kill=True)

    def _step(self) -> bool:
        deadline = min((c.deadline for c in self.children.values()), default=None)
        timeout = None if deadline is None else max(deadline - time.monotonic(), 0)
        for ready in wait([*self.servers, *self.children], timeout):
            conn = cast(Connection, ready)  # wait() gives back what it was given
            child = self.children.get(conn)
            if child is not None:
                self._relay(child)
                continue
            try:
                batch = conn.recv()
            except (EOFError, OSError):
                return False
            self._start(conn, batch)
        now = time.monotonic()
        for child in [c for c in self.children.values() if c.deadline <= now]:
            self._end(child, kill=True)
            self._refuse(child, child.overdue())
        return True

    def _warm(self, package: str) -> None:
        """Build ``package``'s sandbox here once with its own templates compiled (our files,
        never a team's text), so each child starts with them."""
        if package not in self.warm:
            self.warm.add(package)
            env = templating.environment(package)
            for name in env.list_templates():
                env.get_template(name)
            # What the host holds is never collected again: a child's collections do not
            # walk it (touching, so copying, every page of the host's objects).
            gc.freeze()

    def _warm_conversion(self, kind: str) -> None:
        """Load the converter of ``kind`` here once, so each child starts with it: WeasyPrint
        (pango, fontconfig: a first PDF costs ~1 s) by converting our own two lines, never a
        team's text; nothing when it cannot load (the child says so)."""
        if kind in self.warm:
            return
        self.warm.add(kind)
        with contextlib.suppress(Exception):  # the child tries again and answers what it met
            if kind == "pdf":
                from teamassist.documents import pdf

                pdf.markdown_to_pdf("# 预热\n\nwarm", title="warm")
            else:
                from teamassist.documents import docx

                docx.markdown_to_docx("# 预热", title="warm")
        gc.freeze()

    def _start(self, server: Connection, batch: Batch | Conversion) -> None:
        if isinstance(batch, Conversion):
            self._warm_conversion(batch.kind)
        else:
            self._warm(batch.package)
        mine, theirs = Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                mine.close()
                for other in (*self.servers, *self.children):
                    other.close()
                if isinstance(batch, Conversion):
                    convert(theirs, batch)
                else:
                    render(theirs, batch, self.memory_mib)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self.children[mine] = _Child(server, batch, pid, mine, time.monotonic())

    def _relay(self, child: _Child) -> None:
        try:
            answer = child.conn.recv()
        except (EOFError, OSError):
            status = self._end(child, kill=False)
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
                detail = child.overdue()
            else:  # out of memory where it could not say so, or killed from outside
                batch = child.batch
                limit = batch.memory_mib if isinstance(batch, Conversion) else self.memory_mib
                detail = t("documents.engine.budget_memory", limit=limit)
            self._refuse(child, detail)
            return
        self._send(child.server, answer)
        child.left -= 1
        child.document_ends = time.monotonic() + child.batch.seconds
        if answer[0] != "ok" or child.left == 0:
            self._end(child, kill=False)

    def _refuse(self, child: _Child, detail: str) -> None:
        batch = child.batch
        refused = templating.refusal(
            None, detail, error_key=batch.error_key, budget_key=batch.budget_key
        )
        self._send(child.server, ("refused", refused.key, refused.params))

    def _send(self, server: Connection, answer: tuple[Any, ...]) -> None:
        with contextlib.suppress(OSError):  # the server is gone: the next wait reads its end
            server.send(answer)

    def _end(self, child: _Child, *, kill: bool) -> int:
        """Stop following ``child`` (killed first with ``kill``); its wait status."""
        del self.children[child.conn]
        child.conn.close()
        if kill:
            os.kill(child.pid, signal.SIGKILL)
        return os.waitpid(child.pid, 0)[1]


def render(conn: Connection, batch: Batch, memory_mib: int) -> None:
    """In the child: render ``batch`` under the limits, sending each answer on ``conn``; stop
    at the first refusal."""
    limit_memory(memory_mib)
    # The host kills an overrun; this stops one whose host is gone (SIGXCPU), without a core.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    wall = batch.seconds * len(batch.contexts)
    if batch.total_seconds is not None:
        wall = min(wall, batch.total_seconds)
    cpu = int(2 * wall) + 1
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    resource.setrlimit(
        resource.RLIMIT_CPU, (cpu if hard == resource.RLIM_INFINITY else min(cpu, hard), hard)
    )
    if batch.cpu_seconds is not None:
        signal.signal(signal.SIGPROF, _over_cpu)
    for context in batch.contexts:
        refused: Invalid | None = None
        try:
            if batch.cpu_seconds is not None:  # CPU time: the same on a busy machine as idle
                signal.setitimer(signal.ITIMER_PROF, batch.cpu_seconds)
            text = templating.render_here(
                batch.source,
                context,
                package=batch.package,
                error_key=batch.error_key,
                budget_key=batch.budget_key,
            )
            signal.setitimer(signal.ITIMER_PROF, 0)
        except Invalid as error:
            signal.setitimer(signal.ITIMER_PROF, 0)  # else it may fire while this is worded
            refused = error
        except MemoryError as error:
            signal.setitimer(signal.ITIMER_PROF, 0)
            detail = t("documents.engine.budget_memory", limit=memory_mib)
            refused = templating.refusal(
                error, detail, error_key=batch.error_key, budget_key=batch.budget_key
            )
        except OverCpu:
            signal.setitimer(signal.ITIMER_PROF, 0)
            # Jinja maps its frames to the template's lines for an Exception only: this one
            # passed it by, so map them here (the line the refusal names).
            mapped = rewrite_traceback_stack(batch.source)
            detail = t("documents.engine.budget_trial", seconds=f"{batch.cpu_seconds:g}")
            refused = templating.refusal(
                mapped, detail, error_key=batch.error_key, budget_key=batch.budget_key
            )
        if refused is not None:  # sent once the error and its frames (the memory) are gone
            conn.send(("refused", refused.key, refused.params))
            return
        conn.send(("ok", text))


def convert(conn: Connection, job: Conversion) -> None:
    """In the child: convert ``job`` under its limits, sending the answer on ``conn``. Over
    its CPU time the kernel stops it (SIGXCPU), which the host words."""
    limit_memory(job.memory_mib)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = max(1, math.ceil(job.cpu_seconds))
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        cpu = min(cpu, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard))
    from teamassist.documents import docx, pdf

    try:
        if job.kind == "pdf":
            data = pdf.markdown_to_pdf(job.markdown, title=job.title)
        else:
            data = docx.markdown_to_docx(job.markdown, title=job.title)
    except pdf.RenderUnavailable:
        conn.send(("unavailable",))
        return
    except MemoryError:
        detail = t("documents.engine.budget_memory", limit=job.memory_mib)
        conn.send(("refused", job.error_key, {"detail": detail}))
        return
    conn.send(("ok", data))


class OverCpu(BaseException):
    """A document tried before its template is saved took more than its CPU time: a
    BaseException, so the sandbox (which words every Exception of a render as the template's
    own mistake) lets it through to :func:`render`."""


def _over_cpu(_signum: int, _frame: object) -> None:
    raise OverCpu


def limit_memory(memory_mib: int) -> int | None:
    """Cap this process's address space at what it maps now plus ``memory_mib``; the cap in
    bytes (None where the system does not say what a process maps). RLIMIT_AS, not
    RLIMIT_DATA: it counts every mapping, whichever way an allocation is made (brk, mmap, a C
    library's own), on any Linux; a child maps nothing new but what it allocates, so its base
    is what the fork gave it, measured here."""
    mapped = mapped_bytes()
    if mapped is None:
        return None
    cap = mapped + memory_mib * MIB
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    return cap


def mapped_bytes() -> int | None:
    """What this process maps (Linux's VmSize), None without ``/proc``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


if __name__ == "__main__":
    # This file runs as ``__main__``; the server pickles the module's own classes (isinstance
    # must know a Conversion from a Batch), so the host runs the module as imported.
    from teamassist.documents import sandbox_worker

    sandbox_worker.main(sys.argv[1:])
