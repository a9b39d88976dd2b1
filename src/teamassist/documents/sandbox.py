"""Team-editable templates render in another process, where a runaway cannot hurt the server.

The sandbox's budgets (:mod:`teamassist.documents.templating`) name what a template overdid,
but each covers one construct, and each session found one more that grew without bound
(``lipsum``, ``~`` doubling through a namespace, tester s27 B-1). This is the general cap: each
batch of renders runs in a child process that may map only ``memory_mib`` MiB more than it
started with (RLIMIT_AS), and gets ``seconds`` of wall time per document, after which it is
killed. Either way the caller gets the same friendly
:class:`~teamassist.exceptions.Invalid` as a budget gives, and the server, its other renders
and the stored template are untouched.

The children are forks of a render host (:mod:`teamassist.documents.sandbox_worker`), a
process of its own started (never forked from this threaded server) on the first render,
which imported the sandbox once: a render pays a fork, not an import. At most ``workers``
renders run at once, one owner's (a team's) at most ``workers - 1`` of them, in a fair order,
and renders found slow (heavy) never take every place (:class:`Pool`); a caller waits for a
place. All the documents of one call (a per-person pack) share a time limit
too, and a template tried before it is saved gets a CPU time limit per document, so a
template that passed cannot hold a place for minutes. One host serves the process (a process
may build several runtimes: the tests do): :func:`shutdown` stops it (a runtime's close,
through ``documents.release_sandbox``, unless the test session holds it), as does this
process's exit (an exit handler, and the host stops by itself when its connection closes,
even when this process was killed). A host found dead when a batch is sent to it is replaced
and the batch sent again: nothing of it was rendered.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Pipe
from typing import Any

from teamassist.documents import limits as render_limits
from teamassist.documents.limits import RenderLimits
from teamassist.documents.pdf import RenderUnavailable
from teamassist.documents.sandbox_worker import Batch, Conversion
from teamassist.exceptions import DomainError, Invalid

log = logging.getLogger(__name__)

# The host answers within a render's time limit (it kills an overrun child itself); one
# silent this much longer is taken for stuck, and replaced.
_HOST_GRACE_SECONDS = 10.0
_STOP_SECONDS = 5.0  # a host told to stop (its connection closed) is killed after this


class HostGone(DomainError):
    """The render host stopped or stuck while a render waited on it (shut down, killed, or
    stopped answering: ``kill -STOP``, a host stuck in swap): not the template's fault, so not
    an Invalid, nor an error id (tester s28 E-6): a 503 saying that nothing was made or
    changed and to try again. The host is replaced at once."""

    status_code = 503

    def __init__(self, *, reason: str) -> None:
        super().__init__("documents.error.render_host")
        self.reason = reason  # for the log


class _NotSent(HostGone):
    """The host was gone before it had the batch (the send failed): nothing was rendered, so
    the batch may go to a fresh host."""


class _Host:
    """The render host process, and this side's ends of its connections: one per render
    that may run at once, each used by one render at a time."""

    def __init__(self, limits: RenderLimits) -> None:
        pairs = [Pipe() for _ in range(limits.workers)]
        theirs = [end.fileno() for _mine, end in pairs]
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "teamassist.documents.sandbox_worker",
                str(limits.memory_mib),
                *map(str, theirs),
            ],
            pass_fds=theirs,
            stdin=subprocess.DEVNULL,
        )
        for _mine, end in pairs:
            end.close()
        self.conns = [mine for mine, _end in pairs]
        self._lock = threading.Lock()
        self._free = list(self.conns)
        self.alive = True

    def render(self, batch: Batch | Conversion) -> list[Any]:
        # Pickled first: a context that is not plain values fails here, harming nothing.
        data = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if not self.alive:
                raise HostGone(reason="the render host has stopped")
            conn = self._free.pop()  # the pool lets no more renders in than there are
        done = False  # every answer read: the connection may carry the next batch
        try:
            texts: list[Any] = []
            try:
                conn.send_bytes(data)
            except OSError as error:  # a broken pipe: the host died since its last batch
                raise _NotSent(reason="the render host had stopped") from error
            for _context in batch.contexts:
                if not conn.poll(batch.seconds + _HOST_GRACE_SECONDS):
                    log.error("the template render host is stuck: killing it")
                    self.stop(kill=True)  # a stopped process never exits when asked
                    raise HostGone(reason="the render host stopped answering")
                kind, *said = conn.recv()
                if kind == "unavailable":  # a conversion: WeasyPrint cannot load here
                    done = True
                    raise RenderUnavailable("WeasyPrint could not load pango")
                if kind != "ok":
                    done = True
                    key, params = said
                    raise Invalid(key, **params)
                texts.append(said[0])
            done = True
            return texts
        except (EOFError, OSError) as error:
            raise HostGone(reason="the render host has stopped") from error
        finally:
            if done:
                with self._lock:
                    self._free.append(conn)
            elif self.alive:  # answers may be left on it, or the host is stuck or dead
                self.stop()
            else:  # the host was stopped meanwhile: nothing uses this connection again
                conn.close()

    def stop(self, *, kill: bool = False) -> None:
        """End the connections (the host kills its children and exits), and wait for it;
        with ``kill``, kill it first (it is stuck)."""
        self.alive = False
        if kill:
            self.process.kill()
        for conn in self.conns:
            try:
                # A shutdown, not a close: it wakes a render waiting on the connection (a
                # close would leave it waiting), and the host sees the end at once.
                with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as end:
                    end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already
        try:
            self.process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with self._lock:
            idle, self._free = self._free, []
        for conn in idle:  # a render still out closes nothing: its connection is shut down
            conn.close()

    def forget(self) -> None:
        """In a forked copy of this process: drop the copies of the host's connections (the
        host is the parent's), so the host still sees its server go."""
        for conn in self.conns:
            conn.close()


@dataclass(eq=False)
class _Turn:
    """One render's turn at a place: waiting, then running from ``started``."""

    owner: Hashable
    started: float = 0.0


class Pool:
    """Renders in the host, at most ``limits.workers`` at once and at most ``limits.share``
    for one owner (a team); the host starts on the first render and again after it stopped.

    Who goes next is fair by owner, and a heavy owner cannot starve the others (tester s28
    E-5: two teams with templates slow only off the save's sample held both places, and a
    third team's plain pack waited 20-45 s). A render running longer than
    ``limits.heavy_seconds`` is heavy, and so is its owner, for ``limits.heavy_for`` after
    such a render ends. Then:

    - a waiting render goes in the order of its owner's renders running (fewest first), then
      of arrival, skipping one that may not start yet (no waiting behind it);
    - heavy owners' renders take at most ``workers - 1`` places together (one when there is
      only one): the others are left to light renders;
    - when every place runs a heavy render (two slow templates started before they were known
      slow), a light render takes one place more, so it never waits for a heavy one.
    """

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self._places = threading.Condition()
        self._queue: list[_Turn] = []  # waiting, in arrival order
        self._running: list[_Turn] = []
        self._heavy_until: dict[Hashable, float] = {}  # owners heavy, until (monotonic)
        self._lock = threading.Lock()
        self._host: _Host | None = None
        self._closed = False

    @property
    def waiting(self) -> int:
        """Renders waiting for a place."""
        with self._places:
            return len(self._queue)

    def render(self, batch: Batch, *, owner: Hashable = None) -> list[str]:
        """The Markdown of each context of ``batch``, in order; raises the Invalid of the
        first one refused (a broken template, a budget, the memory or the time limit). Waits
        for a place (see the class); renders without an owner share one."""
        with self._place(owner):
            try:
                return self._running_host().render(batch)
            except _NotSent:  # killed while idle (the OOM killer's pick): nothing rendered
                log.warning("the template render host had died: sending the batch to a new one")
                return self._running_host().render(batch)
            except HostGone:
                if not self._closed:
                    self._running_host()  # its successor starts now, for the next render
                raise

    def convert(self, job: Conversion, *, owner: Hashable = None) -> bytes:
        """The bytes of ``job``'s document, converted in a child of the host under its limits,
        in a place as a render takes one; raises ``Invalid`` over a limit and
        ``RenderUnavailable`` for a PDF where WeasyPrint cannot load."""
        with self._place(owner):
            try:
                [data] = self._running_host().render(job)
            except _NotSent:
                log.warning("the template render host had died: sending the document to a new one")
                [data] = self._running_host().render(job)
            except HostGone:
                if not self._closed:
                    self._running_host()
                raise
        assert isinstance(data, bytes)
        return data

    @contextmanager
    def _place(self, owner: Hashable) -> Iterator[None]:
        turn = _Turn(owner)
        with self._places:
            self._queue.append(turn)
            try:
                while True:
                    now = time.monotonic()
                    if self._next(now) is turn:
                        break
                    self._places.wait(self._until_change(now))
            finally:
                self._queue.remove(turn)
            turn.started = time.monotonic()
            self._running.append(turn)
            self._places.notify_all()  # the next in line may start too
        try:
            yield
        finally:
            with self._places:
                self._running.remove(turn)
                now = time.monotonic()
                if now - turn.started > self.limits.heavy_seconds:
                    self._heavy_until[turn.owner] = now + self.limits.heavy_for
                for known, until in list(self._heavy_until.items()):
                    if until <= now:
                        del self._heavy_until[known]
                self._places.notify_all()

    def _next(self, now: float) -> _Turn | None:
        """The waiting render that may start now: by its owner's renders running, fewest
        first, then by arrival."""
        running = Counter(t.owner for t in self._running)
        for turn in sorted(self._queue, key=lambda t: running[t.owner]):  # stable: arrival
            if self._admits(turn.owner, running[turn.owner], now):
                return turn
        return None

    def _admits(self, owner: Hashable, mine: int, now: float) -> bool:
        workers = self.limits.workers
        if mine >= self.limits.share:
            return False
        busy = len(self._running)
        heavy = sum(1 for t in self._running if self._is_heavy(t, now))
        if self._owner_heavy(owner, now):
            return busy < workers and heavy < max(1, workers - 1)
        # light: a free place, or one more when every place runs a heavy render
        return busy < workers or (busy == workers and heavy == busy)

    def _is_heavy(self, turn: _Turn, now: float) -> bool:
        return (
            now - turn.started > self.limits.heavy_seconds
            or self._heavy_until.get(turn.owner, 0.0) > now
        )

    def _owner_heavy(self, owner: Hashable, now: float) -> bool:
        return self._heavy_until.get(owner, 0.0) > now or any(
            t.owner == owner and now - t.started > self.limits.heavy_seconds for t in self._running
        )

    def _until_change(self, now: float) -> float | None:
        """How long until a render turns heavy or an owner stops being heavy (either may let
        a waiting render start); None when nothing will change but a render's end."""
        moments = [
            t.started + self.limits.heavy_seconds
            for t in self._running
            if t.started + self.limits.heavy_seconds > now
        ]
        moments += [until for until in self._heavy_until.values() if until > now]
        return max(min(moments) - now, 0.0) + 0.001 if moments else None

    def _running_host(self) -> _Host:
        with self._lock:
            if self._closed:
                raise HostGone(reason="the template renderer is shut down")
            if self._host is None or not self._host.alive:
                if self._host is not None:
                    log.warning("the template render host had stopped: starting another")
                    self._host.stop()
                self._host = _Host(self.limits)
            return self._host

    def close(self) -> None:
        """Stop the host (a render still waiting on it raises :class:`HostGone`)."""
        with self._lock:
            self._closed = True
            host, self._host = self._host, None
        if host is not None:
            host.stop()

    def forget(self) -> None:
        """In a forked copy of this process (one thread, no lock taken: another thread may
        have held it at the fork): let go of the parent's host."""
        self._closed = True
        host, self._host = self._host, None
        if host is not None:
            host.forget()


_lock = threading.Lock()
_current: Pool | None = None


def pool() -> Pool:
    """This process's pool, under the installed limits."""
    global _current
    with _lock:
        if _current is None:
            _current = Pool(render_limits.current())
        return _current


def shutdown() -> None:
    """Stop this process's render host, if it started; the next render starts another."""
    global _current
    with _lock:
        closing, _current = _current, None
    if closing is not None:
        closing.close()


def _forked() -> None:
    # A fork of this process (a prefork worker) renders with a host of its own.
    global _current, _lock
    _lock = threading.Lock()  # another thread may have held it at the fork
    closing, _current = _current, None
    if closing is not None:
        closing.forget()


atexit.register(shutdown)
os.register_at_fork(after_in_child=_forked)


def render(
    source: str,
    contexts: Sequence[Mapping[str, Any]],
    *,
    package: str,
    error_key: str,
    budget_key: str | None,
    owner: Hashable = None,
    trial: bool = False,
) -> list[str]:
    """``source`` rendered with each of ``contexts`` in one child of the host (see
    :func:`teamassist.documents.render_many`)."""
    if not contexts:
        return []
    current = pool()
    limits = current.limits
    batch = Batch(
        source=source,
        contexts=list(contexts),
        package=package,
        error_key=error_key,
        budget_key=budget_key,
        seconds=limits.seconds,
        total_seconds=limits.batch_seconds,
        cpu_seconds=limits.save_seconds if trial else None,
    )
    return current.render(batch, owner=owner)


def convert(kind: str, markdown: str, *, title: str, owner: Hashable = None) -> bytes:
    """``markdown`` as a ``kind`` (``pdf``/``docx``) document, converted in a child of the host
    (see :func:`teamassist.documents.markdown_to_pdf`)."""
    current = pool()
    limits = current.limits
    job = Conversion(
        kind=kind,
        markdown=markdown,
        title=title,
        cpu_seconds=limits.convert_seconds,
        memory_mib=limits.convert_memory_mib,
    )
    return current.convert(job, owner=owner)
