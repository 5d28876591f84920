"""``attachMedia``: add a file to your record.

Permission rule: only the record's author attaches files; someone else's draft is NOT_FOUND
(its existence does not leak), someone else's visible record is FORBIDDEN, a deleted record is
INVALID_STATE. Extracted values fill the record's empty details (its version goes up).
"""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from hub.api.context import Context
from hub.api.mutations import Outcome, run_mutation
from hub.api.records.mutations import RecordPayload
from hub.api.records.types import Record
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.events import Event
from hub.core.relay import encode_id, input_pk
from hub.domain.media import service
from hub.domain.media.upload import UploadedFile
from hub.domain.records import store as record_store


@strawberry.input(description="A file for one of your records (a GraphQL multipart upload).")
class AttachMediaInput:
    record_id: strawberry.ID = strawberry.field(description="The record to attach the file to.")
    file: Upload = strawberry.field(description="The file, sent as a part of a multipart "
                                    "request (graphql-multipart-request-spec); its type is read "
                                    "from its bytes and must be one the record's media type "
                                    "accepts.")


async def _own_record(tx: Executor, context: Context, global_id: str) -> Any:
    row = await record_store.record_for_update(tx, input_pk(global_id, "Record", "recordId"),
                                               context.viewer_id)
    if row is None or not row["_nameable"]:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "recordId")
    if row["author_id"] != context.viewer_id:
        raise Forbidden("Only the record's author can attach files to it.")
    if row["deleted_at"] is not None:
        raise InputProblem(ErrorCode.INVALID_STATE, "This record has been deleted.", "recordId")
    return row


async def attach_media(context: Context, input: AttachMediaInput) -> RecordPayload:
    context.require_viewer()
    prepared: list[service.PreparedFile] = []

    # The Upload scalar's value is the file the multipart parser spooled (hub/domain/media/upload.py).
    upload = cast(UploadedFile, input.file)

    async def work(tx: Executor) -> Outcome:
        row = await _own_record(tx, context, input.record_id)
        media_type = row["media_type"]
        prepared.extend(await service.prepare(context, media_type, [upload], "file"))
        await service.store_prepared(tx, context, row["id"], prepared)
        changes: dict[str, Any] = {}
        details = service.fill_details(row["details"], prepared)
        if details != row["details"]:
            changes["details"] = details
            changes["details_text"] = await context.plugins.call_owner(
                "hub_details_search_text", media_type, details=details
            ) or ""
        updated = await record_store.update_record(tx, row["id"], changes)
        event = Event(
            kind="record.updated", subject=encode_id("Record", row["id"]),
            actor=context.viewer_global_id,
            payload={"mediaType": media_type, "author": encode_id("Member", row["author_id"]),
                     "status": row["status"], "mediaAttached": upload.sha256},
        )
        return Outcome({"record": Record.from_row(updated, context)}, [event])

    try:
        return await run_mutation(context, RecordPayload, work)
    finally:
        await service.forget_unrecorded(context, prepared)


@strawberry.type
class MediaMutation:
    @strawberry.mutation(description="Attach a file to your record (multipart upload). Its type "
                         "is read from its bytes; metadata such as duration or dimensions fills "
                         "the record's empty details. The same bytes are stored once.")
    async def attach_media(
        self, info: Info,
        input: Annotated[AttachMediaInput, strawberry.argument(
            description="Your record and the file to attach to it.")],
    ) -> RecordPayload:
        return await attach_media(info.context, input)
