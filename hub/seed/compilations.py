"""Demo compilations, added to the demo community by :func:`hub.seed.seed_demo`: a published
book of stories and a published TV episode, each through the whole workflow (created and
submitted by ``eddie``, approved by ``ada``, rendered through its target plugin) and each
with a finalized payout (proposed as if three weeks ago, so its window has closed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hub.api.compilations.types import frozen_lines
from hub.api.context import Context
from hub.core.config import Settings
from hub.core.db import Database, Executor
from hub.domain.compilations import credits, publishing, store, workflow
from hub.domain.compilations.snapshot import credit_inputs
from hub.plugins import HubPlugins

BOOK_ITEMS = 5
EPISODE_FILMS = 3
POOL = credits.Money(250_000, "USD")  # 2,500.00 USD per compilation


async def _handles(tx: Executor, *handles: str) -> dict[str, int]:
    rows = await tx.fetch("select id, handle from members where handle = any($1::text[])",
                          list(handles))
    return {row["handle"]: row["id"] for row in rows}


async def _records(tx: Executor, media_type: str, limit: int, where: str = "true") -> list[int]:
    # Remixes first (their credits reach their sources), then the shortest, for a tidy demo.
    rows = await tx.fetch(
        f"""select r.id from records r
            where r.media_type = $1 and r.status = 'PUBLISHED' and r.deleted_at is null and {where}
            order by exists (select 1 from record_sources s where s.remix_id = r.id) desc,
                     (r.details->>'duration_seconds')::int nulls last, r.id
            limit $2""",
        media_type, limit,
    )
    return [row["id"] for row in rows]


async def _compile(
    context: Context, tx: Executor, editors: dict[str, int], title: str, target: str,
    settings: dict[str, Any], record_ids: list[int],
) -> Any:
    eddie, ada = editors["eddie"], editors["ada"]
    row = await store.insert_compilation(
        tx, title=title, description=f"A demo {target} made from the community's records.",
        target=target, settings=settings, lineage_share=Decimal("0.5"), max_depth=3,
        editors_percent=Decimal(5), payout_window_days=14, created_by=eddie,
    )
    await store.add_editor(tx, row["id"], eddie, eddie)
    await store.add_editor(tx, row["id"], ada, eddie)
    await store.add_history(tx, row["id"], eddie, "create", None, workflow.DRAFT)
    for record_id in record_ids:
        await store.append_item(tx, compilation_id=row["id"], record_id=record_id, note="",
                                weight=Decimal(1), added_by=eddie)
    for action, actor in (("submit", eddie), ("approve", ada)):
        if action == "approve":
            await store.pin_versions(tx, row["id"])
        previous, status = row["status"], workflow.next_status(action, row["status"])
        row = await store.set_status(tx, row["id"], status, eddie)
        await store.add_history(tx, row["id"], actor, action, previous, status)
    problems = await publishing.find_problems(context, tx, row)
    if problems:
        raise RuntimeError(f"demo {target} cannot be published: {problems}")
    await publishing.store_publication(context, tx, row, eddie, [])
    row = await store.set_status(tx, row["id"], workflow.PUBLISHED, eddie)
    await store.add_history(tx, row["id"], eddie, "publish", workflow.APPROVED, workflow.PUBLISHED,
                            "version 1")
    await _finalized_payout(tx, row, eddie, ada)
    return row


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
    await store.add_history(tx, row["id"], finalizer, "finalize_payout", None, None,
                            f"{POOL.decimal()} {POOL.currency}")


async def seed_compilations(
    tx: Executor, db: Database, plugins: HubPlugins, settings: Settings,
) -> int:
    """Create the demo book and TV episode; returns how many were made (0 when the demo
    editors or the target plugins are absent)."""
    editors = await _handles(tx, "eddie", "ada")
    if set(editors) != {"eddie", "ada"}:
        return 0
    context = Context(db=db, plugins=plugins, settings=settings)
    made = 0
    if "book" in plugins.publishing_targets and "writing" in plugins.media_types:
        stories = await _records(tx, "writing", BOOK_ITEMS)
        await _compile(context, tx, editors, "Borrowed Harbors: Stories", "book",
                       {"subtitle": "Short pieces from the community", "language": "en",
                        "author_line": "The recordhub community"}, stories)
        made += 1
    if "tv" in plugins.publishing_targets and {"film", "music", "writing"} <= set(plugins.media_types):
        films = await _records(tx, "film", EPISODE_FILMS,
                               "(r.details->>'duration_seconds') is not null")
        music = await _records(tx, "music", 1, "(r.details->>'duration_seconds') is not null")
        script = await _records(tx, "writing", 1, "r.details->>'form' = 'SCRIPT'")
        runtime = await tx.fetchval(
            "select sum((details->>'duration_seconds')::int) from records where id = any($1)", films)
        await _compile(context, tx, editors, "Night Signals, Episode 1", "tv",
                       {"episode_title": "Night Signals — Pilot", "target_runtime_seconds": runtime,
                        "tolerance_seconds": 30}, [films[0], *script, *films[1:], *music])
        made += 1
    return made
