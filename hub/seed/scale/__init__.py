"""Benchmark-scale data: ``recordhub seed --scale N`` (used by bench/run.py).

N records by N/50 members, every enabled media type, and remix lineages of every shape the
lineage walks must handle: chains up to :data:`MAX_GENERATIONS` generations deep, branching
families, diamonds (a remix of two records that share a source) and a few tombstones. One
*designated* lineage root has about :data:`DESIGNATED_DESCENDANTS` descendants over
:data:`MAX_GENERATIONS` generations; it carries the tag :data:`ROOT_TAG` and the deepest of
its descendants (generation 50) the tag :data:`LEAF_TAG`, so a benchmark finds them again.

Speed: rows are generated in Python and sent with binary COPY
(``copy_records_to_table``) in batches of :data:`BATCH`; the secondary indexes of
``records`` and ``record_sources`` are dropped before the load and rebuilt after it, all in one
transaction, so a failed load leaves the database as it was. Every edge runs from an older
record to a newer one, which keeps the graph acyclic by construction. Deterministic for a
given ``seed`` (class slugs included).

Beside the records: one EDITOR per :data:`EDITOR_EVERY` members (member 0 is the ADMIN), a
subscription for about :data:`SUBSCRIBER_SHARE` of the members, one Class Project per
:data:`CLASS_EVERY` records and one compilation per :data:`COMPILATION_EVERY` records (see
``_plan_class`` in ``classes`` and ``_plan_compilation`` in ``compilations`` for what they
hold). Their statuses follow
fixed cycles (:data:`CLASS_CYCLE`, :data:`COMPILATION_CYCLE`) so that even a small data set has
the first of each PUBLISHED and every status appears. Seeded compilations carry no
publications or payouts: rendering EPUB and OTIO files would dominate the seed and write blobs
outside the database, so a PUBLISHED one reads with ``publications: []``.

The parts: ``world`` (sizes, vocabularies, the report, COPY), ``lineage`` (the remix graph,
planned first), ``records`` (members, records, links), ``classes``, ``compilations``,
``collaborations`` and ``community`` (hearts, views, follows), put together by ``seed``.
"""

from hub.seed.scale.seed import NotEmpty, is_empty, seed_scale
from hub.seed.scale.world import (
    BATCH,
    CLASS_EVERY,
    COMPILATION_EVERY,
    ITEMS_PER_COMPILATION,
    LESSONS_PER_CLASS,
    MAX_GENERATIONS,
    ScaleReport,
)

__all__ = ["BATCH", "CLASS_EVERY", "COMPILATION_EVERY", "ITEMS_PER_COMPILATION",
           "LESSONS_PER_CLASS", "MAX_GENERATIONS", "NotEmpty", "ScaleReport", "is_empty",
           "seed_scale"]
