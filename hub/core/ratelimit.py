"""Rate limits: log-in attempts per handle and per address, mutations per member.

A sliding one-minute window per key, kept in this process's memory. Behind a load balancer
each process counts on its own, so the effective limit is at most ``processes × limit``; pin
clients to processes, or lower the limit, if that matters for a deployment.

Each limiter keeps at most :data:`MAX_KEYS` keys (handles, addresses, members), the least
recently counted forgotten first, so a flood of distinct keys cannot grow the process.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from cachetools import LRUCache

from hub.core.errors import CodedError

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000


class RateLimited(CodedError):
    code = "RATE_LIMITED"

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"Too many {what}; try again in {retry_after} s.", retryAfter=retry_after)
        self.retry_after = retry_after


class SlidingWindow:
    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._hits: LRUCache[str, deque[float]] = LRUCache(maxsize=MAX_KEYS)

    def hit(self, key: str, what: str) -> None:
        """Count one attempt for ``key``; raise :class:`RateLimited` when over the limit."""
        now = self.clock()
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= self.limit:
            raise RateLimited(what, max(1, math.ceil(hits[0] + WINDOW_SECONDS - now)))
        hits.append(now)

    def __len__(self) -> int:
        """How many keys are counted now."""
        return len(self._hits)


class RateLimits:
    """The hub's limiters, one set per app."""

    def __init__(self, login_attempts_per_minute: int, mutations_per_minute: int) -> None:
        self.login_by_handle = SlidingWindow(login_attempts_per_minute)
        self.login_by_address = SlidingWindow(login_attempts_per_minute * 5)
        self.mutations_by_member = SlidingWindow(mutations_per_minute)
