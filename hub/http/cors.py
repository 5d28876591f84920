"""CORS: which browser origins may call the hub, and the preflights (OPTIONS) that ask.

The origins come from ``HUB_CORS_ORIGINS`` (comma-separated: ``https://app.example``; ``*``
allows any origin; ``http://localhost:*`` allows that host on any port). In development, when
``HUB_CORS_ORIGINS`` is not set, pages served from ``http://localhost:<port>`` and
``http://127.0.0.1:<port>`` are allowed, so a frontend's dev server works out of the box; the hub
logs one line at start-up saying so. In production nothing is allowed until it is configured.

A refused preflight answers 403 with a message naming ``HUB_CORS_ORIGINS`` (before this,
the request reached the GraphQL view, whose 405 "GraphQL only supports GET and POST requests"
said nothing of the fix). The same origins may open a WebSocket (subscriptions), and so may the
hub's own pages (the studio), whatever the setting.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from hub.core.config import Settings

log = logging.getLogger("hub.http.cors")

DEVELOPMENT_ORIGINS = ("http://localhost:*", "http://127.0.0.1:*")
_ANY_PORT = re.compile(r":\d{1,5}$")


@dataclass(frozen=True)
class CorsPolicy:
    """The origins a browser page may call the hub from."""

    origins: tuple[str, ...]

    @classmethod
    def for_settings(cls, settings: Settings) -> CorsPolicy:
        configured = settings.security.cors_origins
        if configured or settings.is_production:
            return cls(tuple(configured))
        return cls(DEVELOPMENT_ORIGINS)

    def allows(self, origin: str | None) -> bool:
        if not origin:
            return False
        origin = origin.rstrip("/").lower()
        for allowed in self.origins:
            if allowed == "*" or allowed.lower() == origin:
                return True
            # "http://localhost:*": the same scheme and host on any port.
            if (allowed.endswith(":*") and _ANY_PORT.search(origin)
                    and origin.rsplit(":", 1)[0] == allowed[:-2].lower()):
                return True
        return False


def refusal(origin: str) -> str:
    return (f"CORS: the origin {origin} may not call this hub. Add it to HUB_CORS_ORIGINS "
            "(comma-separated origins such as https://app.example; http://localhost:* allows "
            "any port; * allows any origin).")


def cors_middleware(settings: Settings) -> Any:
    """The aiohttp middleware answering preflights and marking allowed responses."""
    policy = CorsPolicy.for_settings(settings)
    if policy.origins == DEVELOPMENT_ORIGINS:
        log.info("CORS: development mode allows pages on any http://localhost:* and "
                 "http://127.0.0.1:* origin; set HUB_CORS_ORIGINS to choose the origins")

    @web.middleware
    async def cors(request: web.Request, handler: Any) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        permitted = policy.allows(origin)
        preflight = (request.method == "OPTIONS" and origin is not None
                     and "Access-Control-Request-Method" in request.headers)
        if preflight and not permitted:
            return web.Response(status=403, text=refusal(origin or ""),
                                headers={"Vary": "Origin"})
        if preflight:
            response: web.StreamResponse = web.Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "content-type, authorization"
            )
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = await handler(request)
        if permitted:
            response.headers["Access-Control-Allow-Origin"] = origin  # type: ignore[assignment]
            # Added to what the answer varies by already (Authorization: hub/http/view.py).
            vary = response.headers.get("Vary")
            response.headers["Vary"] = f"{vary}, Origin" if vary else "Origin"
        return response

    return cors
