"""``/metrics``: the hub's Prometheus endpoint (the instruments are in hub/core/metrics.py).

Who may scrape it (``HUB_METRICS_TOKEN``):

* a token set: only requests with ``Authorization: Bearer <token>`` (others get 401), in any
  environment;
* no token, development: anyone (it is on the hub's own address, usually loopback);
* no token, production: nobody — the route answers 404, so a public hub does not publish
  its traffic by default. Set a token, or scrape through a proxy that adds it.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from hub.core.events import Event

if TYPE_CHECKING:
    from hub.http.app import Hub


def register_readings(hub: Hub) -> None:
    """What ``/metrics`` reads from the hub at each scrape: the pool, statements, statement
    timeouts, open subscriptions and signed-in sockets."""
    metrics, db = hub.metrics, hub.db
    metrics.gauge("hub_db_pool_connections", "Connections the pool holds now (busy or idle).",
                  lambda: db.pool.get_size())
    metrics.gauge("hub_db_pool_idle", "Connections of the pool idle now.",
                  lambda: db.pool.get_idle_size())
    metrics.gauge("hub_db_pool_max", "The most connections the pool may hold (HUB_DB_POOL_MAX).",
                  lambda: db.pool.get_max_size())
    metrics.counter("hub_db_pool_waits", "Statements and transactions that found every "
                    "connection of the pool busy and waited for one.", lambda: db.counter.waits)
    metrics.counter("hub_db_statements", "SQL statements sent.", lambda: db.counter.count)
    metrics.counter("hub_db_statement_timeouts", "Statements PostgreSQL cancelled "
                    "(statement_timeout; the client got a TIMEOUT error).",
                    lambda: db.counter.timeouts)
    metrics.gauge("hub_subscriptions_open", "GraphQL subscriptions listening for events now.",
                  lambda: hub.realtime.bus.subscriber_count if hub.realtime else 0)
    metrics.gauge("hub_websockets_signed_in", "WebSocket connections signed in as a member now.",
                  lambda: hub.realtime.sockets.open_count if hub.realtime else 0)
    cache = hub.response_cache
    metrics.counter("hub_response_cache_hits", "Anonymous reads answered from the response "
                    "cache (no SQL).", lambda: cache.hits)
    metrics.counter("hub_response_cache_misses", "Anonymous compiled reads the response cache "
                    "did not hold (answered by their statement, then kept).", lambda: cache.misses)
    metrics.counter("hub_response_cache_invalidations", "Times the response cache was emptied "
                    "(an event committed here or read by the listener).",
                    lambda: cache.invalidations)
    metrics.gauge("hub_response_cache_entries", "Answers the response cache holds now.",
                  lambda: len(cache))
    metrics.gauge("hub_response_cache_bytes", "Bytes of answers the response cache holds now.",
                  lambda: cache.size_bytes)


def lag_watcher(hub: Hub) -> None:
    """Time every event from its transaction to this instance's listener."""
    realtime = hub.realtime
    if realtime is None:
        return

    def observe(event: Event) -> None:
        # The database's clock stamped the event, this process's clock reads it: a skew
        # between the two shows up here, so a negative lag counts as none.
        lag = time.time() - event.occurred_at.timestamp()
        hub.metrics.event_lag.observe(max(0.0, lag))

    realtime.bus.watch(observe)


def metrics_view(hub: Hub) -> Callable[[web.Request], Awaitable[web.Response]] | None:
    """The handler of ``/metrics``; None when it is not served (production without a token)."""
    token = hub.settings.metrics_token
    if token is None and hub.settings.is_production:
        return None

    async def metrics(request: web.Request) -> web.Response:
        if token is not None and not _bearer_is(request, token):
            return web.Response(status=401, text="Send Authorization: Bearer <HUB_METRICS_TOKEN>.",
                                headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        response = web.Response(body=hub.metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    return metrics


def _bearer_is(request: web.Request, token: str) -> bool:
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(),
                                                              token.encode())
