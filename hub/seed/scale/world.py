"""What every part of the scale seed shares: its sizes and vocabularies, the world the
records make (:class:`World`), the report, and loading rows with binary COPY."""


from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson

from hub.domain.compilations import workflow

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
class World:
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



async def copy_rows(connection: asyncpg.Connection, table: str, columns: Sequence[str],
                rows: Sequence[Row]) -> None:
    for batch in batches(iter(rows), BATCH):
        await connection.copy_records_to_table(table, records=batch, columns=columns)


async def new_ids(connection: asyncpg.Connection, table: str, expected: int) -> list[int]:
    """The ids of the rows just copied into an empty ``table``, in the order they were sent
    (identity values are handed out in COPY order)."""
    ids = [row["id"] for row in await connection.fetch(f"select id from {table} order by id")]
    if len(ids) != expected:
        raise RuntimeError(f"{table} holds {len(ids)} rows, expected {expected}")
    return ids


def batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
