"""``/studio``: the editorial studio, a browser app for the editors who assemble compilations.

Every file it needs ships in this package (index.html, app.js, studio.css, the operations and
the pinned Preact + htm ES modules in vendor/): no Node.js at install or run time, no CDN. The
app speaks only the public GraphQL API, with the documents of ``schema/operations/studio/``
(bundled into operations.json, byte for byte, so a trusted-documents manifest built from them
lets the studio run in production).

Every studio response carries a Content-Security-Policy that allows scripts, styles, images
and requests from this origin only, no inline script or style, no framing. The session token
(from ``logIn``) travels in the ``Authorization`` header, never in a cookie, so no other
origin's page can make the browser send it (CSRF); the app keeps it in ``sessionStorage``,
which only this origin's scripts can read, and the policy admits no script from elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson
from aiohttp import web

ASSETS = Path(__file__).resolve().parent

# What a studio response may load: this origin only; no inline script or style (the app sets
# styles through the DOM, which the policy allows), no plugins, no framing, no <base>.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
# The files a browser may ask for: the app's own and the vendored modules (never the Python
# sources, READMEs or licences beside them).
_ASSET = re.compile(r"^(?:vendor/)?[a-z0-9_-]+\.(?:html|js|mjs|css|json|svg)$")
OPERATION_NAME = re.compile(r"^\s*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)",
                            re.MULTILINE)


def bundle_operations(directory: Path) -> bytes:
    """operations.json from ``directory``'s ``*.graphql``: each operation name → the text of
    its file, unchanged (a trusted-documents manifest hashes that text)."""
    bundle: dict[str, str] = {}
    for path in sorted(directory.glob("*.graphql")):
        text = path.read_text()
        for name in OPERATION_NAME.findall(text):
            bundle[name] = text
    return orjson.dumps(bundle, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def _file_response(path: Path) -> web.Response:
    response = web.Response(body=path.read_bytes(), content_type=None)
    response.headers["Content-Type"] = CONTENT_TYPES[path.suffix]
    response.headers.update(SECURITY_HEADERS)
    # index.html names unversioned files: revalidate them rather than serve yesterday's app.
    response.headers["Cache-Control"] = "no-cache"
    return response


async def studio_index(request: web.Request) -> web.Response:
    return _file_response(ASSETS / "index.html")


async def studio_redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/studio/")


async def studio_asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    path = ASSETS / name
    if not _ASSET.match(name) or not path.is_file():
        raise web.HTTPNotFound(text=f"The studio has no file {name!r}.")
    return _file_response(path)


def add_studio_routes(app: web.Application) -> None:
    """``/studio/`` (the app), ``/studio`` (redirects there) and ``/studio/{file}``."""
    app.router.add_get("/studio", studio_redirect)
    app.router.add_get("/studio/", studio_index)
    app.router.add_get("/studio/{name:.+}", studio_asset)
