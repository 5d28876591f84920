"""Demo lineage: remix chains, branching families, diamonds (one source reached by two paths)
and a tombstone, added to the demo community by :func:`hub.seed.seed_demo`.

Every edge runs from an older record to a newer one, which is how remixing happens in time and
which makes the graph acyclic by construction.
"""

from __future__ import annotations

import random

from hub.core.db import Executor

NOTES = ["Sampled the intro.", "Took the chorus and slowed it down.", "Used the opening line.",
         "Set it to new footage.", "Reworked the ending.", "Borrowed the chord progression.",
         "Kept the melody, changed everything else.", "Quoted the second verse.",
         "Built the story around this photo's mood.", "Remixed the drums.", ""]
CHAINS = 8
FAMILIES = 6


def _later(rng: random.Random, after: int, total: int, taken: set[int]) -> int | None:
    """A record index newer than ``after`` that no family has used yet."""
    free = [i for i in range(after + 1, total) if i not in taken]
    if not free:
        return None
    choice = rng.choice(free[: max(8, len(free) // 6)])  # stay near: lineages grow in time
    taken.add(choice)
    return choice


def _family(rng: random.Random, total: int, taken: set[int]) -> set[tuple[int, int]]:
    """An original with remixes over three generations, joined by diamonds: (remix, source)
    index pairs."""
    root = _later(rng, rng.randrange(total // 5), total, taken)
    edges: set[tuple[int, int]] = set()
    generation = [root] if root is not None else []
    for depth in range(3):
        children: list[int] = []
        for parent in generation:
            for _ in range(rng.randint(1, 3 if depth == 0 else 2)):
                child = _later(rng, parent, total, taken)
                if child is not None:
                    edges.add((child, parent))
                    children.append(child)
        if len(children) >= 2:  # a diamond: one remix of two siblings
            a, b = rng.sample(children, 2)
            joint = _later(rng, max(a, b), total, taken)
            if joint is not None:
                edges |= {(joint, a), (joint, b)}
                children.append(joint)
        generation = children
    return edges


def _chain(rng: random.Random, total: int, taken: set[int]) -> set[tuple[int, int]]:
    edges: set[tuple[int, int]] = set()
    current = _later(rng, rng.randrange(total // 2), total, taken)
    for _ in range(rng.randint(4, 8)):
        if current is None:
            break
        remix = _later(rng, current, total, taken)
        if remix is not None:
            edges.add((remix, current))
        current = remix
    return edges


async def seed_lineage(tx: Executor, rng: random.Random) -> int:
    """Link published demo records into lineages; returns how many edges were made."""
    rows = await tx.fetch(
        "select id from records where status = 'PUBLISHED' and deleted_at is null "
        "order by created_at, id"
    )
    ids = [row["id"] for row in rows]
    if len(ids) < 50:
        return 0
    taken: set[int] = set()
    edges: set[tuple[int, int]] = set()
    for _ in range(FAMILIES):
        edges |= _family(rng, len(ids), taken)
    for _ in range(CHAINS):
        edges |= _chain(rng, len(ids), taken)
    positions: dict[int, int] = {}
    values = []
    for remix, source in sorted(edges):
        positions[remix] = positions.get(remix, 0) + 1
        values.append((ids[remix], ids[source], rng.choice(NOTES), positions[remix]))
    await tx.executemany(
        "insert into record_sources (remix_id, source_id, note, position) values ($1, $2, $3, $4)",
        values,
    )
    # One remixed record deleted by its author: it stays in the lineages as a tombstone.
    tombstone = ids[sorted(edges)[len(edges) // 2][1]]
    await tx.execute("update records set deleted_at = now() where id = $1", tombstone)
    return len(values)
