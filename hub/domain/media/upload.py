"""The GraphQL multipart request spec, streamed: files go to disk as they arrive.

https://github.com/jaydenseric/graphql-multipart-request-spec: a ``multipart/form-data`` body
with an ``operations`` part (the JSON request, files as ``null``), a ``map`` part (which file
goes where: ``{"0": ["variables.input.file"]}``) and then one part per file.

Strawberry's own parser reads every file into memory and drops its name; this one writes each
file part to a temporary file under ``HUB_DATA_DIR/uploads`` while hashing it, stops at the
size cap, and hands resolvers an :class:`UploadedFile` (the ``Upload`` scalar's value). A
request that fails part-way (too large, malformed, the connection dropped) leaves no file
behind; the files of a request that succeeded are removed after its response.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from strawberry.file_uploads.utils import replace_placeholders_with_files

from hub.domain.media.sniff import OCTET_STREAM, sniff_file

CHUNK = 256 * 1024
MAX_FILENAME = 200
MAX_FILES = 20
UPLOADS = web.RequestKey("hub_uploads", list)
_UNSAFE_FILENAME = re.compile(r"[/\\\x00]|^\.\.?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UploadRefused(Exception):
    """The multipart request cannot be used; ``status`` is the HTTP status to answer with,
    ``code`` the error code and ``headers`` extra response headers (hub/media/admission.py)."""

    def __init__(self, status: int, message: str, *, code: str = "BAD_REQUEST",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}


def request_too_large(limit: int, size: int | None = None) -> str:
    """The message of a request over ``HUB_MAX_UPLOAD_REQUEST_BYTES`` (of ``size`` bytes, when
    its headers say)."""
    what = f"The upload has {size:,} bytes" if size is not None else "The upload is larger"
    return (f"{what}; the hub takes at most {limit:,} bytes per upload request, all files "
            "together (HUB_MAX_UPLOAD_REQUEST_BYTES). Nothing of it was kept.")


class _Budget:
    """The bytes of one request's parts, all together, against the per-request cap."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.spent = 0

    def spend(self, size: int) -> None:
        self.spent += size
        if self.limit is not None and self.spent > self.limit:
            raise UploadRefused(413, request_too_large(self.limit), code="UPLOAD_TOO_LARGE")


@dataclass
class UploadedFile:
    """One file of a multipart request, on local disk for the duration of the request."""

    filename: str
    client_filename: str
    declared_type: str
    path: Path
    size: int
    sha256: str
    mime_type: str
    # Set once the bytes were written to storage by this request: if the write then rolls
    # back, those bytes must go (hub.media.service.forget_unrecorded).
    stored: bool = False
    # Why a file that starts as text was judged binary, for the refusal's message.
    not_text_because: str = ""

    @property
    def has_unsafe_filename(self) -> bool:
        """True when the client's name would escape a directory (``../x``, ``a/b``)."""
        return bool(_UNSAFE_FILENAME.search(self.client_filename))

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def safe_filename(name: str) -> str:
    """The last path component of ``name``, without control characters, at most 200 long."""
    base = re.split(r"[/\\]", name)[-1]
    base = _CONTROL.sub("", base).strip().strip(".") or "upload"
    return base[-MAX_FILENAME:]


async def parse_multipart_request(
    request: web.Request, spool: Path, *, max_file_bytes: int, max_json_bytes: int,
    max_request_bytes: int | None = None,
) -> dict[str, Any]:
    """The GraphQL request in ``request``'s multipart body, with :class:`UploadedFile` objects
    in place of the mapped ``null`` values. Every file is listed in ``request[UPLOADS]``.
    ``max_request_bytes`` caps every part together, counted as the parts stream in."""
    files: list[UploadedFile] = request.setdefault(UPLOADS, [])
    budget = _Budget(max_request_bytes)
    try:
        return await _parse(request, spool, files, max_file_bytes, max_json_bytes, budget)
    except BaseException:
        # Nothing of a failed request survives it, whatever stopped it (a dropped connection
        # surfaces here as an exception from the stream, or as a cancellation).
        discard_all(files)
        raise


async def _parse(
    request: web.Request, spool: Path, files: list[UploadedFile],
    max_file_bytes: int, max_json_bytes: int, budget: _Budget,
) -> dict[str, Any]:
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError, KeyError) as error:
        raise UploadRefused(400, f"The multipart body cannot be read: {error}") from None
    operations = await _json_part(reader, "operations", max_json_bytes, budget)
    files_map = await _json_part(reader, "map", max_json_bytes, budget)
    _check_map(files_map)
    by_name: dict[str, UploadedFile] = {}
    while (part := await _next_part(reader)) is not None:
        if not isinstance(part, BodyPartReader) or part.name not in files_map:
            raise UploadRefused(400, f"The multipart part {getattr(part, 'name', None)!r} is "
                                "not named in `map`.")
        if len(by_name) >= MAX_FILES:
            raise UploadRefused(400, f"At most {MAX_FILES} files per request.")
        upload = await _spool(part, spool, files, max_file_bytes, budget)
        by_name[part.name] = upload  # type: ignore[index]
    missing = sorted(set(files_map) - set(by_name))
    if missing:
        raise UploadRefused(400, f"The upload ended without the file part(s) {missing}: it was "
                            "cut short or is malformed. Send it again.")
    try:
        return replace_placeholders_with_files(operations, files_map, by_name)
    except (KeyError, IndexError, TypeError, ValueError):
        raise UploadRefused(400, "A path in `map` does not name a variable of `operations`.") from None


async def _next_part(reader: Any) -> Any:
    try:
        return await reader.next()
    except ValueError as error:
        raise UploadRefused(400, f"The multipart body is malformed: {error}") from None


async def _json_part(reader: Any, name: str, max_bytes: int, budget: _Budget) -> Any:
    part = await _next_part(reader)
    if part is None or not isinstance(part, BodyPartReader) or part.name != name:
        raise UploadRefused(400, "A GraphQL multipart request starts with the `operations` part, "
                            "then `map`, then the files (graphql-multipart-request-spec).")
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        budget.spend(len(chunk))
        data += chunk
        if len(data) > max_bytes:
            raise UploadRefused(413, f"The `{name}` part is larger than {max_bytes} bytes.")
    try:
        return json.loads(data)
    except ValueError:
        raise UploadRefused(400, f"The `{name}` part is not JSON.") from None


def _check_map(files_map: Any) -> None:
    valid = isinstance(files_map, dict) and all(
        isinstance(paths, list) and paths and all(
            isinstance(path, str) and path.startswith(("variables.", "0.variables."))
            for path in paths)
        for paths in files_map.values()
    )
    if not valid:
        raise UploadRefused(400, '`map` must be an object like {"0": ["variables.input.file"]}.')


async def _spool(
    part: BodyPartReader, spool: Path, files: list[UploadedFile], max_bytes: int,
    budget: _Budget,
) -> UploadedFile:
    # Some clients (aiohttp among them) percent-encode the name; judge the decoded one.
    client_name = unquote(part.filename or "")
    fd, temp = tempfile.mkstemp(dir=spool, prefix="upload-")
    upload = UploadedFile(
        filename=safe_filename(client_name), client_filename=client_name,
        declared_type=part.headers.get("Content-Type", ""), path=Path(temp), size=0,
        sha256="", mime_type="",
    )
    files.append(upload)  # listed before the first byte, so every exit path removes it
    digest = hashlib.sha256()
    first_nul = -1
    with os.fdopen(fd, "wb") as out:
        while chunk := await part.read_chunk(CHUNK):
            budget.spend(len(chunk))
            if first_nul < 0 and (found := chunk.find(b"\x00")) >= 0:
                first_nul = upload.size + found
            upload.size += len(chunk)
            if upload.size > max_bytes:
                raise UploadRefused(413, f"The file {upload.filename!r} is larger than the "
                                    f"hub's limit of {max_bytes:,} bytes.")
            digest.update(chunk)
            # A plain write: the kernel buffers it, far faster than the network delivers.
            out.write(chunk)
    upload.sha256 = digest.hexdigest()
    upload.mime_type = sniff_file(upload.path)
    if upload.mime_type == "text/plain" and first_nul >= 0:
        # The sniffer reads the head only; text with a NUL further on is no text (PostgreSQL
        # could not hold it as a record's details).
        upload.mime_type = OCTET_STREAM
        upload.not_text_because = f"a NUL byte at byte {first_nul:,}"
    return upload


def discard_all(files: list[UploadedFile]) -> None:
    for upload in files:
        with contextlib.suppress(OSError):
            upload.discard()
    files.clear()


@web.middleware
async def discard_uploads(request: web.Request, handler: Any) -> web.StreamResponse:
    """Removes a request's spooled upload files once it has been answered (or has failed)."""
    try:
        return await handler(request)
    finally:
        discard_all(request.get(UPLOADS) or [])
