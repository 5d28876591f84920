"""SQL for media files: blobs, the records that use them, the publications that use them.

A blob is *in use* while a ``record_media`` row (as file or thumbnail), a
``publication_media`` row or a ``collaboration_covers`` row (a collaboration's cover, as file
or thumbnail) names it; deleting a record removes its ``record_media`` rows, and
:func:`delete_blob_if_unused` removes a blob only when nothing names it any more. Every
function that adds or removes a reference to a blob, or the blob itself, runs after
:func:`lock_blob` in the same transaction, so an upload and a deletion of the same bytes never
interleave.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from hub.core.db import Executor

MEDIA_COLUMNS = (
    "m.id, m.record_id, m.sha256, m.filename, m.metadata, m.thumbnail_sha256, m.created_at, "
    "b.size, b.mime_type"
)


async def lock_blob(tx: Executor, sha256: str) -> None:
    await tx.execute("select pg_advisory_xact_lock(hashtextextended('blob:' || $1, 0))", sha256)


async def blob_exists(ex: Executor, sha256: str) -> bool:
    return bool(await ex.fetchval("select exists(select 1 from blobs where sha256 = $1)", sha256))


async def insert_blob(tx: Executor, sha256: str, size: int, mime_type: str) -> None:
    await tx.execute(
        "insert into blobs (sha256, size, mime_type) values ($1, $2, $3) "
        "on conflict (sha256) do nothing",
        sha256, size, mime_type,
    )


async def attach(
    tx: Executor, *, record_id: int, sha256: str, filename: str, metadata: dict[str, Any],
    thumbnail_sha256: str | None,
) -> asyncpg.Record:
    """Attach a blob to a record; attaching the same bytes again renames and re-reads it."""
    return await tx.fetchrow(
        """insert into record_media (record_id, sha256, filename, metadata, thumbnail_sha256)
           values ($1, $2, $3, $4, $5)
           on conflict (record_id, sha256) do update
             set filename = excluded.filename, metadata = excluded.metadata,
                 thumbnail_sha256 = excluded.thumbnail_sha256
           returning id""",
        record_id, sha256, filename, metadata, thumbnail_sha256,
    )


async def media_of_records(ex: Executor, record_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        f"""select {MEDIA_COLUMNS} from record_media m join blobs b on b.sha256 = m.sha256
            where m.record_id = any($1::bigint[]) order by m.record_id, m.id""",
        record_ids,
    )


async def detach_all(tx: Executor, record_id: int) -> list[str]:
    """Remove every file of a record; returns the blobs that lost a reference."""
    rows = await tx.fetch(
        "delete from record_media where record_id = $1 returning sha256, thumbnail_sha256",
        record_id,
    )
    return sorted({sha for row in rows for sha in (row["sha256"], row["thumbnail_sha256"]) if sha})


async def delete_blob_if_unused(tx: Executor, sha256: str) -> bool:
    """Delete the blob's row when no record, publication or collaboration cover uses it; True
    if deleted."""
    deleted = await tx.fetchval(
        """delete from blobs b where b.sha256 = $1
             and not exists (select 1 from record_media m
                             where m.sha256 = b.sha256 or m.thumbnail_sha256 = b.sha256)
             and not exists (select 1 from publication_media p where p.sha256 = b.sha256)
             and not exists (select 1 from collaboration_covers v
                             where v.sha256 = b.sha256 or v.thumbnail_sha256 = b.sha256)
           returning b.sha256""",
        sha256,
    )
    return deleted is not None


async def blob_access(ex: Executor, sha256: str) -> asyncpg.Record | None:
    """Size, type, and whether anyone may download the blob without a signed URL: it belongs
    to a published record (file or thumbnail), to a publication, or is the cover of a
    collaboration past its DRAFT."""
    return await ex.fetchrow(
        """select b.size, b.mime_type,
                  exists (select 1 from record_media m join records r on r.id = m.record_id
                          where (m.sha256 = b.sha256 or m.thumbnail_sha256 = b.sha256)
                            and r.status = 'PUBLISHED' and r.deleted_at is null)
                  or exists (select 1 from publication_media p where p.sha256 = b.sha256)
                  or exists (select 1 from collaboration_covers v
                             join collaborations c on c.id = v.collaboration_id
                             where (v.sha256 = b.sha256 or v.thumbnail_sha256 = b.sha256)
                               and c.status <> 'DRAFT')
                  as public
           from blobs b where b.sha256 = $1""",
        sha256,
    )


async def use_in_publication(tx: Executor, publication: str, sha256: str, role: str) -> None:
    await tx.execute(
        "insert into publication_media (publication, sha256, role) values ($1, $2, $3) "
        "on conflict (publication, sha256) do update set role = excluded.role",
        publication, sha256, role,
    )


async def release_publication(tx: Executor, publication: str) -> list[str]:
    rows = await tx.fetch(
        "delete from publication_media where publication = $1 returning sha256", publication
    )
    return sorted({row["sha256"] for row in rows})


# --- collaboration covers -----------------------------------------------------------------------

COVER_COLUMNS = (
    "v.collaboration_id as id, v.sha256, v.filename, v.metadata, v.thumbnail_sha256, "
    "v.created_at, b.size, b.mime_type"
)


async def set_cover(
    tx: Executor, *, collaboration_id: int, sha256: str, filename: str,
    metadata: dict[str, Any], thumbnail_sha256: str | None,
) -> list[str]:
    """Make the blob the collaboration's cover; returns the blobs the old cover held (to
    release)."""
    old = await remove_cover(tx, collaboration_id)
    await tx.execute(
        """insert into collaboration_covers (collaboration_id, sha256, filename, metadata,
                                             thumbnail_sha256)
           values ($1, $2, $3, $4, $5)""",
        collaboration_id, sha256, filename, metadata, thumbnail_sha256,
    )
    return [sha for sha in old if sha not in (sha256, thumbnail_sha256)]


async def remove_cover(tx: Executor, collaboration_id: int) -> list[str]:
    """Remove the collaboration's cover; returns the blobs that lost a reference."""
    rows = await tx.fetch(
        "delete from collaboration_covers where collaboration_id = $1 "
        "returning sha256, thumbnail_sha256", collaboration_id,
    )
    return sorted({sha for row in rows for sha in (row["sha256"], row["thumbnail_sha256"]) if sha})


async def covers(ex: Executor, collaboration_ids: list[int]) -> list[asyncpg.Record]:
    """The covers of collaborations (``id`` is the collaboration's), with the blob's size and
    type."""
    return await ex.fetch(
        f"""select {COVER_COLUMNS} from collaboration_covers v
            join blobs b on b.sha256 = v.sha256
            where v.collaboration_id = any($1::bigint[])""",
        collaboration_ids,
    )
