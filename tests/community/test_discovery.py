"""FRESH and UNDERSEEN read stored values (``record_discovery``, migration 0018): a heart
moves FRESH in its own transaction, a view buffer's flush moves UNDERSEEN, the hourly refresh
brings the means and the hearts of accounts that have aged since; the stored values are
always those a count from scratch gives, and a page is one statement however deep."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from typing import Any

import pytest

from hub.core.config import Settings
from hub.core.relay import decode_id
from hub.domain.records import discovery
from hub.domain.records.store import refresh_means
from tests.api import Api, Member
from tests.community.test_hearts import FEED, HEART, UNHEART, VIEWED, _published, _stats, members_with_tokens


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The view buffer is written when a test says, not on its timer."""
    return replace(settings, view_flush_ms=3_600_000)


async def _titles(api: Api, order: str, **page: Any) -> list[str]:
    data = await api.gql(FEED, {"order": order, "first": 20, **page})
    titles = [edge["node"]["title"] for edge in data["records"]["edges"]]
    with api.executor_only():  # the compiled statement and the executor agree
        again = await api.gql(FEED, {"order": order, "first": 20, **page})
    assert [edge["node"]["title"] for edge in again["records"]["edges"]] == titles
    return titles


async def _stored(api: Api) -> dict[int, tuple[int, int]]:
    rows = await api.hub.db.fetch("select record_id, viewers, counted_hearts "
                                  "from record_discovery")
    return {row["record_id"]: (row["viewers"], row["counted_hearts"]) for row in rows}


async def _recounted(api: Api) -> dict[int, tuple[int, int]]:
    """The same values counted from scratch with the per-read formulas."""
    viewers = discovery.VIEWERS.format(t="r")
    hearts = discovery.COUNTED_HEARTS.format(t="r")
    rows = await api.hub.db.fetch(f"select r.id, {viewers} as v, {hearts} as h from records r")
    return {row["id"]: (row["v"], row["h"]) for row in rows}


async def test_a_heart_reorders_fresh_at_once(api: Api) -> None:
    june = await api.sign_up("june")
    first = await _published(api, june, "first")
    second = await _published(api, june, "second")
    for record in (first, second):
        await _stats(api, record, viewers=10)
    (fan,) = await members_with_tokens(api, "fan", 1)
    assert await _titles(api, "FRESH") == ["second", "first"]  # no hearts: newest first

    payload = (await api.gql(HEART, {"id": first}, token=fan.token))["heartRecord"]
    assert payload["errors"] == []
    assert await _titles(api, "FRESH") == ["first", "second"]  # no refresh needed

    await api.gql(UNHEART, {"id": first}, token=fan.token)
    assert await _titles(api, "FRESH") == ["second", "first"]


async def test_a_flushed_view_moves_a_record_down_underseen(api: Api) -> None:
    june = await api.sign_up("june")
    for title in ("a", "b", "c"):
        await _published(api, june, title)
    before = await _titles(api, "UNDERSEEN")
    top = before[0]
    record = await api.hub.db.fetchval("select id from records where title = $1", top)
    (reader,) = await members_with_tokens(api, "reader", 1)

    await api.gql(VIEWED, {"id": f"{_global(record)}"}, token=reader.token)
    assert await _titles(api, "UNDERSEEN") == before  # in the buffer: not yet counted
    assert await api.hub.views.flush() == 1
    after = await _titles(api, "UNDERSEEN")
    assert after[-1] == top and after[:2] == [t for t in before if t != top]


def _global(record_id: int) -> str:
    from hub.core.relay import encode_id

    return encode_id("Record", record_id)


async def test_a_young_accounts_heart_counts_from_the_refresh_after_it_ages(api: Api) -> None:
    june = await api.sign_up("june")
    hearted = await _published(api, june, "hearted by a newcomer")
    plain = await _published(api, june, "plain")
    for record in (hearted, plain):
        await _stats(api, record, viewers=10)
    (newcomer,) = await members_with_tokens(api, "newcomer", 1, age_days=0)
    await api.gql(HEART, {"id": hearted}, token=newcomer.token)
    assert await _titles(api, "FRESH") == ["plain", "hearted by a newcomer"]  # not counted

    # Four days pass: the account is old enough, but nothing has written the record since.
    await api.hub.db.execute("update members set created_at = created_at - interval '4 days' "
                             "where handle = 'newcomer0'")
    await api.hub.db.execute("update hearts set member_since = member_since - interval '4 days'")
    assert await _titles(api, "FRESH") == ["plain", "hearted by a newcomer"]  # the lag
    await api.hub.db.execute("update media_type_means set refreshed_at = now() - interval '2 h'")
    assert await refresh_means(api.hub.db, 3600)  # what each hub process does hourly
    assert await _titles(api, "FRESH") == ["hearted by a newcomer", "plain"]


async def test_the_stored_values_are_a_count_from_scratch(api: Api) -> None:
    june = await api.sign_up("june")
    records = [await _published(api, june, f"r{i}") for i in range(6)]
    fans = await members_with_tokens(api, "fan", 12)
    young = await members_with_tokens(api, "young", 3, age_days=0)
    rng = random.Random(7)

    async def act(member: Member) -> None:
        for _ in range(6):
            record = rng.choice(records)
            operation = rng.choice((HEART, HEART, UNHEART, VIEWED))
            await api.gql(operation, {"id": record}, token=member.token)

    await asyncio.gather(*(act(member) for member in fans + young))  # concurrently
    await api.hub.views.flush()
    await _stats(api, records[0], viewers=40)  # written behind the API's back (a script)
    await api.hub.db.execute("delete from hearts where record_id = $1",
                             decode_id(records[1], "Record"))

    assert await _stored(api) == await _recounted(api)
    assert sum(h for _, h in (await _stored(api)).values()) == await api.hub.db.fetchval(
        "select count(*) from hearts h join members m on m.id = h.member_id "
        "where m.handle like 'fan%'")
    await refresh_means(api.hub.db, 0)
    assert await _stored(api) == await _recounted(api)
    # FRESH's stored key orders as the formula does, computed per read (ties by id).
    score = discovery.FRESH_SCORE.format(t="r")
    by_formula = await api.hub.db.fetch(
        f"select r.title from records r order by ({score} * 1e12)::bigint desc, r.id desc")
    assert await _titles(api, "FRESH") == [row["title"] for row in by_formula]


async def test_two_hundred_concurrent_hearts_are_two_hundred_counted(api: Api) -> None:
    june = await api.sign_up("june")
    record = await _published(api, june, "Harbor Lights")
    fans = await members_with_tokens(api, "fan", 200)
    await asyncio.gather(*(api.gql(HEART, {"id": record}, token=fan.token) for fan in fans))
    stored = await api.hub.db.fetchval("select counted_hearts from record_discovery "
                                       "where record_id = $1", decode_id(record, "Record"))
    assert stored == 200


async def test_the_fresh_key_orders_without_a_daily_rewrite(api: Api) -> None:
    # A record published 14 days before another with twice its ratio ties with it: the keys
    # differ by ln 2 − (ln 2 / 14)·14 = 0, whatever today is.
    keys = await api.hub.db.fetch(
        "select hub_fresh_key(h, 100, 0, t) as k from (values "
        "(20::bigint, '2026-01-15 12:00+00'::timestamptz), (40, '2026-01-01 12:00+00')) v(h, t)")
    assert abs(keys[0]["k"] - keys[1]["k"]) < 1000  # a few 10^-12 apart (floating point)
    assert await api.hub.db.fetchval(
        "select hub_fresh_key(0, 10, 0, now())") == -(2**63)  # a ratio of 0: last


@pytest.mark.parametrize("order", ["FRESH", "UNDERSEEN"])
async def test_a_discovery_page_is_one_statement_however_deep(api: Api, order: str) -> None:
    june = await api.sign_up("june")
    for i in range(9):
        record = await _published(api, june, f"r{i}")
        await _stats(api, record, viewers=i, first_viewer=100 * i)
    after = None
    for _ in range(3):
        before = api.statements()
        data = (await api.gql(FEED, {"order": order, "first": 3, "after": after}))["records"]
        assert api.statements() - before == 1
        after = data["edges"][-1]["cursor"]
