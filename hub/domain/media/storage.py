"""Blob storage behind one small interface, content-addressed by SHA-256.

* :class:`LocalStorage` (the default): ``HUB_DATA_DIR/blobs/aa/bb/<sha256>``. A blob is
  written to a temporary file in the same file system and renamed into place, so a reader
  never sees a partial blob and a crash leaves none behind.
* :class:`S3Storage`: ``HUB_STORAGE_URL=s3://bucket/prefix`` (any S3-compatible server:
  AWS, MinIO, Ceph, moto), for hubs on many machines. Credentials come from the usual AWS
  sources (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a profile, an instance role);
  ``?endpoint_url=http://host:9000&region=…`` points at a server other than AWS.

The database (``blobs``) says which blobs exist for the API; storage only holds bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from hub.core.config import Settings

CHUNK = 256 * 1024


class Storage(Protocol):
    """Where blobs live. ``sha256`` is always the lower-case hex digest of the bytes."""

    async def exists(self, sha256: str) -> bool: ...

    async def put_file(self, sha256: str, path: Path, mime_type: str) -> None:
        """Store the file at ``path`` (it may be moved away) unless the blob exists."""

    async def put_bytes(self, sha256: str, data: bytes, mime_type: str) -> None: ...

    def read(self, sha256: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive) of the blob, in chunks."""
        ...

    async def delete(self, sha256: str) -> None:
        """Remove the blob; a missing blob is not an error."""


class LocalStorage:
    """Blobs as files under ``root`` (``HUB_DATA_DIR/blobs``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    async def put_file(self, sha256: str, path: Path, mime_type: str) -> None:
        target = self.path(sha256)
        if target.is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Uploads are spooled under the data directory, so this is a rename on one file
        # system: atomic, and never a half-written blob.
        await asyncio.to_thread(_move_into_place, path, target)

    async def put_bytes(self, sha256: str, data: bytes, mime_type: str) -> None:
        target = self.path(sha256)
        if target.is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temp, target)

    async def read(self, sha256: str, start: int, end: int) -> AsyncIterator[bytes]:
        file = await asyncio.to_thread(self.path(sha256).open, "rb")
        try:
            file.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = await asyncio.to_thread(file.read, min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk
        finally:
            file.close()

    async def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)


def _move_into_place(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError:
        # Another file system (an unusual data-dir layout): copy to a sibling, then rename.
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as out, source.open("rb") as file:
            while chunk := file.read(CHUNK):
                out.write(chunk)
        os.replace(temp, target)


class S3Storage:
    """Blobs as objects ``<prefix>/aa/bb/<sha256>`` in an S3-compatible bucket."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.client_options: dict[str, Any] = {
            "endpoint_url": query.get("endpoint_url"),
            "region_name": query.get("region") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        }
        self._session: Any = None

    def key(self, sha256: str) -> str:
        name = f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
        return f"{self.prefix}/{name}" if self.prefix else name

    @contextlib.asynccontextmanager
    async def _client(self) -> AsyncIterator[Any]:
        # A client per operation keeps this object free of event-loop state; the cost (a few
        # milliseconds) is small next to moving a media file.
        from aiobotocore.session import get_session

        if self._session is None:
            self._session = get_session()  # loads botocore's models once; clients reuse them
        async with self._session.create_client("s3", **self.client_options) as client:
            yield client

    async def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        async with self._client() as client:
            try:
                await client.head_object(Bucket=self.bucket, Key=self.key(sha256))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                    return False
                raise
        return True

    async def put_file(self, sha256: str, path: Path, mime_type: str) -> None:
        if await self.exists(sha256):
            return
        async with self._client() as client:
            with path.open("rb") as body:
                # S3 writes are atomic: the object appears whole or not at all.
                await client.put_object(
                    Bucket=self.bucket, Key=self.key(sha256), Body=body, ContentType=mime_type,
                    ContentLength=os.fstat(body.fileno()).st_size,
                )

    async def put_bytes(self, sha256: str, data: bytes, mime_type: str) -> None:
        if await self.exists(sha256):
            return
        async with self._client() as client:
            await client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=data,
                                    ContentType=mime_type)

    async def read(self, sha256: str, start: int, end: int) -> AsyncIterator[bytes]:
        if end <= start:
            return
        async with self._client() as client:
            response = await client.get_object(
                Bucket=self.bucket, Key=self.key(sha256), Range=f"bytes={start}-{end - 1}"
            )
            async with response["Body"] as stream:
                while chunk := await stream.read(CHUNK):
                    yield chunk

    async def delete(self, sha256: str) -> None:
        async with self._client() as client:
            await client.delete_object(Bucket=self.bucket, Key=self.key(sha256))


_storages: dict[tuple[str | None, Path], Storage] = {}


def get_storage(settings: Settings) -> Storage:
    """The storage these settings name (one object per configuration, per process)."""
    key = (settings.storage_url, settings.data_dir)
    storage = _storages.get(key)
    if storage is None:
        storage = _storages[key] = (
            S3Storage(settings.storage_url) if settings.storage_url
            else LocalStorage(settings.data_dir / "blobs")
        )
    return storage


def uploads_dir(settings: Settings) -> Path:
    """Where uploads are spooled while a request runs (beside the local blobs, so that
    storing one is a rename)."""
    path = settings.data_dir / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path
