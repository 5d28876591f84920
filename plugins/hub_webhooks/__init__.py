"""hub_webhooks: every change event as a signed JSON POST to the URLs you configure.

A first-party event plugin that uses only the public hooks, like a third-party one.

Configuration (environment, read for each event, so no restart is needed in tests):

* ``HUB_WEBHOOK_URLS``: comma-separated ``http(s)://`` URLs; unset means the plugin is idle.
* ``HUB_WEBHOOK_SECRET``: the HMAC key (required with URLs; at least 16 characters).
* ``HUB_WEBHOOK_TIMEOUT_SECONDS``: per request (default 10); a receiver that hangs counts as a
  failed attempt after it.

Each POST carries the event as JSON (``id``, ``kind``, ``subject``, ``actor``, ``payload``,
``occurredAt``) and the headers ``X-Hub-Event`` (the kind), ``X-Hub-Event-Id``,
``Idempotency-Key`` (the same on every attempt of this event to this URL, from any hub
instance, before or after a restart) and ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the
raw body with the secret>``. Verify the signature with a constant-time comparison, and
deduplicate by ``Idempotency-Key``: delivery is at least once.

A receiver answering anything but 2xx (or not answering in time) makes the hook raise; the
hub's event dispatcher retries it with exponential backoff (``HUB_EVENT_RETRY_BASE_MS``,
``HUB_EVENT_MAX_ATTEMPTS``), in order. Each URL that accepts an event is recorded in the hub's
database (the hook's ``deliveries``, :class:`hub.Deliveries`), so no retry, other instance or
restart sends it that event again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
from typing import Any

import aiohttp
import orjson

from hub import Deliveries, hookimpl

log = logging.getLogger("hub_webhooks")

DEFAULT_TIMEOUT_SECONDS = 10.0
MIN_SECRET_LENGTH = 16


class WebhookError(RuntimeError):
    """A receiver refused or missed an event, or the configuration is wrong."""


def _settings() -> tuple[list[str], bytes, float]:
    urls = [u.strip() for u in os.environ.get("HUB_WEBHOOK_URLS", "").split(",") if u.strip()]
    if not urls:
        return [], b"", DEFAULT_TIMEOUT_SECONDS
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise WebhookError(f"HUB_WEBHOOK_URLS: {', '.join(bad)} are not http(s) URLs")
    secret = os.environ.get("HUB_WEBHOOK_SECRET", "")
    if len(secret) < MIN_SECRET_LENGTH:
        raise WebhookError(f"HUB_WEBHOOK_SECRET: set a secret of at least {MIN_SECRET_LENGTH} "
                           "characters; webhooks are never sent unsigned")
    raw_timeout = os.environ.get("HUB_WEBHOOK_TIMEOUT_SECONDS", "").strip()
    try:
        timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        raise WebhookError(f"HUB_WEBHOOK_TIMEOUT_SECONDS: {raw_timeout!r} is not a number") from None
    return urls, secret.encode(), timeout


def signature(secret: bytes, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value for ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _body(event: Any) -> bytes:
    return orjson.dumps({
        "id": event.id, "kind": event.kind, "subject": event.subject, "actor": event.actor,
        "payload": event.payload, "occurredAt": event.occurred_at.isoformat(),
    })


async def _post(session: aiohttp.ClientSession, url: str, body: bytes,
                headers: dict[str, str]) -> None:
    try:
        async with session.post(url, data=body, headers=headers) as response:
            if not 200 <= response.status < 300:
                raise WebhookError(f"{url} answered {response.status}")
    except TimeoutError:
        raise WebhookError(f"{url} did not answer in time") from None
    except aiohttp.ClientError as error:
        raise WebhookError(f"{url}: {error!r}") from None


@hookimpl
async def hub_event(event: Any, deliveries: Deliveries) -> None:
    urls, secret, timeout = _settings()
    if not urls:
        return
    accepted = await deliveries.delivered()
    pending = [u for u in urls if u not in accepted]
    if not pending:
        return
    body = _body(event)
    headers = {"Content-Type": "application/json", "User-Agent": "recordhub-webhooks",
               "X-Hub-Event": event.kind, "X-Hub-Event-Id": str(event.id),
               "X-Hub-Signature-256": signature(secret, body)}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        results = await asyncio.gather(
            *(_post(session, url, body, {**headers, "Idempotency-Key": deliveries.idempotency_key(url)})
              for url in pending),
            return_exceptions=True)
    failures = []
    for url, result in zip(pending, results, strict=True):
        if isinstance(result, BaseException):
            failures.append(str(result))
        else:
            await deliveries.record(url)
    if failures:
        raise WebhookError("; ".join(failures))
