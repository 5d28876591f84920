"""The first-party hub_webhooks plugin: signed JSON POSTs for every change event, retried with
backoff by the event dispatcher, against real receivers on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from hub.core.config import Settings
from hub.plugins import HubPlugins
from tests.api import Api
from tests.realtime.test_realtime import hub_api
from tests.realtime_client import eventually

SECRET = "a-webhook-secret-of-some-length"


@dataclass
class Receiver:
    """A webhook receiver that answers 500 to its first ``failures`` requests."""

    failures: int = 0
    hang: bool = False
    refuse: bool = False  # answer 503 while set
    attempts: list[int] = field(default_factory=list)  # event ids, every attempt
    keys: list[tuple[int, str]] = field(default_factory=list)  # (event id, Idempotency-Key)
    accepted: list[dict[str, Any]] = field(default_factory=list)  # bodies answered 200

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(request.headers["X-Hub-Signature-256"], expected)
        event = orjson.loads(body)
        assert request.headers["X-Hub-Event-Id"] == str(event["id"])
        assert request.headers["X-Hub-Event"] == event["kind"]
        self.attempts.append(event["id"])
        self.keys.append((event["id"], request.headers["Idempotency-Key"]))
        if self.refuse:
            return web.Response(status=503, text="down for maintenance")
        if self.hang:
            await asyncio.sleep(3600)
        if len(self.attempts) <= self.failures:
            return web.Response(status=500, text="not today")
        self.accepted.append(event)
        return web.Response(status=204)

    @property
    def kinds(self) -> list[str]:
        return [event["kind"] for event in self.accepted]


@pytest.fixture
async def receivers() -> AsyncIterator[dict[str, Receiver]]:
    found = {"flaky": Receiver(failures=2), "steady": Receiver(), "hanging": Receiver(hang=True),
             "down": Receiver(refuse=True)}
    app = web.Application()
    for name, receiver in found.items():
        app.router.add_post(f"/{name}", receiver.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    for name, receiver in found.items():
        receiver.url = str(server.make_url(f"/{name}"))  # type: ignore[attr-defined]
    yield found
    await server.close()


def configure(monkeypatch: pytest.MonkeyPatch, *receivers: Receiver, timeout: float = 5) -> None:
    monkeypatch.setenv("HUB_WEBHOOK_URLS", ",".join(r.url for r in receivers))  # type: ignore[attr-defined]
    monkeypatch.setenv("HUB_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("HUB_WEBHOOK_TIMEOUT_SECONDS", str(timeout))


async def test_webhooks_are_signed_retried_with_backoff_and_delivered_in_order(
    api: Api, receivers: dict[str, Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    flaky, steady = receivers["flaky"], receivers["steady"]
    configure(monkeypatch, flaky, steady)
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hooked", publish=True)
    await eventually(lambda: len(flaky.accepted) == 3 and len(steady.accepted) == 3)
    for receiver in (flaky, steady):
        assert receiver.kinds == ["member.signed_up", "record.created", "record.published"]
        ids = [event["id"] for event in receiver.accepted]
        assert ids == sorted(ids)  # in commit order, the failures notwithstanding
    # The flaky receiver refused the first event twice; the steady one got it once only.
    first = flaky.accepted[0]["id"]
    assert flaky.attempts[:3] == [first, first, first]
    assert steady.attempts.count(first) == 1
    published = flaky.accepted[-1]
    assert published["subject"] == record["id"] and published["actor"] == ada.id
    assert published["payload"]["mediaType"] == "writing" and published["occurredAt"]


async def test_a_hanging_webhook_times_out_and_the_hub_keeps_serving(
    settings: Settings, database_url: str, plugins: HubPlugins,
    receivers: dict[str, Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    hanging, steady = receivers["hanging"], receivers["steady"]
    configure(monkeypatch, hanging, steady, timeout=0.3)
    async with hub_api(settings, database_url, plugins, event_max_attempts=2) as api:
        ada = await api.sign_up("ada")
        async with asyncio.timeout(2):  # the hub answers at once while the receiver hangs
            await api.create_record(ada, "Still here", publish=True)
        await eventually(lambda: steady.kinds == [
            "member.signed_up", "record.created", "record.published"])

        async def gave_up() -> bool:
            return await api.hub.db.fetchval(
                "select count(*) from event_failures where consumer = 'hub_webhooks'") == 3
        await eventually(gave_up)  # two attempts each, then recorded, then the next event
        error = await api.hub.db.fetchval("select error from event_failures limit 1")
        assert "did not answer in time" in error
        assert len(hanging.attempts) == 6


async def test_no_webhook_is_sent_unsigned(
    api: Api, receivers: dict[str, Receiver], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure(monkeypatch, receivers["steady"])
    monkeypatch.setenv("HUB_WEBHOOK_SECRET", "short")
    await api.sign_up("ada")
    await eventually(lambda: "HUB_WEBHOOK_SECRET: set a secret" in caplog.text)
    assert receivers["steady"].attempts == []


async def test_each_delivery_has_an_idempotency_key_the_same_on_every_attempt(
    api: Api, receivers: dict[str, Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    flaky, steady = receivers["flaky"], receivers["steady"]
    configure(monkeypatch, flaky, steady)
    ada = await api.sign_up("ada")
    await api.create_record(ada, "Keyed")
    await eventually(lambda: len(flaky.accepted) == 2 and len(steady.accepted) == 2)
    signed_up = flaky.accepted[0]["id"]
    # Refused twice, accepted the third time: one key for the three attempts.
    flaky_keys = {key for event_id, key in flaky.keys if event_id == signed_up}
    assert len([1 for event_id, _ in flaky.keys if event_id == signed_up]) == 3
    assert len(flaky_keys) == 1
    # Another URL, or another event, has another key.
    steady_keys = dict(steady.keys)
    assert steady_keys[signed_up] not in flaky_keys
    assert len(set(steady_keys.values())) == 2
    assert all(len(key) == 32 for key in steady_keys.values())


async def test_deliveries_are_recorded_in_the_database_and_survive_a_restart(
    settings: Settings, database_url: str, plugins: HubPlugins,
    receivers: dict[str, Receiver], monkeypatch: pytest.MonkeyPatch,
) -> None:
    down, steady = receivers["down"], receivers["steady"]
    configure(monkeypatch, steady, down)
    async with hub_api(settings, database_url, plugins, event_max_attempts=100) as api:
        await api.sign_up("ada")
        await eventually(lambda: len(steady.accepted) == 1 and len(down.attempts) >= 2)
        event_id = steady.accepted[0]["id"]
        recorded = await api.hub.db.fetch(
            "select consumer, event_id, endpoint from event_deliveries")
        assert [tuple(row) for row in recorded] == [
            ("hub_webhooks", event_id, steady.url)]  # type: ignore[attr-defined]
    # The hub stopped with the event still owed to one receiver; the receiver comes back and
    # a new hub (new process state, same database) sends the event to it only.
    down.refuse = False
    async with hub_api(settings, database_url, plugins) as api:
        await eventually(lambda: len(down.accepted) == 1)
        assert down.accepted[0]["id"] == event_id
        assert steady.attempts == [event_id]  # delivered once, across the restart
        assert len({key for _, key in down.keys}) == 1  # the same key before and after

        async def both_recorded() -> bool:
            return await api.hub.db.fetchval(
                "select count(*) from event_deliveries where event_id = $1", event_id) == 2
        await eventually(both_recorded)
