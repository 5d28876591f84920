"""Short garbage-collection pauses (hub/http/collector.py): after a full collection its
survivors are frozen, so the next one traverses only newer objects; a sweep hands them back,
and garbage that was frozen is then collected. What ``recordhub serve`` installs."""

from __future__ import annotations

import asyncio
import gc
import weakref

from hub.http.collector import ShortPauses


class Node:
    """A reference cycle's member (weakly referenceable, to see when it is freed)."""

    def __init__(self) -> None:
        self.other: Node | None = None


async def test_survivors_of_a_full_collection_are_frozen_until_the_sweep() -> None:
    pauses = ShortPauses(sweep_seconds=3600)
    gc.unfreeze()
    pauses.start()
    try:
        kept = [Node() for _ in range(100)]
        gc.collect()
        assert gc.get_freeze_count() > len(kept)  # they and every other survivor
        # A cycle frozen while alive, then dropped: garbage no full collection looks at.
        alive = Node()
        alive.other = Node()
        alive.other.other = alive
        frozen_cycle = weakref.ref(alive)
        gc.collect()  # froze it
        del alive
        gc.collect()
        assert frozen_cycle() is not None
        pauses.sweep()
        assert gc.get_freeze_count() == 0
        gc.collect()  # examines everything again, then freezes the survivors
        assert frozen_cycle() is None
        assert gc.get_freeze_count() > len(kept)
    finally:
        pauses.stop()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gc.get_freeze_count() == 0  # stopped: survivors are no longer frozen


async def test_the_sweep_runs_on_its_schedule() -> None:
    pauses = ShortPauses(sweep_seconds=0.05)
    pauses.start()
    try:
        gc.collect()
        assert gc.get_freeze_count() > 0
        await asyncio.sleep(0.5)  # at least one sweep; nothing collected since
        assert gc.get_freeze_count() == 0
    finally:
        pauses.stop()
