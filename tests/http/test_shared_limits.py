"""Rate limits count in PostgreSQL, so every hub instance over one database shares them: two
apps on one database allow the limit, not twice the limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import replace

import pytest

from hub.core.config import Settings
from hub.plugins import HubPlugins
from tests.api import Api
from tests.realtime.test_realtime import hub_api

LOG_IN = """mutation LogIn($h: String!) { logIn(input: {handle: $h, password: "wrong password!"}) {
  errors { code } } }"""
UPDATE_PROFILE = 'mutation Bio { updateProfile(input: {bio: "again"}) { errors { code } } }'


@pytest.fixture
async def instances(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> AsyncIterator[tuple[Api, Api]]:
    """Two hub apps, each with its own pool and memory, over the same database, with 3
    log-in attempts per handle and 2 mutations per member a minute."""
    limited = replace(settings, security=replace(
        settings.security, login_attempts_per_minute=3, mutations_per_minute=2))
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(hub_api(limited, database_url, plugins))
        second = await stack.enter_async_context(hub_api(limited, database_url, plugins))
        yield first, second


async def log_in(api: Api, handle: str) -> tuple[int, dict[str, str], dict[str, object]]:
    response = await api.client.post("/graphql", json={"query": LOG_IN, "variables": {"h": handle}})
    return response.status, dict(response.headers), await response.json()


async def test_log_in_attempts_count_across_instances(instances: tuple[Api, Api]) -> None:
    first, second = instances
    for api in (first, second, first):  # the limit, 3, spread over both instances
        status, _, body = await log_in(api, "ada")
        assert status == 200
        assert body["data"] == {"logIn": {"errors": [{"code": "INVALID_CREDENTIALS"}]}}
    status, headers, body = await log_in(second, "ada")  # the 4th, on the other instance
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"  # type: ignore[index]
    assert "log-in attempts for this handle" in body["errors"][0]["message"]  # type: ignore[index]
    # Refused on the first instance too: the count is the database's, not a process's.
    assert (await log_in(first, "ada"))[0] == 429
    # The handle "ADA " is the same handle; another handle has its own count.
    assert (await log_in(second, "ADA "))[0] == 429
    assert (await log_in(first, "bob"))[0] == 200


async def test_mutations_count_across_instances(instances: tuple[Api, Api]) -> None:
    first, second = instances
    ada = await first.sign_up("ada")  # anonymous: signing up is counted by no member limit
    assert await first.gql(UPDATE_PROFILE, token=ada.token) == {"updateProfile": {"errors": []}}
    assert await second.gql(UPDATE_PROFILE, token=ada.token) == {"updateProfile": {"errors": []}}
    status, body = await second.post(UPDATE_PROFILE, token=ada.token)
    assert status == 429
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert body["errors"][0]["message"].startswith("Too many changes")
    assert (await first.post(UPDATE_PROFILE, token=ada.token))[0] == 429
    bob = await second.sign_up("bob")  # another member's count is his own
    assert (await first.post(UPDATE_PROFILE, token=bob.token))[0] == 200


async def test_a_hit_is_one_statement_and_a_window_ends_a_minute_after_it_began(
    instances: tuple[Api, Api],
) -> None:
    first, second = instances
    for _ in range(3):
        await log_in(first, "ada")
    before = second.statements()
    assert (await log_in(second, "ada"))[0] == 429
    assert second.statements() - before == 1  # the counting statement; no transaction ran
    # The window began with the first attempt; once it is a minute old, the count starts over.
    moved = await first.hub.db.execute(
        "update rate_limits set started_at = started_at - interval '61 s' "
        "where bucket = 'login-handle:ada'")
    assert moved == "UPDATE 1"
    assert (await log_in(second, "ada"))[0] == 200
    assert await first.hub.db.fetchval(
        "select hits from rate_limits where bucket = 'login-handle:ada'") == 1


async def test_the_address_limit_is_shared_too(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    limited = replace(settings, security=replace(settings.security, login_attempts_per_minute=1))
    async with hub_api(limited, database_url, plugins) as first, \
            hub_api(limited, database_url, plugins) as second:
        # Five attempts a minute from one address (5 × the per-handle limit), any handles.
        for i in range(5):
            assert (await log_in((first, second)[i % 2], f"member{i}"))[0] == 200
        status, _, body = await log_in(second, "someone-else")
        assert status == 429
        assert "log-in attempts from here" in body["errors"][0]["message"]  # type: ignore[index]
