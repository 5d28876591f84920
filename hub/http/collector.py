"""Garbage collection with short pauses, for a hub holding thousands of open sockets.

CPython's full collection traverses every object the collector tracks, and it stops the event
loop while it does. With 5,000 idle WebSocket subscribers a hub tracks about a million objects
(each socket's aiohttp and Strawberry state), and a full collection took 250–400 ms
(bench/sockets.py, 10,000 subscribers on two hubs): every delivery in flight waited for it.

So after each full collection the survivors move to the permanent generation
(``gc.freeze()``): they have survived everything so far, and the next full collection traverses
only what survived since, which kept the pauses at 20–50 ms in the same run. Cyclic garbage
among frozen objects (a closed socket's reference cycles) is not collected while frozen, so
every :data:`SWEEP_SECONDS` the permanent generation is handed back (``gc.unfreeze()``) and the
next full collection — one long pause then — frees it. Installed by ``recordhub serve``
(hub/http/serving.py) for the process's life; the young generations are untouched.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

# How long cyclic garbage may wait in the permanent generation (and how often a full pause
# over every object is taken instead of a short one).
SWEEP_SECONDS = 600.0


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


class ShortPauses:
    """The policy, for one event loop: :meth:`start` installs it, :meth:`stop` removes it and
    hands every frozen object back to the collector."""

    def __init__(self, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self.sweep_seconds = sweep_seconds
        self._sweep: asyncio.TimerHandle | None = None

    def start(self) -> None:
        if _freeze_survivors not in gc.callbacks:
            gc.callbacks.append(_freeze_survivors)
        self._schedule()

    def stop(self) -> None:
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        if _freeze_survivors in gc.callbacks:
            gc.callbacks.remove(_freeze_survivors)
        gc.unfreeze()

    def _schedule(self) -> None:
        self._sweep = asyncio.get_running_loop().call_later(self.sweep_seconds, self.sweep)

    def sweep(self) -> None:
        """Hand the permanent generation back: the next full collection examines it."""
        gc.unfreeze()
        self._schedule()
