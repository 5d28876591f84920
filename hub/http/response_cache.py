"""The response cache of anonymous reads: compiled answers kept in this process, and the HTTP
caching headers of anonymous GET answers (``Cache-Control``, ``ETag``, ``304 Not Modified``).

**What is kept.** The body of a compiled answer (one statement, no error) to an anonymous
request, keyed by (the document's sha256, the operation name, the variables). An anonymous
answer depends on nothing else: no viewer, no header. Bounded by entries
(``HUB_CACHE_ENTRIES``) and by bytes (``HUB_CACHE_BYTES``), least recently used first out;
``HUB_CACHE_ENTRIES=0`` keeps nothing.

**When it is dropped: every committed event clears it all.** An answer may hold any row
(a feed, a record page, a member's profile, counts), and an event names its subject, not
every answer that shows it; so any event, whatever its kind, empties the cache. Correct
without a map from events to answers; the cost is the hit rate under writes (every write
anywhere empties every instance's cache). Two paths, so the writer is never stale:

* locally, at commit: :meth:`ResponseCache.invalidate` runs when a transaction of this
  process that wrote events commits (``Database.on_events_committed``), before the mutation's
  response is sent;
* on every other instance, when its listener reads the event (``NOTIFY`` at commit wakes it):
  until then it may answer from the cache as before the write — the staleness is the
  NOTIFY delay (bench/cache_staleness.py measures it).

A fill races with an invalidation: a statement that began before the write committed may end
after it. Each fill carries the :attr:`ResponseCache.generation` read before its statement,
and is kept only if no invalidation happened since.

Entries also expire after ``HUB_CACHE_SECONDS`` (default 60): what changes with time alone,
with no write (a scheduled value, a window that closes), is stale at most that long.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass

import orjson


@dataclass(frozen=True)
class Cached:
    """One kept answer: its body, its ETag, and when it stops being served."""

    body: bytes
    etag: str
    expires: float


def entity_tag(body: bytes) -> str:
    """A strong ETag: a hash of the body (the same answer has the same tag on every instance)."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def cache_key(document: str, operation_name: str | None, variables: object) -> bytes | None:
    """The key of an anonymous read: its document's hash, operation name and variables (in
    canonical JSON: key order does not matter). None when the variables are not JSON."""
    try:
        encoded = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    digest = hashlib.sha256(document.encode("utf-8", "surrogatepass"))
    digest.update(b"\0" + (operation_name or "").encode("utf-8", "surrogatepass") + b"\0")
    digest.update(encoded)
    return digest.digest()


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, RFC 9110 §13.1.2). A header
    that does not parse names nothing: the full answer is sent."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


class ResponseCache:
    """Compiled answers of anonymous reads, least recently used out first."""

    def __init__(self, max_entries: int, max_bytes: int, seconds: float) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.seconds = seconds
        self.generation = 0
        # time.monotonic() of the latest invalidation: an answer read from a replica is kept
        # only when the replica had replayed every commit before it (hub/http/view.py).
        self.invalidated_at = float("-inf")
        self.hits = 0
        self.misses = 0
        self.invalidations = 0
        self.size_bytes = 0
        self._entries: OrderedDict[bytes, Cached] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: bytes) -> Cached | None:
        """The kept answer for ``key`` (counted as a hit), or None."""
        entry = self._entries.get(key)
        if entry is not None and entry.expires <= time.monotonic():
            self._drop(key)
            entry = None
        if entry is None:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: bytes, body: bytes, generation: int) -> Cached:
        """Keep ``body`` for ``key`` — unless an invalidation happened since ``generation``
        was read (the body may predate a committed write) or it is larger than the cache.
        Counted as a miss: a cacheable answer the cache did not hold."""
        self.misses += 1
        entry = Cached(body, entity_tag(body), time.monotonic() + self.seconds)
        if generation != self.generation or not self.enabled or len(body) > self.max_bytes:
            return entry
        if key in self._entries:
            self._drop(key)
        self._entries[key] = entry
        self.size_bytes += len(body)
        while len(self._entries) > self.max_entries or self.size_bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))
        return entry

    def invalidate(self) -> None:
        """Drop every answer, and refuse the fills already under way (see the module)."""
        self.generation += 1
        self.invalidated_at = time.monotonic()
        self.invalidations += 1
        self._entries.clear()
        self.size_bytes = 0

    def _drop(self, key: bytes) -> None:
        entry = self._entries.pop(key)
        self.size_bytes -= len(entry.body)
