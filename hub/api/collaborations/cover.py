"""``setCollaborationCover`` and ``removeCollaborationCover``: a collaboration's cover image,
through the media slice (hub/domain/media/service.py): the upload is checked as the image
media type checks an image record's files (its type read from its bytes, its size, the
plugin's reading and thumbnail), stored once per content, and released when replaced or
removed. Only the collaboration's owners change it; a refusal writes nothing and leaves no
bytes behind."""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from hub.api.collaborations.mutations import (
    CollaborationIdInput,
    CollaborationPayload,
    checked_pk,
    collaboration_change,
)
from hub.api.context import Context
from hub.core.db import Executor
from hub.domain.collaborations import service
from hub.domain.media import service as media
from hub.domain.media.upload import UploadedFile


@strawberry.input(description="A cover image for a collaboration (a GraphQL multipart upload).")
class SetCollaborationCoverInput:
    id: strawberry.ID = strawberry.field(description="The collaboration (you own it).")
    file: Upload = strawberry.field(description="The image, sent as a part of a multipart "
                                    "request (graphql-multipart-request-spec); its type is read "
                                    "from its bytes and must be one image records accept.")


async def set_cover(context: Context, input: SetCollaborationCoverInput) -> CollaborationPayload:
    context.require_viewer()
    prepared: list[media.PreparedFile] = []
    # The Upload scalar's value is the file the multipart parser spooled.
    upload = cast(UploadedFile, input.file)

    async def work(tx: Executor, viewer: int) -> Any:
        row = await service.owned(tx, checked_pk(input.id, "Collaboration", "id"), viewer)
        prepared.append(await media.prepare_cover(context, upload, "file"))
        await media.set_cover(tx, context, row["id"], prepared[0])
        return row

    try:
        return await collaboration_change(context, work)
    finally:
        await media.forget_unrecorded(context, prepared)


async def remove_cover(context: Context, input: CollaborationIdInput) -> CollaborationPayload:
    async def work(tx: Executor, viewer: int) -> Any:
        row = await service.owned(tx, checked_pk(input.id, "Collaboration", "id"), viewer)
        await media.remove_cover(tx, context, row["id"])
        return row

    return await collaboration_change(context, work)


@strawberry.type
class CollaborationCoverMutation:
    @strawberry.mutation(description="Set (or replace) a collaboration's cover image (owners; "
                         "multipart upload). The image is checked as image records' files are; "
                         "the old cover's file is released.")
    async def set_collaboration_cover(self, info: Info, input: Annotated[
            SetCollaborationCoverInput, strawberry.argument(
                description="The collaboration and the image.")],
    ) -> CollaborationPayload:
        return await set_cover(info.context, input)

    @strawberry.mutation(description="Remove a collaboration's cover image (owners); `cover` "
                         "reads null after. Removing a cover it does not have changes nothing.")
    async def remove_collaboration_cover(self, info: Info, input: Annotated[
            CollaborationIdInput, strawberry.argument(description="The collaboration.")],
    ) -> CollaborationPayload:
        return await remove_cover(info.context, input)
