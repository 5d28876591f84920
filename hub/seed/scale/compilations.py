"""Compilations of the scale seed: items drawn by each target's own sample, editors and a
history matching each status (:func:`_plan_compilation`)."""


from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

import asyncpg
import orjson

from hub.domain.compilations import workflow
from hub.plugin_api import SampleCompilation, SampleRecord
from hub.plugins import HubPlugins
from hub.seed.demo import ADJECTIVES, NOUNS
from hub.seed.samples import offers_sample_compilations, sample_compilation
from hub.seed.scale.world import (
    COMPILATION_COLUMNS,
    COMPILATION_CYCLE,
    COMPILATION_EVERY,
    COMPILATION_PATHS,
    HISTORY_COLUMNS,
    ITEMS_PER_COMPILATION,
    OFFERED_PER_MEDIA_TYPE,
    CompilationCounts,
    Row,
    World,
    copy_rows,
    new_ids,
)


@dataclass
class _CompilationPlan:
    row: Row  # in COMPILATION_COLUMNS order
    editors: list[int]  # the creator first, then the editor who reviews
    items: list[int]  # record indexes, in order
    history: list[Row]  # HISTORY_COLUMNS without the compilation id, oldest first


async def load_compilations(
    connection: asyncpg.Connection, rng: random.Random, world: World, plugins: HubPlugins,
    records: int,
) -> CompilationCounts:
    targets = sorted(plugins.publishing_targets)
    if not targets or len(world.editors) < 2:  # nothing to publish to, or no four eyes
        return CompilationCounts()
    plans = await _plan_compilations(rng, world, plugins, targets,
                                     max(1, records // COMPILATION_EVERY))
    await copy_rows(connection, "compilations", COMPILATION_COLUMNS, [plan.row for plan in plans])
    ids = await new_ids(connection, "compilations", len(plans))
    pairs = list(zip(ids, plans, strict=True))
    created = COMPILATION_COLUMNS.index("created_at")
    await copy_rows(connection, "compilation_editors",
                ("compilation_id", "member_id", "added_by", "added_at"),
                [(pk, member, plan.editors[0], plan.row[created])
                 for pk, plan in pairs for member in plan.editors])
    status = COMPILATION_COLUMNS.index("status")
    # Approval pins each item's record version; seeded records are at version 1.
    approved = {workflow.APPROVED, workflow.PUBLISHED, workflow.ARCHIVED}
    items = [(pk, world.record_id(record), position, "", Decimal(1), plan.editors[0],
              plan.row[created], 1 if plan.row[status] in approved else None)
             for pk, plan in pairs for position, record in enumerate(plan.items, 1)]
    await copy_rows(connection, "compilation_items", ("compilation_id", "record_id", "position",
                                                  "note", "weight", "added_by", "created_at",
                                                  "approved_version"),
                items)
    history = [(pk, *entry) for pk, plan in pairs for entry in plan.history]
    await copy_rows(connection, "compilation_history", HISTORY_COLUMNS, history)
    return CompilationCounts(
        compilations=len(plans), items=len(items), history=len(history),
        public=sum(plan.row[status] in workflow.PUBLIC_STATUSES for plan in plans))


async def _plan_compilations(
    rng: random.Random, world: World, plugins: HubPlugins, targets: list[str], count: int,
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
    rng: random.Random, world: World, plugins: HubPlugins, target: str, status: str, at: int,
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
    rng: random.Random, world: World, plugins: HubPlugins, target: str, at: int,
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
    rng: random.Random, world: World, accepted: tuple[str, ...], at: int,
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
