"""Mutations of the records slice and the service logic behind them.

Permission rules: any signed-in member creates records (as a DRAFT they own). Only the author
updates and publishes a record. The author or an ADMIN (moderation) unpublishes or deletes it.
Someone else's draft is NOT_FOUND, never FORBIDDEN, so its existence does not leak.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from hub.api.context import Context
from hub.api.errors import ERRORS_DESCRIPTION, UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.api.records.details import input_to_json
from hub.api.records.types import License, Record, load_record
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem, Problem
from hub.core.events import Event
from hub.core.relay import decode_id, encode_id, input_pk
from hub.core.validation import Problems, clean_labels, clean_text
from hub.domain.media import service as media
from hub.domain.records import store
from hub.plugin_api import DetailsError

MAX_TITLE = 200
MAX_DESCRIPTION = 5_000
MAX_TAGS = 20
MAX_TAG_LENGTH = 40


@strawberry.input(description="Stands in for the plugin @oneOf input until the schema is built.")
class UnboundDetailsInput:
    unbound: bool | None = None


@strawberry.input(description="A new record; it starts as a DRAFT owned by you.")
class CreateRecordInput:
    title: str = strawberry.field(description=f"At most {MAX_TITLE} characters.")
    details: UnboundDetailsInput = strawberry.field(
        description="Exactly one member, named after the media type (`music`, `film`…)."
    )
    description: str = strawberry.field(default="", description=f"At most {MAX_DESCRIPTION:,}.")
    tags: list[str] = strawberry.field(
        default_factory=list, description=f"At most {MAX_TAGS}, each up to {MAX_TAG_LENGTH}."
    )
    license: License = strawberry.field(default=License.CC_BY_4_0, description="Default CC BY.")
    sources: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The records this one is made from (attribution): "
        "each published or your own; at most HUB_MAX_SOURCES (default 50).",
    )
    files: list[Upload] = strawberry.field(
        default_factory=list, description="Files for the record, sent as parts of a multipart "
        "request (graphql-multipart-request-spec); see `attachMedia`. Metadata read from them "
        "fills the details you leave empty.",
    )


@strawberry.input(description="Changes to a record; omitted fields stay as they are.")
class UpdateRecordInput:
    id: strawberry.ID = strawberry.field(description="The record to change (yours).")
    expected_version: int = strawberry.field(
        description="The `version` you edited; if the record changed since (an edit, publishing, "
        "a file attached…), nothing is written and you get CONFLICT with the current record."
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"The new title (1 to {MAX_TITLE} characters); omitted or null keeps it.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"The new description (at most {MAX_DESCRIPTION:,} characters; empty "
        "clears it); omitted or null keeps it.")
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"The new tags, replacing all current ones (at most {MAX_TAGS}, each up to "
        f"{MAX_TAG_LENGTH} characters; `[]` clears them); omitted or null keeps them.")
    license: License | None = strawberry.field(
        default=strawberry.UNSET, description="The new license; omitted or null keeps it.")
    details: UnboundDetailsInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="The new details, which REPLACE the current ones as a whole: a field left "
        "out of the media type's member becomes null (or its default), it is not kept. To change "
        "one field, send the record's current details with that field changed. The member must "
        "be the record's media type. Omitted or null keeps the current details.")


@strawberry.input(description="Names a record.")
class RecordIdInput:
    id: strawberry.ID = strawberry.field(description="The record's global ID.")


@strawberry.type(description="The record after the mutation, or the errors that stopped it.")
class RecordPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    record: Record | None = strawberry.field(
        default=None, description="The record after the change. When `errors` is not empty: "
        "null, except after a CONFLICT on `updateRecord`, where it is the record as it is now "
        "(merge your change into it and send it again with its `version`).")


# --- service logic ------------------------------------------------------------------------------


def _chosen_details(details: Any) -> tuple[str, Any]:
    chosen = [(f.name, getattr(details, f.name)) for f in dataclasses.fields(details)
              if getattr(details, f.name) not in (None, strawberry.UNSET)]
    if len(chosen) != 1:  # GraphQL's @oneOf validation already ensures this for clients
        raise InputProblem(ErrorCode.INVALID_DETAILS, "Give details for exactly one media type.",
                           "details")
    return chosen[0]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def normalized_details(
    context: Context, media_type: str, details_input: Any,
    files: list[media.PreparedFile] | None = None,
) -> tuple[dict[str, Any], str]:
    """Validate details through the plugin; returns (details to store, text for search).
    Values read from ``files`` fill the fields the client left empty."""
    raw = media.fill_details(input_to_json(details_input), files or [])
    try:
        details = await context.plugins.call_owner(
            "hub_normalize_details", media_type, details=raw
        )
    except DetailsError as error:
        raise InputProblem.many([
            Problem(field=f"details.{media_type}" + (f".{_camel(p.field)}" if p.field else ""),
                      message=p.message, code=ErrorCode.INVALID_DETAILS)
            for p in error.problems
        ]) from None
    details = raw if details is None else details
    text = await context.plugins.call_owner(
        "hub_details_search_text", media_type, details=details
    )
    return details, text or ""


def _clean_common(input: Any, problems: Problems) -> dict[str, Any]:
    """The fields both inputs share, cleaned; each problem is noted in ``problems``."""
    changes: dict[str, Any] = {}
    if input.title not in (None, strawberry.UNSET):
        changes["title"] = problems.check(
            clean_text, input.title, "title", max_length=MAX_TITLE, required=True
        )
    if input.description not in (None, strawberry.UNSET):
        changes["description"] = problems.check(
            clean_text, input.description, "description", max_length=MAX_DESCRIPTION
        )
    if input.tags not in (None, strawberry.UNSET):
        changes["tags"] = problems.check(
            clean_labels, input.tags, "tags", max_items=MAX_TAGS, max_length=MAX_TAG_LENGTH
        )
    if input.license not in (None, strawberry.UNSET):
        changes["license"] = input.license.value
    return changes


def _enabled_details(context: Context, details_input: Any) -> tuple[str, Any]:
    """(media type, its details input) of a record's details; the media type must be on."""
    media_type, chosen = _chosen_details(details_input)
    _require_enabled(context, media_type)
    return media_type, chosen


def _require_enabled(context: Context, media_type: str) -> None:
    if media_type not in context.plugins.media_types:
        raise InputProblem(ErrorCode.MEDIA_TYPE_NOT_ENABLED,
                           f"Media type {media_type!r} is not enabled.", "details")


def _event(kind: str, context: Context, row: Any) -> Event:
    return Event(
        kind=kind, subject=encode_id("Record", row["id"]), actor=context.viewer_global_id,
        payload={"mediaType": row["media_type"], "author": encode_id("Member", row["author_id"]),
                 "status": row["status"]},
    )


async def create_record(context: Context, input: CreateRecordInput) -> RecordPayload:
    author_id = context.require_viewer()
    files: list[media.PreparedFile] = []

    async def work(tx: Executor) -> Outcome:
        problems = Problems()
        fields = _clean_common(input, problems)
        chosen = problems.check(_enabled_details, context, input.details)
        if chosen is not None:
            media_type, details_input = chosen
            with problems.collecting():
                # The Upload scalar's values are the files hub/domain/media/upload.py streamed.
                files.extend(await media.prepare(context, media_type, input.files,  # type: ignore[arg-type]
                                                 "files"))
                # Details are judged with what the files fill in, so only once they are read.
                details, text = await normalized_details(context, media_type, details_input,
                                                         files)
        problems.raise_any()
        row = await store.insert_record(
            tx, author_id=author_id, media_type=media_type, title=fields["title"],
            description=fields.get("description", ""), tags=fields.get("tags", []),
            license=fields["license"], details=details, details_text=text,
        )
        await media.store_prepared(tx, context, row["id"], files)
        # Imported here: the lineage slice builds on this module's RecordPayload.
        from hub.api.lineage.mutations import attach_sources

        remixed = await attach_sources(tx, context, row, input.sources)
        return Outcome({"record": Record.from_row(row, context)},
                       [_event("record.created", context, row), *remixed])

    try:
        return await run_mutation(context, RecordPayload, work)
    finally:
        await media.forget_unrecorded(context, files)  # the bytes of a write that rolled back


async def _locked_record(tx: Executor, context: Context, global_id: str) -> Any:
    """The record to change, locked for this transaction; NOT_FOUND unless the viewer may see
    it (authors see their drafts), FORBIDDEN when visible but not theirs to change."""
    row = await store.record_for_update(tx, input_pk(global_id, "Record", "id"),
                                        context.viewer_id)
    if row is None or not (row["_nameable"] or context.is_admin):
        raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "id")
    return row


def _require_author(context: Context, row: Any) -> None:
    if row["author_id"] != context.viewer_id:
        raise Forbidden("Only the record's author can do this.")


def _require_author_or_admin(context: Context, row: Any) -> None:
    if row["author_id"] != context.viewer_id and not context.is_admin:
        raise Forbidden("Only the record's author or an admin can do this.")


def _refuse_deleted(row: Any) -> None:
    if row["deleted_at"] is not None:
        raise InputProblem(ErrorCode.INVALID_STATE, "This record has been deleted.", "id")


async def update_record(context: Context, input: UpdateRecordInput) -> RecordPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await _locked_record(tx, context, input.id)
        _require_author(context, row)
        _refuse_deleted(row)
        problems = Problems()
        if row["version"] != input.expected_version:
            problems.add(
                ErrorCode.CONFLICT,
                f"The record changed since version {input.expected_version}; it is now at "
                f"version {row['version']}. Reload it and apply your change again.",
                "expectedVersion",
            )
        changes = _clean_common(input, problems)
        if input.details not in (None, strawberry.UNSET):
            with problems.collecting():
                media_type, details_input = _chosen_details(input.details)
                if media_type != row["media_type"]:
                    raise InputProblem(
                        ErrorCode.INVALID_DETAILS,
                        f"This record is {row['media_type']!r}; details for {media_type!r} do "
                        "not apply.", f"details.{media_type}",
                    )
                _require_enabled(context, media_type)
                changes["details"], changes["details_text"] = await normalized_details(
                    context, media_type, details_input
                )
        problems.raise_any()
        updated = await store.update_record(tx, row["id"], changes)
        return Outcome({"record": Record.from_row(updated, context)},
                       [_event("record.updated", context, updated)])

    async def current() -> dict[str, Any]:
        return {"record": await load_record(context, decode_id(input.id, "Record"))}

    return await run_mutation(context, RecordPayload, work, on_conflict=current)


async def publish_record(context: Context, input: RecordIdInput) -> RecordPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await _locked_record(tx, context, input.id)
        _require_author(context, row)
        _refuse_deleted(row)
        if row["status"] == "PUBLISHED":
            return Outcome({"record": Record.from_row(row, context)})
        updated = await store.update_record(tx, row["id"], {
            "status": "PUBLISHED", "published_at": row["published_at"] or dt.datetime.now(dt.UTC),
        })
        from hub.api.lineage.mutations import remixed_on_first_publish

        remixed = await remixed_on_first_publish(tx, context, row, updated)
        return Outcome({"record": Record.from_row(updated, context)},
                       [_event("record.published", context, updated), *remixed])

    return await run_mutation(context, RecordPayload, work)


async def unpublish_record(context: Context, input: RecordIdInput) -> RecordPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await _locked_record(tx, context, input.id)
        _require_author_or_admin(context, row)
        _refuse_deleted(row)
        if row["status"] != "PUBLISHED":
            raise InputProblem(ErrorCode.INVALID_STATE, "Only a published record can be "
                               f"unpublished; this one is {row['status']}.", "id")
        updated = await store.update_record(tx, row["id"], {"status": "UNPUBLISHED"})
        return Outcome({"record": Record.from_row(updated, context)},
                       [_event("record.unpublished", context, updated)])

    return await run_mutation(context, RecordPayload, work)


async def delete_record(context: Context, input: RecordIdInput) -> RecordPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await _locked_record(tx, context, input.id)
        _require_author_or_admin(context, row)
        _refuse_deleted(row)
        await media.release_record_media(tx, context, row["id"])
        updated = await store.update_record(tx, row["id"], {"deleted_at": dt.datetime.now(dt.UTC)})
        return Outcome({"record": Record.from_row(updated, context)},
                       [_event("record.deleted", context, updated)])

    return await run_mutation(context, RecordPayload, work)



@strawberry.type
class RecordsMutation:
    @strawberry.mutation(description="Create a record as a DRAFT owned by you.")
    async def create_record(
        self, info: Info,
        input: Annotated[CreateRecordInput, strawberry.argument(description="The new record.")],
    ) -> RecordPayload:
        return await create_record(info.context, input)

    @strawberry.mutation(description="Change your record: the fields given change, the others "
                         "stay (but `details`, when given, replaces the details whole). "
                         "`expectedVersion` guards against overwriting a change made since you "
                         "read it: on CONFLICT nothing is written and the payload's `record` is "
                         "the current one.")
    async def update_record(
        self, info: Info,
        input: Annotated[UpdateRecordInput, strawberry.argument(
            description="The record, the version you edited and the fields to change.")],
    ) -> RecordPayload:
        return await update_record(info.context, input)

    @strawberry.mutation(description="Publish your record: everyone can see it from now on.")
    async def publish_record(
        self, info: Info,
        input: Annotated[RecordIdInput, strawberry.argument(description="The record.")],
    ) -> RecordPayload:
        return await publish_record(info.context, input)

    @strawberry.mutation(description="Withdraw a published record (author or admin).")
    async def unpublish_record(
        self, info: Info,
        input: Annotated[RecordIdInput, strawberry.argument(description="The record.")],
    ) -> RecordPayload:
        return await unpublish_record(info.context, input)

    @strawberry.mutation(description="Delete a record (author or admin). It is kept as a "
                         "tombstone so the credit of remixes built on it survives.")
    async def delete_record(
        self, info: Info,
        input: Annotated[RecordIdInput, strawberry.argument(description="The record.")],
    ) -> RecordPayload:
        return await delete_record(info.context, input)
