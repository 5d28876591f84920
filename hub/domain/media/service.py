"""Media files for records: checking an upload, extracting metadata, storing, releasing.

The order for every file of a write (``attachMedia``, or ``files`` at ``createRecord``):

1. :func:`prepare` checks the file (safe name, not empty, the *sniffed* type one the media
   type accepts, within its size) and asks the plugin for metadata
   (``hub_media_accepts``, ``hub_extract_metadata``). Problems are payload errors.
2. :func:`fill_details` copies the plugin's values into the record's details where those
   are empty: what the member wrote always wins.
3. :func:`store_prepared`, inside the record's transaction, puts each blob in storage under
   its per-blob lock, records it, and attaches it to the record.
4. :func:`forget_unrecorded`, after the transaction whatever its outcome, deletes from storage
   any blob this request wrote whose row was rolled back: nothing is left behind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.services import Services
from hub.core.validation import Problems
from hub.domain.media import store
from hub.domain.media.sniff import sniff_bytes
from hub.domain.media.storage import get_storage
from hub.domain.media.upload import UploadedFile
from hub.plugin_api import AcceptedMedia, ExtractedMedia, MediaError


@dataclass
class PreparedFile:
    """An accepted upload and what its plugin read from it."""

    upload: UploadedFile
    extracted: ExtractedMedia
    thumbnail_sha256: str | None = None


def _problem(code: ErrorCode, message: str, field: str) -> InputProblem:
    return InputProblem(code, message, field)


async def accepted_media(context: Services, media_type: str) -> AcceptedMedia | None:
    return await context.plugins.call_owner("hub_media_accepts", media_type)


async def prepare(
    context: Services, media_type: str, uploads: list[UploadedFile], field: str,
) -> list[PreparedFile]:
    """Check every upload and extract its metadata; the problems of all files are raised
    together."""
    prepared = []
    problems = Problems()
    for index, upload in enumerate(uploads):
        where = field if len(uploads) == 1 and not field.endswith("s") else f"{field}.{index}"
        with problems.collecting():
            prepared.append(await _prepare_one(context, media_type, upload, where))
    problems.raise_any()
    return prepared


async def _prepare_one(
    context: Services, media_type: str, upload: UploadedFile, where: str,
) -> PreparedFile:
    if not isinstance(upload, UploadedFile):
        raise _problem(ErrorCode.INVALID_FILE, "Send the file as a multipart upload "
                       "(graphql-multipart-request-spec).", where)
    accepted = await accepted_media(context, media_type)
    _check(upload, media_type, accepted, where)
    try:
        extracted = await context.plugins.call_owner(
            "hub_extract_metadata", media_type, path=upload.path,
            mime_type=upload.mime_type,
        )
    except MediaError as error:
        raise _problem(ErrorCode.INVALID_FILE, error.message, where) from None
    return PreparedFile(upload, extracted or ExtractedMedia())


def _check(upload: UploadedFile, media_type: str, accepted: AcceptedMedia | None, field: str) -> None:
    if upload.has_unsafe_filename:
        raise _problem(ErrorCode.INVALID_FILE, f"The file name {upload.client_filename!r} "
                       "contains a path; send a plain file name such as 'take-1.wav'.", field)
    if upload.size == 0:
        raise _problem(ErrorCode.INVALID_FILE, "The file is empty (0 bytes).", field)
    if accepted is None:
        raise _problem(ErrorCode.UNSUPPORTED_FILE_TYPE,
                       f"Records of media type {media_type!r} take no files.", field)
    if not accepted.allows(upload.mime_type):
        claimed = f" (sent as {upload.declared_type})" if upload.declared_type else ""
        if upload.not_text_because:
            claimed = f" ({upload.not_text_because} makes it no text)"
        raise _problem(
            ErrorCode.UNSUPPORTED_FILE_TYPE,
            f"The file's contents are {upload.mime_type}{claimed}; {media_type} records accept "
            f"{', '.join(accepted.mime_types)}.", field,
        )
    if upload.size > accepted.max_bytes:
        raise _problem(ErrorCode.FILE_TOO_LARGE, f"The file has {upload.size:,} bytes; "
                       f"{media_type} files have at most {accepted.max_bytes:,}.", field)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def fill_details(details: dict[str, Any], prepared: list[PreparedFile]) -> dict[str, Any]:
    """``details`` with the plugins' values where they are empty (the first file wins)."""
    filled = dict(details)
    for item in prepared:
        for name, value in item.extracted.details.items():
            if _empty(filled.get(name)) and not _empty(value):
                filled[name] = value
    return filled


async def store_prepared(
    tx: Executor, context: Services, record_id: int, prepared: list[PreparedFile],
) -> None:
    for item in prepared:
        upload = item.upload
        await _store_blob(tx, context, item)
        await store.attach(
            tx, record_id=record_id, sha256=upload.sha256, filename=upload.filename,
            metadata=item.extracted.metadata, thumbnail_sha256=item.thumbnail_sha256,
        )


async def _store_blob(tx: Executor, context: Services, item: PreparedFile) -> None:
    """Put the file (and its thumbnail) in storage and in ``blobs``, under the blob's lock;
    the caller then makes a row name it in the same transaction."""
    storage = get_storage(context.settings)
    upload = item.upload
    if item.extracted.thumbnail:
        item.thumbnail_sha256 = await _store_bytes(tx, context, item.extracted.thumbnail)
    await store.lock_blob(tx, upload.sha256)
    if not await store.blob_exists(tx, upload.sha256) or not await storage.exists(upload.sha256):
        await storage.put_file(upload.sha256, upload.path, upload.mime_type)
        upload.stored = True
    await store.insert_blob(tx, upload.sha256, upload.size, upload.mime_type)


async def _store_bytes(tx: Executor, context: Services, data: bytes) -> str:
    sha256 = hashlib.sha256(data).hexdigest()
    mime_type = sniff_bytes(data[:8192])
    await store.lock_blob(tx, sha256)
    if not await store.blob_exists(tx, sha256):
        await get_storage(context.settings).put_bytes(sha256, data, mime_type)
    await store.insert_blob(tx, sha256, len(data), mime_type)
    return sha256


async def forget_unrecorded(context: Services, prepared: list[PreparedFile]) -> None:
    """After the write's transaction: remove from storage each blob written for it that has
    no row (the transaction rolled back), so a failed write leaves no bytes behind."""
    candidates = [item.upload.sha256 for item in prepared
                  if item.upload.stored]
    candidates += [item.thumbnail_sha256 for item in prepared if item.thumbnail_sha256]
    storage = get_storage(context.settings)
    for sha256 in candidates:
        async with context.db.transaction() as tx:
            await store.lock_blob(tx, sha256)
            if not await store.blob_exists(tx, sha256):
                await storage.delete(sha256)


async def release_record_media(tx: Executor, context: Services, record_id: int) -> None:
    """Detach every file of a deleted record; delete the blobs nothing else uses (another
    record, a thumbnail, a publication), from the database and from storage."""
    await release_blobs(tx, context, await store.detach_all(tx, record_id))


async def release_blobs(tx: Executor, context: Services, candidates: list[str]) -> None:
    storage = get_storage(context.settings)
    for sha256 in candidates:
        await store.lock_blob(tx, sha256)
        if await store.delete_blob_if_unused(tx, sha256):
            # Under the blob's lock, before commit: an upload of the same bytes waits for this
            # transaction and then finds neither row nor bytes, and writes both again.
            await storage.delete(sha256)


async def use_in_publication(
    tx: Executor, publication: str, sha256: str, role: str = "",
) -> None:
    """For the publishing slice: keep ``sha256`` while publication ``publication`` exists,
    whatever happens to the records it came from. Call in the publication's transaction."""
    await store.lock_blob(tx, sha256)
    await store.use_in_publication(tx, publication, sha256, role)


async def release_publication(tx: Executor, context: Services, publication: str) -> None:
    """For the publishing slice: the publication is gone; delete the blobs only it used."""
    await release_blobs(tx, context, await store.release_publication(tx, publication))


async def media_for_records(ex: Executor, record_ids: list[int]) -> dict[int, list[Any]]:
    """For the publishing slice: the files of each record (rows with ``sha256``, ``filename``,
    ``mime_type``, ``size``, ``metadata``), oldest first, in one statement."""
    found: dict[int, list[Any]] = {record_id: [] for record_id in record_ids}
    for row in await store.media_of_records(ex, record_ids):
        found[row["record_id"]].append(row)
    return found


async def read_blob(context: Services, sha256: str, size: int) -> bytes:
    """For the publishing slice: a blob's bytes (e.g. an image to put in an EPUB). Whole
    files in memory: use it for what an artifact embeds, not for streaming."""
    storage = get_storage(context.settings)
    return b"".join([chunk async for chunk in storage.read(sha256, 0, size)])


# --- collaboration covers -----------------------------------------------------------------------

# A cover is an image: the media type whose plugin checks and reads it (size, dimensions,
# thumbnail), as it does an image record's files.
COVER_MEDIA_TYPE = "image"


async def prepare_cover(context: Services, upload: UploadedFile, field: str) -> PreparedFile:
    """Check a cover upload as the image media type checks its files (type sniffed from the
    bytes, size, the plugin's reading); UNSUPPORTED_FILE_TYPE when no image plugin is on."""
    (prepared,) = await prepare(context, COVER_MEDIA_TYPE, [upload], field)
    return prepared


async def set_cover(tx: Executor, context: Services, collaboration_id: int,
                    item: PreparedFile) -> None:
    """Store the prepared image and make it the collaboration's cover, releasing the old
    cover's blobs that nothing else uses. Call in the collaboration's transaction."""
    await _store_blob(tx, context, item)
    released = await store.set_cover(
        tx, collaboration_id=collaboration_id, sha256=item.upload.sha256,
        filename=item.upload.filename, metadata=item.extracted.metadata,
        thumbnail_sha256=item.thumbnail_sha256)
    await release_blobs(tx, context, released)


async def remove_cover(tx: Executor, context: Services, collaboration_id: int) -> bool:
    """Remove the collaboration's cover (False when it had none), releasing its blobs."""
    released = await store.remove_cover(tx, collaboration_id)
    await release_blobs(tx, context, released)
    return bool(released)
