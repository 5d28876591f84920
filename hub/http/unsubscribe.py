"""``/notifications/unsubscribe?token=…``: the email digest's one-click unsubscribe.

The token is the hub's signature of the member's id (hub/domain/notifications/digest.py): no
sign-in is needed, and no one can unsubscribe someone else. ``POST`` unsubscribes — what mail
clients send for the digest's ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` header
(RFC 8058) and what the page's button sends. ``GET`` only shows that button: link scanners
and previews fetch links, and must not unsubscribe anyone.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from hub.domain.notifications import digest

if TYPE_CHECKING:
    from hub.http.app import Hub

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1>{body}</main></body></html>
"""


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(text=_PAGE.format(title=html.escape(title), body=body), status=status,
                        content_type="text/html",
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def unsubscribe_view(hub: Hub) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The handler of ``GET`` and ``POST /notifications/unsubscribe`` serving ``hub``."""

    async def unsubscribe(request: web.Request) -> web.Response:
        token = request.query.get("token", "")
        member_id = digest.member_of_token(hub.settings, token)
        if member_id is None:
            return _page("Link not valid", "<p>This unsubscribe link is not valid.</p>", 400)
        if request.method != "POST":
            action = html.escape(f"{digest.UNSUBSCRIBE_PATH}?token={token}", quote=True)
            return _page("Stop the email digest?", f'<form method="post" action="{action}">'
                         "<button>Stop the daily email digest</button></form>")
        async with hub.db.transaction() as tx:
            await digest.unsubscribe(tx, member_id)
        return _page("Unsubscribed", "<p>You will get no more digest emails. Give your "
                     "address again in your settings to get them back.</p>")

    return unsubscribe
