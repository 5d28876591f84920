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
:func:`_plan_class` and :func:`_plan_compilation` for what they hold). Their statuses follow
fixed cycles (:data:`CLASS_CYCLE`, :data:`COMPILATION_CYCLE`) so that even a small data set has
the first of each PUBLISHED and every status appears. Seeded compilations carry no
publications or payouts: rendering EPUB and OTIO files would dominate the seed and write blobs
outside the database, so a PUBLISHED one reads with ``publications: []``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg
import orjson

from hub.domain.classes.services import slugify, unique_slug
from hub.domain.compilations import workflow
from hub.domain.members import auth
from hub.plugin_api import SampleCompilation, SampleRecord
from hub.plugins import HubPlugins
from hub.seed.demo import ADJECTIVES, DEMO_PASSWORD, FIRST, LAST, NOUNS, SKILLS
from hub.seed.lineage import NOTES
from hub.seed.notifications import seed_notifications
from hub.seed.samples import offers_sample_compilations, sample_compilation, sample_details
from hub.seed.scale_collaborations import load_collaborations
from hub.seed.scale_community import load_community

BATCH = 20_000
RECORDS_PER_MEMBER = 50
MAX_GENERATIONS = 50
DESIGNATED_DESCENDANTS = 10_000
ROOT_TAG = "scale-lineage-root"
LEAF_TAG = "scale-lineage-leaf"
# Distinct normalised details per media type, made once through the plugins' own hooks.
DETAIL_VARIANTS = 64
TAGS = ["collab", "remixable", "demo", "lofi", "live", "draft-idea", "night", "city", "nature",
        "acoustic", "vintage", "experimental", "summer", "loop", "sketch"]
LICENSES = ["CC_BY_4_0", "CC_BY_SA_4_0", "CC_BY_NC_4_0", "CC_BY_NC_SA_4_0", "CC0_1_0"]
RECORD_COLUMNS = ("author_id", "media_type", "title", "description", "tags", "license", "status",
                  "details", "details_text", "created_at", "updated_at", "published_at",
                  "deleted_at")
EDGE_COLUMNS = ("remix_id", "source_id", "note", "position", "created_at")
MEMBER_COLUMNS = ("handle", "display_name", "bio", "skills", "role", "password_hash",
                  "created_at", "updated_at")

# --- classes and compilations ---
EDITOR_EVERY = 200  # members per EDITOR: compilations need a few editors, not one
SUBSCRIBER_SHARE = 0.3  # of the members; learners come from them
CLASS_EVERY = 200  # records per class
COMPILATION_EVERY = 1_000  # records per compilation
LESSONS_PER_CLASS = (4, 12)
MAX_LEARNERS = 40  # per class; most classes have far fewer (skewed)
ITEMS_PER_COMPILATION = (5, 20)
# Statuses by class / compilation number, repeating: the first is PUBLISHED so that a small
# data set has something an anonymous visitor sees, and every status occurs within a cycle.
CLASS_CYCLE = ("PUBLISHED", "PUBLISHED", "DRAFT", "PUBLISHED", "PUBLISHED", "ARCHIVED",
               "PUBLISHED", "PUBLISHED", "PUBLISHED", "DRAFT")
COMPILATION_CYCLE = ("PUBLISHED", "DRAFT", "IN_REVIEW", "PUBLISHED", "APPROVED", "ARCHIVED",
                     "PUBLISHED", "DRAFT", "PUBLISHED", "IN_REVIEW")
# The workflow actions that lead to each final status (hub/compilations/workflow.py).
COMPILATION_PATHS: dict[str, tuple[str, ...]] = {
    workflow.DRAFT: (),
    workflow.IN_REVIEW: ("submit",),
    workflow.APPROVED: ("submit", "approve"),
    workflow.PUBLISHED: ("submit", "approve", "publish"),
    workflow.ARCHIVED: ("submit", "approve", "publish", "archive"),
}
# Records offered per accepted media type to a target plugin's hub_sample_compilation.
OFFERED_PER_MEDIA_TYPE = 40
LESSON_STEPS = [
    ("Listen like a maker", "Pick three {skill} pieces you love and write down one choice in "
     "each that you would steal.", "Post a short record naming the choice you will steal."),
    ("Start from one idea", "Every piece grows from one small idea. Find yours in ten minutes.",
     "Post your idea as a rough sketch."),
    ("Constraints help", "Limit yourself: one colour, one key, one location. See what happens.",
     "Make a version of your sketch under one constraint."),
    ("Structure", "Beginning, turn, end. Map where your piece turns.",
     "Post a map of your piece's structure."),
    ("The first draft", "Finish it badly. A finished draft teaches more than a perfect start.",
     "Post a complete first draft."),
    ("Borrow well", "Remix a classmate's record and credit it as a source.",
     "Post a remix of another learner's submission."),
    ("Feedback", "Ask one precise question about your draft; answer two classmates'.",
     "Post your draft with the question you want answered."),
    ("Cut", "Remove a fifth of it. Keep only what earns its place.",
     "Post the shorter version."),
    ("Texture", "Details make it yours: a sound, a word, a frame nobody else would choose.",
     "Add one detail only you would add."),
    ("Polish", "Fix the three weakest moments; leave the rest alone.",
     "Post the polished version."),
    ("Share it", "Write two sentences that tell a stranger why to open it.",
     "Publish your piece with its two sentences."),
    ("What next", "Plan the next piece from what this one taught you.",
     "Post a sketch of your next {skill} piece."),
]
CLASS_TITLES = ["{Skill} from {adjective} {noun}", "{adjective} {noun}: a class in {skill}",
                "The {adjective} {noun} {Skill} Workshop"]
FEEDBACK = ["Strong start. What happens if you cut the first line?",
            "The middle drags a little; try moving the turn earlier.",
            "Lovely texture. Push the ending further.",
            "Clear structure. Now surprise me once."]
CLASS_COLUMNS = ("slug", "title", "summary", "description", "skill", "level", "status",
                 "free_preview", "created_by", "created_at", "updated_at", "published_at")
LESSON_COLUMNS = ("class_id", "position", "title", "body", "prompt", "video_record_id",
                  "created_at", "updated_at")
SUBSCRIPTION_COLUMNS = ("member_id", "status", "plan", "current_period_end", "source",
                        "updated_at")
COMPILATION_COLUMNS = ("title", "description", "target", "settings", "status", "lineage_share",
                       "max_depth", "editors_percent", "payout_window_days", "created_by",
                       "submitted_by", "created_at", "updated_at")
HISTORY_COLUMNS = ("compilation_id", "actor_id", "action", "from_status", "to_status", "reason",
                   "at")
# Emptied by ``force``; the cascade takes every table that references them (classes,
# compilations and all their dependants, subscriptions, sessions, lineage, media rows).
SEEDED_TABLES = ("members", "records", "classes", "compilations")

Progress = Callable[[str, int, int], None]
Row = tuple[Any, ...]


class NotEmpty(RuntimeError):
    """The database already holds members or records (pass ``force`` to replace them)."""


@dataclass(frozen=True)
class ClassCounts:
    subscriptions: int = 0
    classes: int = 0
    published: int = 0  # PUBLISHED (what ``classes`` lists by default)
    lessons: int = 0
    enrollments: int = 0
    completions: int = 0
    submissions: int = 0
    feedback: int = 0


@dataclass(frozen=True)
class CompilationCounts:
    compilations: int = 0
    public: int = 0  # PUBLISHED or ARCHIVED: what an anonymous visitor sees
    items: int = 0
    history: int = 0


@dataclass(frozen=True)
class ScaleReport:
    members: int
    records: int
    remix_links: int
    root_id: int
    leaf_id: int
    root_descendants: int
    classes: ClassCounts = field(default_factory=ClassCounts)
    compilations: CompilationCounts = field(default_factory=CompilationCounts)


@dataclass
class _World:
    """What the classes and compilations draw from, gathered while the records are made."""

    start: dt.datetime  # the data set's first day
    now: dt.datetime
    members: list[int]  # member ids in creation order
    editors: list[int]  # EDITOR and ADMIN member ids
    skilled: dict[str, list[int]]  # skill -> members who list it
    created: list[dt.datetime] = field(default_factory=list)  # by record index
    published: dict[str, list[int]] = field(default_factory=dict)  # media type -> indexes
    by_author: dict[int, list[int]] = field(default_factory=dict)  # member id -> indexes
    details: list[str] = field(default_factory=list)  # record index -> details JSON
    parsed: dict[str, dict[str, Any]] = field(default_factory=dict)  # details JSON -> dict
    base: int = 0  # the id of record index 0
    subscribers: list[int] = field(default_factory=list)

    def record_id(self, index: int) -> int:
        return self.base + index

    def details_of(self, index: int) -> dict[str, Any]:
        """Record ``index``'s details, parsed once per distinct details variant."""
        text = self.details[index]
        if text not in self.parsed:
            self.parsed[text] = orjson.loads(text)
        return self.parsed[text]

    def before(self, media_type: str, index: int) -> list[int]:
        """Published, undeleted records of ``media_type`` made before record ``index``."""
        pool = self.published.get(media_type, [])
        return pool[:bisect.bisect_left(pool, index)]


@dataclass
class _Lineage:
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


def plan_lineage(rng: random.Random, total: int) -> _Lineage:
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
    return _Lineage(edges=edges, designated=designated, root=generations[0][0],
                    leaf=generations[-1][0])


async def _detail_pool(
    plugins: HubPlugins, rng: random.Random,
) -> dict[str, list[tuple[str, str]]]:
    """(details JSON, search text) variants per media type, from each plugin's
    ``hub_sample_details`` and normalised by its own hooks; a media type whose plugin offers
    none is left out (hub.seed.samples logs it)."""
    pool: dict[str, list[tuple[str, str]]] = {}
    for media_type in plugins.media_types:
        variants = await sample_details(plugins, media_type, DETAIL_VARIANTS, rng.randrange(2**32))
        if variants:
            pool[media_type] = [(orjson.dumps(details).decode(), text)
                                for details, text in variants]
    return pool


async def _secondary_indexes(
    connection: asyncpg.Connection, tables: list[str],
) -> list[tuple[str, str]]:
    """``create index`` statements of the tables' indexes that back no constraint."""
    rows = await connection.fetch(
        """select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as ddl
           from pg_index i
           where i.indrelid = any($1::regclass[])
             and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)""",
        tables,
    )
    return [(row["name"], row["ddl"]) for row in rows]


async def is_empty(connection: asyncpg.Connection) -> bool:
    return not await connection.fetchval(
        "select exists (select 1 from members) or exists (select 1 from records)"
    )


async def seed_scale(
    dsn: str, plugins: HubPlugins, records: int, *, force: bool = False,
    progress: Progress | None = None, seed: int = 7,
) -> ScaleReport:
    """Load ``records`` records (and ``records // 50`` members), their lineage, classes and
    compilations into the database at ``dsn``, in one transaction.

    Refuses (:class:`NotEmpty`) a database with members or records unless ``force``, which
    first empties :data:`SEEDED_TABLES` and every table that references them.
    Reports progress as (what, done now, total) with what one of "members", "records",
    "links", "classes", "compilations", "collaborations", "indexes".
    """
    if records < 100:
        raise ValueError("--scale needs at least 100 records")
    report = progress or (lambda _label, _n, _total: None)
    rng = random.Random(seed)
    n_members = max(10, records // RECORDS_PER_MEMBER)
    password_hash = await auth.hash_password(DEMO_PASSWORD)
    details = await _detail_pool(plugins, rng)
    if not details:
        raise ValueError("no enabled media-type plugin offers demo details (hub_sample_details)")
    lineage = plan_lineage(rng, records)

    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            await _make_room(connection, force)
            await connection.execute("set local maintenance_work_mem = '512MB'")
            indexes = await _secondary_indexes(connection, ["records", "record_sources"])
            for name, _ in indexes:
                await connection.execute(f"drop index {name}")

            world = await _load_members(connection, rng, n_members, password_hash)
            report("members", n_members, n_members)
            await _load_records(connection, rng, world, records, details, lineage, report)
            links = await _load_links(connection, rng, world, lineage, report)
            classes = await _load_classes(connection, rng, world, records)
            report("classes", classes.classes, classes.classes)
            compilations = await _load_compilations(connection, rng, world, plugins, records)
            report("compilations", compilations.compilations, compilations.compilations)
            collaborations = await load_collaborations(connection, records)
            report("collaborations", collaborations, collaborations)
            await load_community(connection)
            await seed_notifications(connection)  # from the hearts, remixes and decisions

            for _, ddl in indexes:
                await connection.execute(ddl)
                report("indexes", 1, len(indexes))
        await _analyze(connection)
        root_descendants = await connection.fetchval(
            """with recursive d(id) as (
                   select $1::bigint
                 union
                   select s.remix_id from d join record_sources s on s.source_id = d.id
               ) select count(*) - 1 from d""",
            world.record_id(lineage.root),
        )
    finally:
        await connection.close()
    return ScaleReport(members=n_members, records=records, remix_links=links,
                       root_id=world.record_id(lineage.root),
                       leaf_id=world.record_id(lineage.leaf),
                       root_descendants=root_descendants, classes=classes,
                       compilations=compilations)


async def _make_room(connection: asyncpg.Connection, force: bool) -> None:
    if await is_empty(connection):
        return
    if not force:
        raise NotEmpty("the database already has members or records; "
                       "pass --force to replace them")
    await connection.execute(f"truncate {', '.join(SEEDED_TABLES)} restart identity cascade")


async def _analyze(connection: asyncpg.Connection) -> None:
    """Fresh statistics, so the first benchmark queries get the plans they will keep."""
    for table in ("members", "records", "record_sources", "subscriptions", "classes",
                  "class_instructors", "lessons", "enrollments", "lesson_completions",
                  "submissions", "feedback", "compilations", "compilation_editors",
                  "compilation_items", "compilation_history", "hearts", "record_views",
                  "member_follows"):
        await connection.execute(f"analyze {table}")


async def _copy(connection: asyncpg.Connection, table: str, columns: Sequence[str],
                rows: Sequence[Row]) -> None:
    for batch in _batches(iter(rows), BATCH):
        await connection.copy_records_to_table(table, records=batch, columns=columns)


async def _new_ids(connection: asyncpg.Connection, table: str, expected: int) -> list[int]:
    """The ids of the rows just copied into an empty ``table``, in the order they were sent
    (identity values are handed out in COPY order)."""
    ids = [row["id"] for row in await connection.fetch(f"select id from {table} order by id")]
    if len(ids) != expected:
        raise RuntimeError(f"{table} holds {len(ids)} rows, expected {expected}")
    return ids


async def _load_members(
    connection: asyncpg.Connection, rng: random.Random, count: int, password_hash: str,
) -> _World:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=730)
    rows = list(_member_rows(rng, count, password_hash, start))
    await _copy(connection, "members", MEMBER_COLUMNS, rows)
    ids = await _new_ids(connection, "members", count)
    skilled: dict[str, list[int]] = {}
    for member_id, row in zip(ids, rows, strict=True):
        for skill in row[MEMBER_COLUMNS.index("skills")]:
            skilled.setdefault(skill, []).append(member_id)
    role = MEMBER_COLUMNS.index("role")
    return _World(start=start, now=now, members=ids,
                  editors=[i for i, row in zip(ids, rows, strict=True) if row[role] != "MEMBER"],
                  skilled=skilled)


async def _load_records(
    connection: asyncpg.Connection, rng: random.Random, world: _World, records: int,
    details: dict[str, list[tuple[str, str]]], lineage: _Lineage, report: Progress,
) -> None:
    step = (world.now - world.start) / (records + 1)
    world.created = [world.start + step * (i + 1) for i in range(records)]
    rows = _record_rows(rng, records, world.members, sorted(details), details, world.created,
                        set(lineage.designated), lineage)
    for batch in _batches(_catalogued(rows, world), BATCH):
        await connection.copy_records_to_table("records", records=batch, columns=RECORD_COLUMNS)
        report("records", len(batch), records)
    base, last, count = await connection.fetchrow(
        "select min(id), max(id), count(*) from records")
    if last - base + 1 != count or count != records:
        raise RuntimeError("record ids are not contiguous; cannot place the lineage")
    world.base = base


def _catalogued(rows: Iterator[Row], world: _World) -> Iterator[Row]:
    """Pass the record rows on, noting the published ones (by media type and author) and the
    details of each, for the classes and compilations."""
    author, media, status = (RECORD_COLUMNS.index(c) for c in ("author_id", "media_type",
                                                               "status"))
    detail, deleted = RECORD_COLUMNS.index("details"), RECORD_COLUMNS.index("deleted_at")
    for index, row in enumerate(rows):
        if row[status] == "PUBLISHED" and row[deleted] is None:
            world.published.setdefault(row[media], []).append(index)
            world.by_author.setdefault(row[author], []).append(index)
        world.details.append(row[detail])  # one of a few variants: shared, not copied
        yield row


async def _load_links(
    connection: asyncpg.Connection, rng: random.Random, world: _World, lineage: _Lineage,
    report: Progress,
) -> int:
    positions: dict[int, int] = {}
    edge_rows: list[Row] = []
    for remix, source in lineage.edges:
        positions[remix] = positions.get(remix, 0) + 1
        edge_rows.append((world.record_id(remix), world.record_id(source), rng.choice(NOTES),
                          positions[remix], world.created[remix]))
    for batch in _batches(iter(edge_rows), BATCH):
        await connection.copy_records_to_table(
            "record_sources", records=batch, columns=EDGE_COLUMNS)
        report("links", len(batch), len(edge_rows))
    return len(edge_rows)


def _member_rows(
    rng: random.Random, count: int, password_hash: str, start: dt.datetime,
) -> Iterator[Row]:
    for i in range(count):
        first = FIRST[i % len(FIRST)]
        skills = rng.sample(SKILLS, rng.randint(1, 4))
        display = f"{first} {rng.choice(LAST)}"
        created = start + dt.timedelta(minutes=i)
        yield (f"{first.lower()}{i}", display,
               f"{first} works on {' and '.join(skills)}.", skills, _role(i), password_hash,
               created, created)


def _role(i: int) -> str:
    if i == 0:
        return "ADMIN"
    return "EDITOR" if i % EDITOR_EVERY == 1 else "MEMBER"


# --- classes ------------------------------------------------------------------------------------


@dataclass
class _Learner:
    member_id: int
    enrolled_at: dt.datetime
    completed: int  # the first ``completed`` lessons are done
    submission: int | None  # a record index submitted to lesson ``completed``
    feedback: bool  # the lead instructor answered the submission


@dataclass
class _ClassPlan:
    row: Row  # in CLASS_COLUMNS order
    instructors: list[int]  # the creator first
    lessons: list[tuple[str, str, str, int | None]]  # title, body, prompt, video record index
    learners: list[_Learner]

    def get(self, column: str) -> Any:
        return self.row[CLASS_COLUMNS.index(column)]


@dataclass
class _Learning:
    """The rows of enrollments, completions and submissions of every class, and for each
    submission its feedback (author, body, time) or None."""

    enrollments: list[Row] = field(default_factory=list)
    completions: list[Row] = field(default_factory=list)
    submissions: list[Row] = field(default_factory=list)
    feedback: list[tuple[int, str, dt.datetime] | None] = field(default_factory=list)


async def _load_classes(
    connection: asyncpg.Connection, rng: random.Random, world: _World, records: int,
) -> ClassCounts:
    subscriptions = _subscription_rows(rng, world)
    world.subscribers = [row[0] for row in subscriptions]
    await _copy(connection, "subscriptions", SUBSCRIPTION_COLUMNS, subscriptions)
    plans = _plan_classes(rng, world, max(1, records // CLASS_EVERY))
    await _copy(connection, "classes", CLASS_COLUMNS, [plan.row for plan in plans])
    class_ids = await _new_ids(connection, "classes", len(plans))
    await _copy(connection, "class_instructors", ("class_id", "member_id", "added_at"), [
        (class_id, member_id, plan.get("created_at") + dt.timedelta(minutes=n))
        for class_id, plan in zip(class_ids, plans, strict=True)
        for n, member_id in enumerate(plan.instructors)])
    lesson_rows = _lesson_rows(world, plans, class_ids)
    await _copy(connection, "lessons", LESSON_COLUMNS, lesson_rows)
    lesson_ids = await _new_ids(connection, "lessons", len(lesson_rows))
    learning = _learning_rows(world, plans, class_ids, lesson_ids)
    await _copy(connection, "enrollments", ("class_id", "member_id", "enrolled_at"),
                learning.enrollments)
    await _copy(connection, "lesson_completions", ("member_id", "lesson_id", "completed_at"),
                learning.completions)
    await _copy(connection, "submissions",
                ("class_id", "lesson_id", "member_id", "record_id", "created_at"),
                learning.submissions)
    submission_ids = await _new_ids(connection, "submissions", len(learning.submissions))
    feedback = [(submission_id, *given) for submission_id, given
                in zip(submission_ids, learning.feedback, strict=True) if given is not None]
    await _copy(connection, "feedback", ("submission_id", "author_id", "body", "created_at"),
                feedback)
    return ClassCounts(
        subscriptions=len(subscriptions), classes=len(plans),
        published=sum(plan.get("status") == "PUBLISHED" for plan in plans),
        lessons=len(lesson_rows), enrollments=len(learning.enrollments),
        completions=len(learning.completions), submissions=len(learning.submissions),
        feedback=len(feedback))


def _subscription_rows(rng: random.Random, world: _World) -> list[Row]:
    """Subscriptions of about :data:`SUBSCRIBER_SHARE` of the members, most of them ACTIVE;
    learners are drawn from these members (some have lapsed since they enrolled)."""
    rows: list[Row] = []
    for member_id in world.members:
        if rng.random() >= SUBSCRIBER_SHARE:
            continue
        u = rng.random()
        if u < 0.85:
            status, end = "ACTIVE", world.now + dt.timedelta(days=rng.randint(1, 30))
        elif u < 0.95:
            status, end = "PAST_DUE", world.now - dt.timedelta(days=rng.randint(1, 5))
        else:
            status, end = "CANCELED", world.now - dt.timedelta(days=rng.randint(10, 200))
        rows.append((member_id, status, rng.choice(("monthly", "yearly")), end, "cli", world.now))
    return rows


def _plan_classes(rng: random.Random, world: _World, count: int) -> list[_ClassPlan]:
    total = len(world.created)
    # Creation moments among the newer 90% of the records, in order, so ids follow time.
    moments = sorted(rng.randrange(total // 10, total) for _ in range(count))
    taken: set[str] = set()
    return [_plan_class(rng, world, CLASS_CYCLE[n % len(CLASS_CYCLE)], at, taken)
            for n, at in enumerate(moments)]


def _plan_class(
    rng: random.Random, world: _World, status: str, at: int, taken: set[str],
) -> _ClassPlan:
    """A class made when record ``at`` was: taught by one to three members who list its skill,
    4–12 lessons (the first with a published film as its video half the time), and, once
    published, learners from the subscribers with their progress and a few submissions."""
    skill = rng.choice(SKILLS)
    level = rng.choice(("BEGINNER", "INTERMEDIATE", "ADVANCED"))
    title = rng.choice(CLASS_TITLES).format(
        Skill=skill.title(), skill=skill, adjective=rng.choice(ADJECTIVES),
        noun=rng.choice(NOUNS))
    slug = unique_slug(slugify(title), taken)  # the app's own rule: "-2", "-3"… on a clash
    taken.add(slug)
    teachers = world.skilled.get(skill) or world.members
    instructors = rng.sample(teachers, min(len(teachers), rng.choice((1, 1, 1, 2, 2, 3))))
    created = world.created[at]
    published = min(world.now, created + dt.timedelta(days=2)) if status != "DRAFT" else None
    archived = published + (world.now - published) * rng.random() \
        if published and status == "ARCHIVED" else None
    n_lessons = rng.randint(*LESSONS_PER_CLASS)
    films = world.before("film", at)
    video = rng.choice(films) if films and rng.random() < 0.5 else None
    lessons = [(step, body.format(skill=skill), prompt.format(skill=skill),
                video if position == 1 else None)
               for position, (step, body, prompt) in enumerate(LESSON_STEPS[:n_lessons], 1)]
    row = (slug, title, f"A {level.lower()} class in {skill}: {n_lessons} lessons from a first "
           "sketch to a finished piece.",
           f"Learn {skill} by doing: every lesson ends with a prompt you answer with a record, "
           "and classmates remix each other's answers.", skill, level, status,
           rng.random() < 0.4, instructors[0], created, archived or published or created,
           published)
    learners = _plan_learners(rng, world, instructors, n_lessons, published,
                              archived or world.now) if published else []
    return _ClassPlan(row=row, instructors=instructors, lessons=lessons, learners=learners)


def _plan_learners(
    rng: random.Random, world: _World, instructors: list[int], n_lessons: int,
    opened: dt.datetime, closed: dt.datetime,
) -> list[_Learner]:
    """Up to :data:`MAX_LEARNERS` subscribers (most classes have a handful) who enrolled while
    the class was open; some completed a few lessons, a third of those submitted one of their
    own published records to the last lesson they completed."""
    want = min(len(world.subscribers), int(MAX_LEARNERS * rng.random() ** 2))
    learners: list[_Learner] = []
    for member_id in rng.sample(world.subscribers, want):
        if member_id in instructors:
            continue
        done = rng.randint(0, n_lessons)
        own = world.by_author.get(member_id, [])
        submission = rng.choice(own) if done and own and rng.random() < 0.3 else None
        learners.append(_Learner(member_id, opened + (closed - opened) * rng.random(), done,
                                 submission, rng.random() < 0.5))
    return learners


def _lesson_rows(world: _World, plans: list[_ClassPlan], class_ids: list[int]) -> list[Row]:
    return [(class_id, position, title, body, prompt,
             world.record_id(video) if video is not None else None,
             plan.get("created_at"), plan.get("created_at"))
            for class_id, plan in zip(class_ids, plans, strict=True)
            for position, (title, body, prompt, video) in enumerate(plan.lessons, 1)]


def _learning_rows(
    world: _World, plans: list[_ClassPlan], class_ids: list[int], lesson_ids: list[int],
) -> _Learning:
    learning = _Learning()
    first = 0  # where the current class's lessons start in lesson_ids (copied in order)
    for class_id, plan in zip(class_ids, plans, strict=True):
        lessons = lesson_ids[first:first + len(plan.lessons)]
        for learner in plan.learners:
            _learn(world, learning, class_id, plan, lessons, learner)
        first += len(plan.lessons)
    return learning


def _learn(
    world: _World, learning: _Learning, class_id: int, plan: _ClassPlan, lesson_ids: list[int],
    learner: _Learner,
) -> None:
    """One learner's enrollment, completed lessons (spread from enrolling to now) and
    submission (when they finished the lesson, or when its record appeared if later)."""
    enrolled = learner.enrolled_at
    learning.enrollments.append((class_id, learner.member_id, enrolled))
    done_at = enrolled
    for n in range(learner.completed):
        done_at = enrolled + (world.now - enrolled) * (n + 1) / (learner.completed + 1)
        learning.completions.append((learner.member_id, lesson_ids[n], done_at))
    if learner.submission is None:
        return
    at = min(world.now, max(done_at, world.created[learner.submission]))
    learning.submissions.append((class_id, lesson_ids[learner.completed - 1], learner.member_id,
                                 world.record_id(learner.submission), at))
    body = FEEDBACK[learner.member_id % len(FEEDBACK)]
    learning.feedback.append((plan.instructors[0], body, at + (world.now - at) / 2)
                             if learner.feedback else None)


# --- compilations -------------------------------------------------------------------------------


@dataclass
class _CompilationPlan:
    row: Row  # in COMPILATION_COLUMNS order
    editors: list[int]  # the creator first, then the editor who reviews
    items: list[int]  # record indexes, in order
    history: list[Row]  # HISTORY_COLUMNS without the compilation id, oldest first


async def _load_compilations(
    connection: asyncpg.Connection, rng: random.Random, world: _World, plugins: HubPlugins,
    records: int,
) -> CompilationCounts:
    targets = sorted(plugins.publishing_targets)
    if not targets or len(world.editors) < 2:  # nothing to publish to, or no four eyes
        return CompilationCounts()
    plans = await _plan_compilations(rng, world, plugins, targets,
                                     max(1, records // COMPILATION_EVERY))
    await _copy(connection, "compilations", COMPILATION_COLUMNS, [plan.row for plan in plans])
    ids = await _new_ids(connection, "compilations", len(plans))
    pairs = list(zip(ids, plans, strict=True))
    created = COMPILATION_COLUMNS.index("created_at")
    await _copy(connection, "compilation_editors",
                ("compilation_id", "member_id", "added_by", "added_at"),
                [(pk, member, plan.editors[0], plan.row[created])
                 for pk, plan in pairs for member in plan.editors])
    status = COMPILATION_COLUMNS.index("status")
    # Approval pins each item's record version; seeded records are at version 1.
    approved = {workflow.APPROVED, workflow.PUBLISHED, workflow.ARCHIVED}
    items = [(pk, world.record_id(record), position, "", Decimal(1), plan.editors[0],
              plan.row[created], 1 if plan.row[status] in approved else None)
             for pk, plan in pairs for position, record in enumerate(plan.items, 1)]
    await _copy(connection, "compilation_items", ("compilation_id", "record_id", "position",
                                                  "note", "weight", "added_by", "created_at",
                                                  "approved_version"),
                items)
    history = [(pk, *entry) for pk, plan in pairs for entry in plan.history]
    await _copy(connection, "compilation_history", HISTORY_COLUMNS, history)
    return CompilationCounts(
        compilations=len(plans), items=len(items), history=len(history),
        public=sum(plan.row[status] in workflow.PUBLIC_STATUSES for plan in plans))


async def _plan_compilations(
    rng: random.Random, world: _World, plugins: HubPlugins, targets: list[str], count: int,
) -> list[_CompilationPlan]:
    total = len(world.created)
    # Made in the newer half of the data set, so each has records to choose from.
    moments = sorted(rng.randrange(total // 2, total) for _ in range(count))
    plans: list[_CompilationPlan] = []
    for n, at in enumerate(moments):
        plan = await _plan_compilation(rng, world, plugins, targets[n % len(targets)],
                                       COMPILATION_CYCLE[n % len(COMPILATION_CYCLE)], at, n + 1)
        if plan is not None:
            plans.append(plan)
    return plans


async def _plan_compilation(
    rng: random.Random, world: _World, plugins: HubPlugins, target: str, status: str, at: int,
    number: int,
) -> _CompilationPlan | None:
    """A compilation made when record ``at`` was, of records published before then that its
    target accepts, chosen by the target's plugin (so a PUBLISHED one has no problems), taken
    through the workflow to ``status`` by two editors (one creates and submits, the other
    approves). None when the plugin makes none of the records on offer."""
    sample = await _sample(rng, world, plugins, target, at)
    if sample is None:
        return None
    creator, reviewer = rng.sample(world.editors, 2)
    created = world.created[at]
    history, submitted_by = _history(rng, status, creator, reviewer, created, world.now)
    label = plugins.publishing_targets[target].label
    title = sample.title or f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}, {label} {number}"
    row = (title, f"A {target} of {len(sample.items)} records from the community.",
           target, orjson.dumps(sample.settings).decode(), status, Decimal("0.5"), 3,
           Decimal(rng.choice((0, 5, 10))), 14, creator, submitted_by, created, history[-1][-1])
    return _CompilationPlan(row=row, editors=[creator, reviewer], items=list(sample.items),
                            history=history)


async def _sample(
    rng: random.Random, world: _World, plugins: HubPlugins, target: str, at: int,
) -> SampleCompilation | None:
    """The items (record indexes) and settings: chosen by the target's plugin
    (``hub_sample_compilation``) from a random draw of the records it accepts, or, when its
    plugin offers none, :func:`_generic_sample`."""
    accepted = plugins.publishing_targets[target].accepted_media_types or tuple(
        sorted(world.published))
    if not offers_sample_compilations(plugins, target):
        return _generic_sample(rng, world, accepted, at)
    offered = [SampleRecord(index, media_type, world.details_of(index))
               for media_type in accepted
               for index in _draw(rng, world.before(media_type, at), OFFERED_PER_MEDIA_TYPE)]
    return await sample_compilation(plugins, target, offered, rng.randrange(2**32))


def _draw(rng: random.Random, pool: list[int], most: int) -> list[int]:
    return rng.sample(pool, min(len(pool), most))


def _generic_sample(
    rng: random.Random, world: _World, accepted: tuple[str, ...], at: int,
) -> SampleCompilation | None:
    """5–20 records of the accepted media types, shuffled, with the target's default settings;
    None when the first accepted media type has no published record yet."""
    fewest, most = ITEMS_PER_COMPILATION
    share = max(fewest, most // max(1, len(accepted)))
    picks: list[int] = []
    for n, media_type in enumerate(accepted):
        drawn = _draw(rng, world.before(media_type, at), rng.randint(fewest if n == 0 else 0, share))
        if n == 0 and not drawn:
            return None
        picks += drawn
    rng.shuffle(picks)
    return SampleCompilation(items=tuple(picks[:most]))


def _history(
    rng: random.Random, status: str, creator: int, reviewer: int, created: dt.datetime,
    now: dt.datetime,
) -> tuple[list[Row], int | None]:
    """The history entries that lead to ``status`` (a third of the drafts were submitted and
    returned once), spread from ``created`` to ``now``, and ``submitted_by`` at the end, as
    hub/compilations/mutations.py keeps it."""
    actions = COMPILATION_PATHS[status]
    if status == workflow.DRAFT and rng.random() < 0.33:
        actions = ("submit", "return")
    entries: list[Row] = [(creator, "create", None, workflow.DRAFT, "", created)]
    current, submitted_by = workflow.DRAFT, None
    for n, action in enumerate(actions, 1):
        after = workflow.next_status(action, current)
        if after is None:
            raise RuntimeError(f"no {action} from {current} in the workflow")
        actor = reviewer if action in ("approve", "return") else creator
        submitted_by = creator if action == "submit" else (
            None if after == workflow.DRAFT else submitted_by)
        reason = {"return": "Tighten the order before it goes out again.",
                  "publish": "seeded by recordhub seed --scale: no files rendered",
                  "archive": "Superseded by a newer edition."}.get(action, "")
        entries.append((actor, action, current, after, reason,
                        created + (now - created) * n / (len(actions) + 1)))
        current = after
    return entries, submitted_by


def _record_rows(
    rng: random.Random, total: int, member_ids: list[int], media_types: list[str],
    details: dict[str, list[tuple[str, str]]], created: list[dt.datetime],
    designated: set[int], lineage: _Lineage,
) -> Iterator[tuple[Any, ...]]:
    n_members = len(member_ids)
    remixes = {remix for remix, _ in lineage.edges}
    for i in range(total):
        media_type = media_types[i % len(media_types)]
        detail_json, text = details[media_type][rng.randrange(DETAIL_VARIANTS)]
        # A few prolific members: the author index is skewed towards the first members.
        author = member_ids[int(n_members * rng.random() ** 2)]
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {i}"
        tags = rng.sample(TAGS, rng.randint(0, 3))
        status, deleted = "PUBLISHED", None
        if i in designated:
            if i == lineage.root:
                tags.append(ROOT_TAG)
            elif i == lineage.leaf:
                tags.append(LEAF_TAG)
        else:
            u = rng.random()
            if u < 0.05:
                status = "DRAFT"
            elif u < 0.07:
                status = "UNPUBLISHED"
            elif u < 0.075 and i not in remixes:
                deleted = created[i]  # a tombstone (maybe remixed: credit stays)
        kind = "remix" if i in remixes else "original"
        at = created[i]
        yield (author, media_type, title,
               f"An {kind} {media_type} piece about {title.split()[1].lower()}.", tags,
               rng.choice(LICENSES), status, detail_json, text, at, at,
               at if status != "DRAFT" else None, deleted)


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
