"""Mutations of the lineage slice (``addSource``, ``removeSource``) and the rules every new
source link obeys, also for ``createRecord(input: {sources})``.

Rules, each with its payload error code (nothing is written when one fails):

* the source must exist and be visible to you: NOT_FOUND otherwise (someone else's draft is
  NOT_FOUND too, so its existence does not leak);
* the source must be published, or your own: SOURCE_NOT_PUBLISHED for someone else's
  unpublished record and for any deleted one;
* a record is not its own source: SELF_SOURCE;
* no cycles, however long: CYCLE;
* at most ``HUB_MAX_SOURCES`` direct sources (default 50): TOO_MANY_SOURCES;
* naming a source twice: CONFLICT.

Permissions: only the remix's author changes its sources (FORBIDDEN GraphQL error otherwise;
NOT_FOUND when the remix is someone else's draft).

Credit once given is kept: ``removeSource`` is refused (SOURCE_LOCKED) when the remix, or any
record made from it, has ever been published, since its sources have then been credited in
public and are paid through compilations; removing one would silently drop its author from
later payouts. Sources can still be added. A removal that is allowed (a lineage that never
went public) is recorded in ``record_source_removals`` with who removed it and when.

Cycles under concurrency: two requests adding A→B and B→A at the same time would each see no
path and both insert. So every edge insert first takes one transaction-level advisory lock
(``pg_advisory_xact_lock``, released at commit or rollback) and only then runs its
reachability check, which therefore sees every edge committed before it. One global lock is
deliberate: adding sources is rare next to reading lineages (which never take it); the cycle
check is a short indexed walk, so the lock is held for milliseconds; and a finer lock (per
connected component) cannot be chosen without reading the very graph that may be changing.
SERIALIZABLE isolation would also catch the race, but as a retryable failure rather than a
clear CYCLE error. A record being created has no remixes yet, so its sources cannot close a
cycle and ``createRecord`` needs no lock.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from hub.api.context import Context
from hub.api.mutations import Outcome, run_mutation
from hub.api.records.mutations import RecordPayload
from hub.api.records.types import Record
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.events import Event
from hub.core.relay import encode_id, input_pk
from hub.core.validation import Problems, clean_text
from hub.domain.lineage import store
from hub.domain.records import store as record_store

MAX_NOTE = 500


@strawberry.input(description="Name a record as a source of your remix.")
class AddSourceInput:
    record_id: strawberry.ID = strawberry.field(description="Your record: the remix.")
    source_id: strawberry.ID = strawberry.field(
        description="The record it was made from: published, or your own."
    )
    note: str = strawberry.field(
        default="", description=f"What you took from it (at most {MAX_NOTE} characters)."
    )


@strawberry.input(description="Stop naming a record as a source of your remix.")
class RemoveSourceInput:
    record_id: strawberry.ID = strawberry.field(description="Your record: the remix.")
    source_id: strawberry.ID = strawberry.field(description="The source to remove.")


# --- rules ---------------------------------------------------------------------------------------


def check_source(row: Any, context: Context, field: str, global_id: str) -> None:
    """The rules on the source record itself (see the module docstring)."""
    own = row is not None and row["author_id"] == context.viewer_id
    if row is None or (not own and row["published_at"] is None):
        raise InputProblem(ErrorCode.NOT_FOUND, f"No record {global_id!r}.", field)
    if row["deleted_at"] is not None:
        raise InputProblem(ErrorCode.SOURCE_NOT_PUBLISHED,
                           f"Record {global_id!r} has been deleted; it cannot become a source.",
                           field)
    if not own and row["status"] != "PUBLISHED":
        raise InputProblem(ErrorCode.SOURCE_NOT_PUBLISHED,
                           f"Record {global_id!r} is not published; only published records "
                           "(or your own) can be sources.", field)


def _check_count(context: Context, count: int, field: str) -> None:
    limit = context.settings.max_sources
    if count > limit:
        raise InputProblem(ErrorCode.TOO_MANY_SOURCES,
                           f"A record can name at most {limit} direct sources; this would make "
                           f"it {count}.", field)


async def _remix_for_change(tx: Executor, context: Context, global_id: str) -> Any:
    """The remix, locked; NOT_FOUND unless visible, FORBIDDEN unless the viewer's."""
    row = await record_store.record_for_update(tx, input_pk(global_id, "Record", "recordId"),
                                               context.viewer_id)
    if row is None or not row["_nameable"]:
        raise InputProblem(ErrorCode.NOT_FOUND, f"No record {global_id!r}.", "recordId")
    if row["author_id"] != context.viewer_id:
        raise Forbidden("Only the record's author can change its sources.")
    if row["deleted_at"] is not None:
        raise InputProblem(ErrorCode.INVALID_STATE, "This record has been deleted.", "recordId")
    return row


def _remixed(context: Context, remix: Any, source: Any) -> Event:
    """"A record of mine was remixed" (``record.remixed``): the subject is the source, whose
    author is told. Emitted when a *published* remix gains a source: by ``addSource`` on a
    published record, and by the remix's first ``publishRecord`` for each source it names (a
    draft's sources stay private until then)."""
    source_id = encode_id("Record", source["id"])
    return Event(
        kind="record.remixed", subject=source_id,
        actor=context.viewer_global_id,
        payload={"remix": encode_id("Record", remix["id"]), "source": source_id,
                 "sourceAuthor": encode_id("Member", source["author_id"])},
    )


async def remixed_on_first_publish(
    tx: Executor, context: Context, before: Any, after: Any,
) -> list[Event]:
    """``record.remixed`` for each source of a record published for the first time."""
    if before["published_at"] is not None:
        return []
    rows = await record_store.records_by_ids(tx, await store.source_ids_of(tx, after["id"]))
    return [_remixed(context, after, source) for source in rows]


# --- services ------------------------------------------------------------------------------------


async def attach_sources(
    tx: Executor, context: Context, remix: Any, source_ids: list[strawberry.ID],
) -> list[Event]:
    """Give a record being created its ``sources`` (in ``createRecord``'s transaction).
    Repeated IDs count once. Returns no events: a new record is a draft, and its sources
    are announced when it is first published."""
    unique = list(dict.fromkeys(source_ids))
    _check_count(context, len(unique), "sources")  # before any lookup: 10,000 IDs cost nothing
    problems = Problems()
    pks = [problems.check(input_pk, global_id, "Record", "sources") for global_id in unique]
    problems.raise_any()
    rows = {row["id"]: row for row in await record_store.records_by_ids(tx, pks)}
    for pk, global_id in zip(pks, unique, strict=True):
        problems.check(check_source, rows.get(pk), context, "sources", global_id)
    problems.raise_any()
    await store.insert_sources(tx, remix["id"], [(pk, "") for pk in pks])
    return [_remixed(context, remix, rows[pk]) for pk in pks if remix["status"] == "PUBLISHED"]


async def add_source(context: Context, input: AddSourceInput) -> RecordPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        problems = Problems()
        problems.check(input_pk, input.record_id, "Record", "recordId")
        source_pk = problems.check(input_pk, input.source_id, "Record", "sourceId")
        note = problems.check(clean_text, input.note, "note", max_length=MAX_NOTE)
        problems.raise_any()
        await store.lock_lineage(tx)  # first: the checks below must see every committed edge
        remix = await _remix_for_change(tx, context, input.record_id)
        if source_pk == remix["id"]:
            raise InputProblem(ErrorCode.SELF_SOURCE, "A record cannot be its own source.",
                               "sourceId")
        source = await record_store.record_for_update(tx, source_pk, context.viewer_id)
        check_source(source, context, "sourceId", input.source_id)
        existing = await store.source_ids_of(tx, remix["id"])
        if source_pk in existing:
            raise InputProblem(ErrorCode.CONFLICT, "That record is already a source of this one.",
                               "sourceId")
        _check_count(context, len(existing) + 1, "sourceId")
        if await store.reaches(tx, source_pk, remix["id"]):
            raise InputProblem(ErrorCode.CYCLE,
                               "That record is already made (directly or through other remixes) "
                               "from this one; naming it as a source would make a cycle.",
                               "sourceId")
        await store.insert_sources(tx, remix["id"], [(source_pk, note)])
        published = remix["status"] == "PUBLISHED"
        return Outcome({"record": Record.from_row(remix, context)},
                       [_remixed(context, remix, source)] if published else [])

    return await run_mutation(context, RecordPayload, work)


async def remove_source(context: Context, input: RemoveSourceInput) -> RecordPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        problems = Problems()
        problems.check(input_pk, input.record_id, "Record", "recordId")
        source_pk = problems.check(input_pk, input.source_id, "Record", "sourceId")
        problems.raise_any()
        remix = await _remix_for_change(tx, context, input.record_id)
        if not await store.is_source(tx, remix["id"], source_pk):
            raise InputProblem(ErrorCode.NOT_FOUND, "That record is not a source of this one.",
                               "sourceId")
        if await store.lineage_ever_published(tx, remix["id"]):
            raise InputProblem(ErrorCode.SOURCE_LOCKED, "This record (or a remix of it) has "
                               "been published, so its sources are credited and stay: a "
                               "published lineage keeps its credit. Sources can still be added.",
                               "sourceId")
        await store.delete_source(tx, remix["id"], source_pk, viewer)
        return Outcome({"record": Record.from_row(remix, context)})

    return await run_mutation(context, RecordPayload, work)


@strawberry.type
class LineageMutation:
    @strawberry.mutation(description="Name a source of your remix (attribution: its author is "
                         "credited). Errors: NOT_FOUND, SOURCE_NOT_PUBLISHED, SELF_SOURCE, "
                         "CYCLE, TOO_MANY_SOURCES, CONFLICT (already a source).")
    async def add_source(
        self, info: Info,
        input: Annotated[AddSourceInput, strawberry.argument(
            description="Your record and the record it was made from.")],
    ) -> RecordPayload:
        return await add_source(info.context, input)

    @strawberry.mutation(description="Stop naming a record as a source of your remix, while "
                         "neither it nor any remix of it has been published. Errors: NOT_FOUND, "
                         "SOURCE_LOCKED (a published lineage keeps its credit).")
    async def remove_source(
        self, info: Info,
        input: Annotated[RemoveSourceInput, strawberry.argument(
            description="Your record and the source to remove from it.")],
    ) -> RecordPayload:
        return await remove_source(info.context, input)
