"""``/metrics``: the hub's Prometheus endpoint (the instruments are in hub/core/metrics.py).

Who may scrape it (``HUB_METRICS_TOKEN``):

* a token set: only requests with ``Authorization: Bearer <token>`` (others get 401), in any
  environment;
* no token, development: anyone (it is on the hub's own address, usually loopback);
* no token, production: nobody — the route answers 404, so a public hub does not publish
  its traffic by default. Set a token, or scrape through a proxy that adds it.

Where (``HUB_METRICS_LISTEN``, ``host:port``): set, ``/metrics`` is served on that address
only (its own small aiohttp site, started and stopped with the app) and the hub's address
answers 404 for it; there the token, if set, is still required, and production without a token
serves it — binding it to a private interface is the protection.
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
                  lambda: db.idle_connections)
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
    replicas = hub.replicas
    if replicas is not None:
        metrics.labelled_counter(
            "hub_db_compiled_reads", "Compiled reads by the pool that answered them: primary, or "
            "replica-1, replica-2… in the order of HUB_DATABASE_REPLICA_URLS.", "pool",
            lambda: {"primary": replicas.primary_reads,
                     **{f"replica-{n}": r.reads for n, r in enumerate(replicas.replicas, 1)}})
        metrics.gauge("hub_db_replicas_usable", "Replicas that answer and are within "
                      "HUB_REPLICA_MAX_LAG_MS of the primary now.", lambda: len(replicas.usable()))
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


def metrics_view(hub: Hub, *, own_address: bool = False,
                 ) -> Callable[[web.Request], Awaitable[web.Response]] | None:
    """The handler of ``/metrics``; None when it is not served (on the hub's address: production
    without a token, or ``HUB_METRICS_LISTEN`` set)."""
    token = hub.settings.metrics_token
    if not own_address and (hub.settings.metrics_listen is not None
                            or (token is None and hub.settings.is_production)):
        return None

    async def metrics(request: web.Request) -> web.Response:
        if token is not None and not _bearer_is(request, token):
            return web.Response(status=401, text="Send Authorization: Bearer <HUB_METRICS_TOKEN>.",
                                headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        response = web.Response(body=hub.metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    return metrics


def metrics_site(hub: Hub) -> tuple[Callable[[web.Application], Awaitable[None]],
                                   Callable[[web.Application], Awaitable[None]]]:
    """Start and stop hooks of the ``HUB_METRICS_LISTEN`` site (nothing when it is unset)."""
    runners: list[web.AppRunner] = []

    async def start(_app: web.Application) -> None:
        where = hub.settings.metrics_listen
        view = metrics_view(hub, own_address=True)
        if where is None or view is None:
            return
        app = web.Application()
        app.router.add_get("/metrics", view)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        # reuse_port: every process of `serve --workers` binds it; a scrape reaches one of them.
        await web.TCPSite(runner, where[0], where[1], reuse_port=True).start()
        runners.append(runner)

    async def stop(_app: web.Application) -> None:
        while runners:
            await runners.pop().cleanup()

    return start, stop


def _bearer_is(request: web.Request, token: str) -> bool:
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(),
                                                              token.encode())
