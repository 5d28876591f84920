"""Downloads: ``GET /media/{sha256}`` with Range requests, ETag and cache headers.

Blobs of published records (and of publications) are public: anyone may fetch them and
caches may keep them a day (the bytes behind a URL never change; only who may see them does).
Every other blob (a draft's, an unpublished record's) is served only through a *signed* URL
that ``Record.media`` gives its author: ``?expires=<unix time>&signature=<HMAC-SHA256>``,
valid one to two hours (the expiry is rounded up to the hour so that repeated queries give the
same URL, which browsers can cache). The key is ``HUB_SECRET_KEY``; when unset, the hub
generates one and keeps it in ``HUB_DATA_DIR/secret_key`` — set it explicitly when several
hubs serve the same files.
"""

from __future__ import annotations

import hmac
import re
import time

from aiohttp import web

from hub.core.config import Settings
from hub.core.db import Database
from hub.domain.media import store
from hub.domain.media.storage import get_storage
from hub.domain.media.urls import signature

SHA256 = re.compile(r"^[0-9a-f]{64}$")
PUBLIC_MAX_AGE = 24 * 60 * 60
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _signed_until(request: web.Request, settings: Settings, sha256: str) -> int | None:
    """The expiry of a valid signature on this request, or None."""
    try:
        expires = int(request.query.get("expires", ""))
    except ValueError:
        return None
    given = request.query.get("signature", "")
    if expires < time.time() or not hmac.compare_digest(given, signature(settings, sha256, expires)):
        return None
    return expires


def _byte_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """(start, end exclusive) for a single satisfiable range; None without one (or for forms
    we answer in full, such as several ranges); False when unsatisfiable (416)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = _position(last)
        return (max(size - length, 0), size) if length else False
    start = _position(first)
    end = min(_position(last) + 1, size) if last else size
    if start >= size or end <= start:
        return False
    return start, end


# Beyond any file's size; longer numbers (Python refuses to read 4,300 digits and more) are
# taken as this, so a huge position is just past the end.
_FAR = 10**18


def _position(digits: str) -> int:
    significant = digits.lstrip("0") or "0"
    return int(significant) if len(significant) < len(str(_FAR)) else _FAR


def add_media_routes(app: web.Application, settings: Settings, db: Database) -> None:
    """``GET``/``HEAD /media/{sha256}``."""

    async def download(request: web.Request) -> web.StreamResponse:
        sha256 = request.match_info["sha256"]
        row = await store.blob_access(db, sha256) if SHA256.match(sha256) else None
        if row is None:
            raise web.HTTPNotFound(text="No such file.")
        headers = {
            "ETag": f'"{sha256}"', "Accept-Ranges": "bytes",
            "X-Content-Type-Options": "nosniff",
            # Served from the API's origin: uploaded bytes must never run as a page there.
            "Content-Security-Policy": "default-src 'none'; sandbox",
        }
        if row["public"]:
            headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        else:
            expires = _signed_until(request, settings, sha256)
            if expires is None:
                raise web.HTTPForbidden(text="This file is not public. Use the signed URL "
                                        "Record.media gives its author (it may have expired).")
            headers["Cache-Control"] = f"private, max-age={max(expires - int(time.time()), 0)}"
        if request.headers.get("If-None-Match") in (headers["ETag"], f'W/"{sha256}"', "*"):
            return web.Response(status=304, headers=headers)
        return await _send(request, settings, sha256, row["size"], row["mime_type"], headers)

    app.router.add_get("/media/{sha256}", download)


async def _send(
    request: web.Request, settings: Settings, sha256: str, size: int, mime_type: str,
    headers: dict[str, str],
) -> web.StreamResponse:
    wanted = _byte_range(request.headers.get("Range"), size)
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range != headers["ETag"]:
        wanted = None  # the client's copy is of other bytes: send them all
    if wanted is False:
        return web.Response(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    start, end = wanted if isinstance(wanted, tuple) else (0, size)
    response = web.StreamResponse(status=206 if isinstance(wanted, tuple) else 200, headers=headers)
    if isinstance(wanted, tuple):
        response.headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    response.content_type = mime_type
    response.content_length = end - start
    await response.prepare(request)
    if request.method != "HEAD":
        async for chunk in get_storage(settings).read(sha256, start, end):
            await response.write(chunk)
    await response.write_eof()
    return response
