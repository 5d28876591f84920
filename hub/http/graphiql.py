"""GraphiQL at ``/graphql`` (outside production), with its assets served from the package
(hub/http/static/graphiql/, README there), so the explorer works without internet: the page
names no other origin, and its Content-Security-Policy allows none.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).parent / "static" / "graphiql"
PREFIX = "/graphiql/"
# What the page may load: the hub's own scripts, styles and fonts (GraphiQL's are inlined as
# data: URLs), and its own endpoint over HTTP and WebSocket. No inline script.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "font-src 'self' data:; img-src 'self' data:; connect-src 'self' ws: wss:; "
          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# The files served, by name (nothing else in the folder is: no listing, no other path).
ASSETS = {
    "react.production.min.js": "text/javascript",
    "react-dom.production.min.js": "text/javascript",
    "graphiql.min.js": "text/javascript",
    "graphiql.min.css": "text/css",
    "graphiql-start.js": "text/javascript",
    "graphiql-page.css": "text/css",
}


def page() -> web.Response:
    """The GraphiQL page (GraphiQL's own React needs ``'unsafe-inline'`` styles only)."""
    return web.Response(text=(STATIC / "graphiql.html").read_text(encoding="utf-8"),
                        content_type="text/html", charset="utf-8",
                        headers={"Content-Security-Policy": POLICY,
                                 "X-Content-Type-Options": "nosniff",
                                 "Cache-Control": "no-cache"})


async def asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    mime = ASSETS.get(name)
    if mime is None:
        raise web.HTTPNotFound()
    # The versions are pinned in the package: a day of caching, revalidated by Last-Modified.
    return web.FileResponse(STATIC / name, headers={
        "Content-Type": f"{mime}; charset=utf-8", "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, max-age=86400"})


def add_graphiql_routes(app: web.Application) -> None:
    app.router.add_get(PREFIX + "{name}", asset)
