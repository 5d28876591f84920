"""A subscriber with no task of its own: what a light subscription (hub/api/realtime/light.py)
registers with the listener.

A subscription served by Strawberry has a task waiting in :meth:`Subscriber.next` for as long
as it lives, and the batch writes its frames while that task waits (:meth:`Subscriber.idle`).
A light subscription has no such task: idle means only "nothing queued, nothing being
handled", and the rare event a batch cannot write for it (its batch failed, its viewer is
being reloaded, a marker: fell behind, stopping, viewer changed) wakes ``on_ready``, which
starts a short task that takes what is queued, in order, and ends. Between events it costs
this object, its batch's and its sender's: no task, no queue, no future.
"""

from __future__ import annotations

from collections.abc import Callable

from hub.realtime.listener import Accepts, Subscriber


class LightSubscriber(Subscriber):
    """A :class:`Subscriber` whose consumer is started on demand (see the module)."""

    __slots__ = ("busy", "on_ready")

    def __init__(self, accepts: Accepts, size: int, on_ready: Callable[[], None]) -> None:
        super().__init__(accepts, size)
        self.on_ready = on_ready
        self.busy = False  # its consumer task is taking queued events

    def idle(self) -> bool:
        """The batch may write the next event itself: nothing queued, nothing being taken,
        room for one more (the order of writes is the order of events)."""
        return (self._items is None and not self.busy and not self.overflowed
                and not self._full())

    def ready(self) -> bool:
        """Something queued that no batch still holds an earlier event for: take it now."""
        return bool(self._items) and not self.pending

    def _wake(self) -> None:
        if not self.busy and self.ready():
            self.busy = True
            self.on_ready()
