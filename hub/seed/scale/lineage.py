"""The remix lineage of the scale seed, planned over record indexes before a row is written
(see the package's docstring for the shapes it makes)."""


from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from hub.seed.scale.world import (
    DESIGNATED_DESCENDANTS,
    MAX_GENERATIONS,
)


@dataclass
class Lineage:
    """Edges as (remix index, source index) pairs over record indexes 0..N-1."""

    edges: list[tuple[int, int]]
    designated: list[int]  # record indexes of the designated tree, generation order
    root: int
    leaf: int


def _designated_tree(rng: random.Random, total: int) -> tuple[list[list[int]], int]:
    """Generations (lists of record indexes, increasing) of the designated lineage: the root,
    then widths 3, 9, 27, … up to a plateau, for :data:`MAX_GENERATIONS` generations."""
    target = min(DESIGNATED_DESCENDANTS, max(MAX_GENERATIONS, (total - 1_000) // 2))
    widths = [min(3**g, 10**9) for g in range(1, MAX_GENERATIONS + 1)]
    plateau = 1
    while sum(min(w, plateau) for w in widths) < target:
        plateau += 1
    widths = [min(w, plateau) for w in widths]
    size = 1 + sum(widths)
    # Spread the tree over the newer 90% of the records, in creation order.
    start = total // 10
    slots = sorted(rng.sample(range(start, total), size))
    generations = [[slots[0]]]
    at = 1
    for width in widths:
        generations.append(slots[at:at + width])
        at += width
    return generations, size


def plan_lineage(rng: random.Random, total: int) -> Lineage:
    """Every remix edge of a data set of ``total`` records (by record index)."""
    generations, _ = _designated_tree(rng, total)
    edges: list[tuple[int, int]] = []
    for previous, current in itertools.pairwise(generations):
        for child in current:
            parent = rng.choice(previous)
            edges.append((child, parent))
            if len(previous) > 1 and rng.random() < 0.1:  # a diamond inside the family
                other = rng.choice(previous)
                if other != parent:
                    edges.append((child, other))
    designated = [i for generation in generations for i in generation]
    reserved = set(designated)

    depth: dict[int, int] = {}
    pool: list[int] = []  # records others may remix (originals and remixes)
    chains: list[list[int]] = []  # [tip, length, target length]
    for i in range(total):
        if i in reserved:
            continue
        u = rng.random()
        if u < 0.04 and pool:
            if len(chains) < 24:  # start a chain from an earlier record
                tip = rng.choice(pool)
                if depth.get(tip, 0) < MAX_GENERATIONS - 1:
                    chains.append([tip, depth.get(tip, 0), rng.randint(5, MAX_GENERATIONS)])
            if not chains:
                continue
            chain = rng.choice(chains)
            edges.append((i, chain[0]))
            depth[i] = chain[1] + 1
            chain[0], chain[1] = i, depth[i]
            if chain[1] >= min(chain[2], MAX_GENERATIONS):
                chains.remove(chain)
        elif u < 0.20 and pool:
            sources = {rng.choice(pool)}
            if rng.random() < 0.15:  # two (sometimes three) sources: diamonds and merges
                sources |= {rng.choice(pool) for _ in range(rng.randint(1, 2))}
            sources = {s for s in sources if depth.get(s, 0) < MAX_GENERATIONS}
            if not sources:
                continue
            for source in sorted(sources):
                edges.append((i, source))
            depth[i] = 1 + max(depth.get(s, 0) for s in sources)
        elif rng.random() > 0.1:
            continue  # an original nobody remixes
        if len(pool) < 5_000:
            pool.append(i)
        else:
            pool[rng.randrange(len(pool))] = i
    return Lineage(edges=edges, designated=designated, root=generations[0][0],
                    leaf=generations[-1][0])
