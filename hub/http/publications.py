"""Downloads of publication files: ``GET /publications/{sha256}/{name}``.

A publication's files are public (publishing is what makes them so) and immutable (the URL
names the bytes' SHA-256), so caches may keep them for a year. The name in the URL must be
the one the file was published under; the response offers it as the download's file name.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from aiohttp import web

from hub.core.config import Settings
from hub.core.db import Database
from hub.core.validation import unfit_character
from hub.domain.compilations import store
from hub.domain.media.storage import get_storage

SHA256 = re.compile(r"^[0-9a-f]{64}$")
IMMUTABLE = "public, max-age=31536000, immutable"


def add_publication_routes(app: web.Application, settings: Settings, db: Database) -> None:
    """``GET``/``HEAD /publications/{sha256}/{name}``."""

    async def download(request: web.Request) -> web.StreamResponse:
        sha256, name = request.match_info["sha256"], request.match_info["name"]
        # A name no file can have (a NUL from "%00") is not looked up: PostgreSQL refuses it.
        findable = SHA256.match(sha256) and unfit_character(name) is None
        row = await store.published_file(db, sha256, name) if findable else None
        if row is None:
            raise web.HTTPNotFound(text="No such publication file.")
        headers = {
            "ETag": f'"{sha256}"', "Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        }
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return web.Response(status=304, headers=headers)
        response = web.StreamResponse(headers=headers)
        response.content_type = row["mime_type"]
        response.content_length = row["size"]
        await response.prepare(request)
        if request.method != "HEAD":
            async for chunk in get_storage(settings).read(sha256, 0, row["size"]):
                await response.write(chunk)
        await response.write_eof()
        return response

    app.router.add_get("/publications/{sha256}/{name}", download)
