"""Rendered documents kept by content, so a second download of the same pack is a look-up.

The key is SHA-256 over the format, the title and the Markdown. A report pack's Markdown is
its snapshot (its data and its template's output), so rebuilding a pack after the data or the
template changed gives a new key, and the old entry simply ages out: nothing to invalidate by
hand. Per process, least recently used out first, bounded by the bytes held (``MAX_BYTES``);
thread-safe (FastAPI runs sync routes in a thread pool). The lock is not held while rendering
(a PDF takes seconds), so two first requests for one document at once may both render it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

MAX_BYTES = 64 * 1024 * 1024  # ~30 weekly packs of 50 people as .docx and PDF


class RenderCache:
    """Bytes by content key, least recently used evicted beyond ``max_bytes``; counts hits and
    renders (``hits``, ``misses``) for benchmarks and tests."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(kind: str, markdown: str, title: str) -> str:
        """The content key of ``markdown`` rendered as ``kind`` (``docx``/``pdf``) under
        ``title``."""
        digest = hashlib.sha256()
        for part in (kind, title, markdown):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()

    def get_or_render(
        self, kind: str, markdown: str, title: str, render: Callable[[], bytes]
    ) -> bytes:
        """The cached bytes, else ``render()``'s (kept; its exceptions pass through, nothing
        is kept then)."""
        key = self.key(kind, markdown, title)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        content = render()
        with self._lock:
            if key not in self._entries and len(content) <= self.max_bytes:
                self._entries[key] = content
                self._held += len(content)
                while self._held > self.max_bytes:
                    _old, dropped = self._entries.popitem(last=False)
                    self._held -= len(dropped)
        return content

    def clear(self) -> None:
        """Forget everything (tests, benchmarks' first-render timing)."""
        with self._lock:
            self._entries.clear()
            self._held = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


RENDER_CACHE = RenderCache()
