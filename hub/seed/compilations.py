"""Demo compilations, added to the demo community by :func:`hub.seed.seed_demo`: one per
publishing target whose plugin makes one of the records on offer (``hub_sample_compilation``;
the first-party ones make a book of stories and a TV episode), each through the whole workflow
(created and submitted by ``eddie``, approved by ``ada``, rendered through its target plugin)
and each with a finalized payout (proposed as if three weeks ago, so its window has closed).
Of the first target's records, one more in each other state (DRAFT, IN_REVIEW, APPROVED,
ARCHIVED), so the studio opens with work in every column. A compilation its own plugin would
not publish is logged and left out."""

from __future__ import annotations

import logging
import random
from decimal import Decimal
from typing import Any

from hub.api.compilations.types import frozen_lines
from hub.api.context import Context
from hub.core.config import Settings
from hub.core.db import Database, Executor
from hub.core.relay import encode_id
from hub.domain.compilations import credits, publishing, store, workflow
from hub.domain.compilations.snapshot import credit_inputs
from hub.plugin_api import SampleRecord
from hub.plugins import HubPlugins, PluginFailure
from hub.seed.samples import sample_compilation

log = logging.getLogger(__name__)

OFFERED_PER_MEDIA_TYPE = 40
# Titles of the demo compilations whose plugin names none, in turn.
TITLES = ("Borrowed Harbors", "Night Signals", "Paper Lanterns", "Salt Rivers", "Open Rooms")
POOL = credits.Money(250_000, "USD")  # 2,500.00 USD per compilation


class DemoNotPublishable(RuntimeError):
    """A demo compilation its target would not publish."""


async def _handles(tx: Executor, *handles: str) -> dict[str, int]:
    rows = await tx.fetch("select id, handle from members where handle = any($1::text[])",
                          list(handles))
    return {row["handle"]: row["id"] for row in rows}


async def _offered(tx: Executor, media_types: tuple[str, ...]) -> list[SampleRecord]:
    """Published records of ``media_types`` (any when empty), at most
    :data:`OFFERED_PER_MEDIA_TYPE` of each: remixes first (their credits reach their sources),
    then the oldest."""
    rows = await tx.fetch(
        """select id, media_type, details from (
               select r.id, r.media_type, r.details, row_number() over (
                          partition by r.media_type
                          order by exists (select 1 from record_sources s where s.remix_id = r.id)
                                   desc, r.id) as n
               from records r
               where r.status = 'PUBLISHED' and r.deleted_at is null
                 and (cardinality($1::text[]) = 0 or r.media_type = any($1::text[]))) offered
           where n <= $2 order by media_type, n""",
        list(media_types), OFFERED_PER_MEDIA_TYPE,
    )
    return [SampleRecord(row["id"], row["media_type"], row["details"] or {}) for row in rows]


async def _create(
    tx: Executor, editors: dict[str, int], title: str, target: str, settings: dict[str, Any],
    record_ids: list[int], description: str,
) -> Any:
    """A DRAFT by ``eddie``, with ``ada`` on its team and the records as items."""
    eddie, ada = editors["eddie"], editors["ada"]
    row = await store.insert_compilation(
        tx, title=title, description=description, target=target, settings=settings,
        lineage_share=Decimal("0.5"), max_depth=3, editors_percent=Decimal(5),
        payout_window_days=14, created_by=eddie,
    )
    await store.add_editor(tx, row["id"], eddie, eddie)
    await store.add_editor(tx, row["id"], ada, eddie)
    await store.add_history(tx, row["id"], eddie, "create", None, workflow.DRAFT)
    for record_id in record_ids:
        await store.append_item(tx, compilation_id=row["id"], record_id=record_id, note="",
                                weight=Decimal(1), added_by=eddie)
    return row


async def _step(tx: Executor, row: Any, action: str, actor: int, by: int) -> Any:
    """One workflow transition (``by`` is who the row says changed it), with its history."""
    if action == "approve":
        await store.pin_versions(tx, row["id"])
    previous, status = row["status"], workflow.next_status(action, row["status"])
    assert status is not None, (action, previous)  # the demo follows allowed transitions
    row = await store.set_status(tx, row["id"], status, by)
    await store.add_history(tx, row["id"], actor, action, previous, status)
    return row


async def _publish(context: Context, tx: Executor, row: Any, eddie: int) -> Any:
    problems = await publishing.find_problems(context, tx, row)
    if problems:
        raise DemoNotPublishable(f"its sample has problems: {problems}")
    await publishing.store_publication(context, tx, row, eddie, [])
    row = await store.set_status(tx, row["id"], workflow.PUBLISHED, eddie)
    await store.add_history(tx, row["id"], eddie, "publish", workflow.APPROVED, workflow.PUBLISHED,
                            "version 1", {"version": 1, "target": row["target"]})
    return row


async def _compile(
    context: Context, tx: Executor, editors: dict[str, int], title: str, target: str,
    settings: dict[str, Any], record_ids: list[int],
) -> Any:
    eddie, ada = editors["eddie"], editors["ada"]
    row = await _create(tx, editors, title, target, settings, record_ids,
                        f"A demo {target} made from the community's records.")
    row = await _step(tx, row, "submit", eddie, eddie)
    row = await _step(tx, row, "approve", ada, eddie)
    row = await _publish(context, tx, row, eddie)
    await _finalized_payout(tx, row, eddie, ada)
    return row


# The other states of the workflow, one demo compilation each (of the first target's sample):
# the title, what it is, and the actions that bring it there from DRAFT (by eddie, approvals
# by ada). The studio's dashboard shows a compilation in every column.
IN_PROGRESS = (
    ("Fog Bells", "A draft still being assembled.", ()),
    ("Low Tide Almanac", "Submitted: waiting for a second editor.", ("submit",)),
    ("Quiet Piers", "Approved, ready to publish.", ("submit", "approve")),
    ("Winter Moorings", "Published last season, then archived.",
     ("submit", "approve", "publish", "archive")),
)


async def _in_progress(
    context: Context, tx: Executor, editors: dict[str, int], target: str,
    settings: dict[str, Any], record_ids: list[int],
) -> int:
    """:data:`IN_PROGRESS`, each of a different slice of ``record_ids``."""
    eddie, ada = editors["eddie"], editors["ada"]
    for n, (title, description, actions) in enumerate(IN_PROGRESS):
        items = record_ids[n % 2:][:max(3, len(record_ids) // 2)]
        row = await _create(tx, editors, title, target, settings, items, description)
        for action in actions:
            if action == "publish":
                row = await _publish(context, tx, row, eddie)
            else:
                row = await _step(tx, row, action, ada if action == "approve" else eddie, eddie)
    return len(IN_PROGRESS)


async def _finalized_payout(tx: Executor, row: Any, proposer: int, finalizer: int) -> None:
    """Proposed by one editor and finalized by the other (four eyes)."""
    items, lineage, rules = await credit_inputs(tx, row)
    shares = credits.split(POOL.minor, items, lineage, rules)
    proposal = await store.insert_proposal(
        tx, compilation_id=row["id"], pool_minor=POOL.minor, currency=POOL.currency,
        rules={"lineageShare": str(rules.lineage_share), "maxDepth": rules.max_depth,
               "editorsPercent": str(row["editors_percent"])},
        proposed_by=proposer, window_days=row["payout_window_days"],
    )
    await store.insert_lines(tx, proposal["id"], frozen_lines(shares, POOL))
    # Proposed three weeks ago: the 14-day window has closed, so it could be finalized.
    await tx.execute(
        """update payout_proposals set created_at = now() - interval '21 days',
               window_closes_at = now() - interval '7 days', status = 'FINALIZED',
               finalized_by = $2, finalized_at = now() - interval '6 days'
           where id = $1""",
        proposal["id"], finalizer,
    )
    # As finalizePayout writes it: the proposal's ID (the typed history's proposalId).
    await store.add_history(tx, row["id"], finalizer, "finalize_payout", None, None,
                            encode_id("PayoutProposal", proposal["id"]))


async def seed_compilations(
    tx: Executor, db: Database, plugins: HubPlugins, settings: Settings, seed: int,
) -> int:
    """Create a published demo compilation per publishing target, and of the first one's
    records a compilation in each other state (:data:`IN_PROGRESS`); returns how many were
    made (0 when the demo editors are absent)."""
    editors = await _handles(tx, "eddie", "ada")
    if set(editors) != {"eddie", "ada"}:
        return 0
    context = Context(db=db, plugins=plugins, settings=settings)
    rng = random.Random(seed)
    made = in_progress = 0
    for key, target in sorted(plugins.publishing_targets.items()):
        offered = await _offered(tx, target.accepted_media_types)
        sample = await sample_compilation(plugins, key, offered, rng.randrange(2**32))
        if sample is None:
            continue
        title = sample.title or f"{TITLES[made % len(TITLES)]} ({target.label})"
        await tx.execute("savepoint demo_compilation")
        try:
            await _compile(context, tx, editors, title, key, sample.settings, list(sample.items))
            if not in_progress:
                in_progress = await _in_progress(context, tx, editors, key, sample.settings,
                                                 list(sample.items))
                made += in_progress
        except (DemoNotPublishable, PluginFailure, TypeError) as error:
            await tx.execute("rollback to savepoint demo_compilation")
            log.warning("demo data: no %s compilation (plugin %r: %s)", key, target.plugin, error)
            continue
        made += 1
    return made
