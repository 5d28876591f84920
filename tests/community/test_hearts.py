"""Hearts, views and the discovery orderings (FRESH, UNDERSEEN), through the HTTP app.

Heart counts are counts of rows (no counter row): 200 concurrent hearts give exactly 200.
Views are buffered in the process and written in one statement per flush. The orderings are
checked on constructed data: members, hearts and views inserted in SQL where a thousand of
them are needed.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from typing import Any

import pytest

from hub.core.config import Settings
from hub.domain.records.store import refresh_means
from tests.api import Api, Member


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The view buffer is written when a test says (or at shutdown), not on its timer."""
    return replace(settings, view_flush_ms=3_600_000)

HEART = """
mutation Heart($id: ID!) {
  heartRecord(input: {recordId: $id}) {
    record { id heartCount viewerHearted }
    errors { field message code }
  }
}
"""

UNHEART = """
mutation Unheart($id: ID!) {
  unheartRecord(input: {recordId: $id}) {
    record { id heartCount viewerHearted }
    errors { field message code }
  }
}
"""

VIEWED = """
mutation Viewed($id: ID!) {
  recordViewed(input: {recordId: $id}) { record { id } errors { field code } }
}
"""

HEARTS_OF = """
query Hearts($id: ID!) { record(id: $id) { heartCount viewerHearted } }
"""

FEED = """
query Feed($order: RecordOrder!, $first: Int, $after: String, $last: Int, $before: String) {
  records(orderBy: $order, first: $first, after: $after, last: $last, before: $before,
          filter: {mediaType: "writing"}) {
    edges { cursor node { title heartCount } }
    pageInfo { hasNextPage hasPreviousPage }
  }
}
"""


async def _hearts_in_db(api: Api) -> int:
    count: int = await api.hub.db.fetchval("select count(*) from hearts")
    return count


async def _published(api: Api, author: Member, title: str) -> str:
    record = await api.create_record(author, title, publish=True)
    return str(record["id"])


async def members_with_tokens(api: Api, prefix: str, n: int, *, age_days: int = 30,
                              ) -> list[Member]:
    """``n`` members signed in, inserted in two statements (signing up 200 members through
    the API would hash 200 passwords); their accounts ``age_days`` old."""
    handles = [f"{prefix}{i}" for i in range(n)]
    ids = await api.hub.db.fetch(
        "insert into members (handle, display_name, password_hash, created_at) "
        "select h, h, 'no password', now() - make_interval(days => $2) "
        "from unnest($1::text[]) as h returning id, handle", handles, age_days)
    by_handle = {row["handle"]: row["id"] for row in ids}
    tokens = [f"rh_test_{handle}" for handle in handles]
    await api.hub.db.execute(
        "insert into sessions (token_hash, member_id, expires_at) "
        "select t, m, now() + interval '1 day' from unnest($1::bytea[], $2::bigint[]) as x(t, m)",
        [hashlib.sha256(token.encode()).digest() for token in tokens],
        [by_handle[handle] for handle in handles])
    from hub.core.relay import encode_id

    return [Member(encode_id("Member", by_handle[h]), h, t)
            for h, t in zip(handles, tokens, strict=True)]


# --- hearts -------------------------------------------------------------------------------------


async def test_a_heart_is_counted_once_and_can_be_taken_back(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    record = await _published(api, june, "Harbor Lights")

    first = (await api.gql(HEART, {"id": record}, token=ada.token))["heartRecord"]
    again = (await api.gql(HEART, {"id": record}, token=ada.token))["heartRecord"]

    assert first == {"record": {"id": record, "heartCount": 1, "viewerHearted": True},
                     "errors": []}
    assert again == first  # idempotent: one heart per member per record
    assert (await api.gql(HEARTS_OF, {"id": record}))["record"] == {
        "heartCount": 1, "viewerHearted": False}  # anonymous: not theirs
    assert (await api.gql(HEARTS_OF, {"id": record}, token=june.token))["record"] == {
        "heartCount": 1, "viewerHearted": False}

    taken = (await api.gql(UNHEART, {"id": record}, token=ada.token))["unheartRecord"]
    twice = (await api.gql(UNHEART, {"id": record}, token=ada.token))["unheartRecord"]
    assert taken == twice == {"record": {"id": record, "heartCount": 0, "viewerHearted": False},
                              "errors": []}
    assert await _hearts_in_db(api) == 0


async def test_a_heart_takes_eight_statements(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    record = await _published(api, june, "Harbor Lights")
    before = api.statements()
    await api.gql(HEART, {"id": record}, token=ada.token)
    # The viewer's session; the member's mutation count (the rate limit, shared by every
    # instance in PostgreSQL); the record locked FOR SHARE; the heart; the author's
    # notification (grouped per day, hub/domain/notifications) and its event in the outbox
    # (one insert: its id is given at commit, by PostgreSQL); the record read back in the
    # transaction; heartCount and viewerHearted in one statement after the commit.
    assert api.statements() - before == 8
    # A heart given again is no change: no notification, no event.
    before = api.statements()
    await api.gql(HEART, {"id": record}, token=ada.token)
    assert api.statements() - before == 6


async def test_hearts_that_are_refused_write_nothing(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    own = await _published(api, june, "Mine")
    draft = (await api.create_record(june, "Draft"))["id"]
    withdrawn = await _published(api, june, "Withdrawn")
    await api.gql("mutation($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }",
                  {"id": withdrawn}, token=june.token)
    deleted = await _published(api, june, "Deleted")
    await api.gql("mutation($id: ID!) { deleteRecord(input: {id: $id}) { errors { code } } }",
                  {"id": deleted}, token=june.token)
    unknown = "UmVjb3JkOjk5OTk5"  # Record:99999

    async def refused(token: str, record_id: str) -> Any:
        payload = (await api.gql(HEART, {"id": record_id}, token=token))["heartRecord"]
        assert payload["record"] is None
        return [(e["field"], e["code"]) for e in payload["errors"]]

    assert await refused(june.token, own) == [("recordId", "OWN_RECORD")]
    assert await refused(june.token, draft) == [("recordId", "OWN_RECORD")]
    for hidden in (draft, withdrawn, deleted, unknown):
        assert await refused(ada.token, hidden) == [("recordId", "NOT_FOUND")]
    assert await refused(ada.token, "not-an-id") == [("recordId", "INVALID_ID")]
    member_id = ada.id  # a global ID of another type
    assert await refused(ada.token, member_id) == [("recordId", "INVALID_ID")]
    errors = await api.errors(HEART, {"id": own})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _hearts_in_db(api) == 0


async def test_two_hundred_concurrent_hearts_count_two_hundred(api: Api) -> None:
    june = await api.sign_up("june")
    record = await _published(api, june, "Harbor Lights")
    fans = await members_with_tokens(api, "fan", 200)

    payloads = await asyncio.gather(*(api.gql(HEART, {"id": record}, token=fan.token)
                                      for fan in fans))

    assert all(p["heartRecord"]["errors"] == [] for p in payloads)
    assert (await api.gql(HEARTS_OF, {"id": record}))["record"]["heartCount"] == 200
    assert await _hearts_in_db(api) == 200


# --- views --------------------------------------------------------------------------------------


async def _views_in_db(api: Api) -> list[tuple[int, int]]:
    rows = await api.hub.db.fetch("select record_id, count(*) as n from record_views "
                                  "group by record_id order by record_id")
    return [(row["record_id"], row["n"]) for row in rows]


async def test_a_thousand_reads_by_one_viewer_count_once_and_write_nothing_per_read(
    api: Api,
) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    record = await _published(api, june, "Harbor Lights")
    await api.hub.views.flush()
    before = api.statements()

    for _ in range(1000):
        payload = (await api.gql(VIEWED, {"id": record}, token=ada.token))["recordViewed"]
        assert payload == {"record": {"id": record}, "errors": []}

    # Per read: the viewer's session and the record (its visibility); no write.
    assert api.statements() - before == 2000
    assert await _views_in_db(api) == []
    assert await api.hub.views.flush() == 1  # one entry, one statement
    assert [n for _, n in await _views_in_db(api)] == [1]
    # Another flush the same day adds nothing, even when the buffer saw the viewer again.
    await api.gql(VIEWED, {"id": record}, token=ada.token)
    await api.hub.views.flush()
    assert [n for _, n in await _views_in_db(api)] == [1]


async def test_anonymous_readers_are_told_apart_by_address_and_browser(api: Api) -> None:
    june = await api.sign_up("june")
    record = await _published(api, june, "Harbor Lights")
    for agent in ("Firefox", "Firefox", "Safari"):
        response = await api.client.post("/graphql", json={
            "query": VIEWED, "variables": {"id": record}}, headers={"User-Agent": agent})
        assert (await response.json())["data"]["recordViewed"]["errors"] == []
    await api.hub.views.stop()  # what the hub does at shutdown: the buffer is written
    assert [n for _, n in await _views_in_db(api)] == [2]


async def test_views_of_drafts_and_by_the_author_are_not_counted(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    record = await _published(api, june, "Harbor Lights")
    draft = (await api.create_record(june, "Draft"))["id"]

    own = (await api.gql(VIEWED, {"id": record}, token=june.token))["recordViewed"]
    own_draft = (await api.gql(VIEWED, {"id": draft}, token=june.token))["recordViewed"]
    hidden = (await api.gql(VIEWED, {"id": draft}, token=ada.token))["recordViewed"]
    malformed = (await api.gql(VIEWED, {"id": "nope"}, token=ada.token))["recordViewed"]

    assert own["errors"] == [] and own_draft["errors"] == []
    assert hidden == {"record": None, "errors": [{"field": "recordId", "code": "NOT_FOUND"}]}
    assert malformed == {"record": None, "errors": [{"field": "recordId", "code": "INVALID_ID"}]}
    assert await api.hub.views.flush() == 0


async def test_the_buffer_is_written_on_its_timer(api: Api) -> None:
    from hub.core.relay import decode_id
    from hub.domain.community.views import ViewBuffer, member_viewer

    june = await api.sign_up("june")
    record = decode_id(await _published(api, june, "Harbor Lights"), "Record")
    buffer = ViewBuffer(api.hub.db, flush_ms=20)
    await buffer.start()
    try:
        buffer.add(record, member_viewer(1))
        buffer.add(record, member_viewer(1))
        for _ in range(500):  # until the timer has written it (10 s at most)
            if buffer.flushes:
                break
            await asyncio.sleep(0.02)
    finally:
        await buffer.stop()
    assert buffer.flushes == 1
    assert [n for _, n in await _views_in_db(api)] == [1]


# --- FRESH and UNDERSEEN ------------------------------------------------------------------------


async def _stats(api: Api, record: str, *, viewers: int, old_hearts: int = 0,
                 young_hearts: int = 0, first_viewer: int = 0) -> None:
    """Constructed data: ``viewers`` distinct viewers of ``record`` and hearts from members
    whose accounts are old (30 days) or young (created now)."""
    from hub.core.relay import decode_id

    pk = decode_id(record, "Record")
    await api.hub.db.execute(
        "insert into record_views (record_id, viewer, day) select $1, "
        "decode(lpad(to_hex(g), 32, '0'), 'hex'), current_date "
        "from generate_series($2::int, $2::int + $3::int - 1) g", pk, first_viewer, viewers)
    for count, age in ((old_hearts, 30), (young_hearts, 0)):
        if count:
            await api.hub.db.execute(
                "with fans as (insert into members (handle, display_name, password_hash, "
                "created_at) select 'h' || $1::bigint || '_' || $3::int || '_' || g, 'Fan', 'x', "
                "now() - make_interval(days => $3::int) from generate_series(1, $2::int) g "
                "returning id) insert into hearts (record_id, member_id) select $1, id from fans",
                pk, count, age)


async def _titles(api: Api, order: str, **page: Any) -> list[str]:
    data = await api.gql(FEED, {"order": order, **page})
    return [edge["node"]["title"] for edge in data["records"]["edges"]]


async def test_fresh_weighs_hearts_per_viewer_against_the_media_type_mean(api: Api) -> None:
    june = await api.sign_up("june")
    steady = await _published(api, june, "90 of 1000")
    lucky = await _published(api, june, "2 of 3")
    swarmed = await _published(api, june, "5 young of 5")
    older = await _published(api, june, "2 of 3, two weeks old")
    quiet = [await _published(api, june, f"quiet {i}") for i in range(3)]
    await _stats(api, steady, viewers=1000, old_hearts=90)
    await _stats(api, lucky, viewers=3, old_hearts=2)
    await _stats(api, swarmed, viewers=5, young_hearts=5)
    await _stats(api, older, viewers=3, old_hearts=2)
    await api.hub.db.execute("update records set published_at = now() - interval '14 days' "
                             "where title = '2 of 3, two weeks old'")
    for record in quiet:
        await _stats(api, record, viewers=700)
    await refresh_means(api.hub.db, 0)  # what each hub process does hourly
    # The mean of writing: 94 counted hearts over 3,106 viewers (about 0.03). With 50 viewers'
    # worth of it, "2 of 3" scores (2 + 1.5) / 53 = 0.066 and "90 of 1000" 91.5 / 1050 = 0.087;
    # two weeks halve "2 of 3" to 0.033; the 5 young hearts do not count: 1.5 / 55 = 0.028;
    # the quiet ones 1.5 / 750 = 0.002, tied, by id (newest first).
    expected = ["90 of 1000", "2 of 3", "2 of 3, two weeks old", "5 young of 5",
                "quiet 2", "quiet 1", "quiet 0"]

    assert await _titles(api, "FRESH", first=20) == expected
    with api.executor_only():
        assert await _titles(api, "FRESH", first=20) == expected


async def test_fresh_pages_by_keyset_both_ways(api: Api) -> None:
    june = await api.sign_up("june")
    for i in range(7):
        record = await _published(api, june, f"r{i}")
        await _stats(api, record, viewers=10 + i, old_hearts=i)
    whole = await _titles(api, "FRESH", first=20)
    assert len(whole) == 7

    seen: list[str] = []
    after = None
    while True:
        data = (await api.gql(FEED, {"order": "FRESH", "first": 3, "after": after}))["records"]
        seen += [edge["node"]["title"] for edge in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["edges"][-1]["cursor"]
    assert seen == whole

    last = (await api.gql(FEED, {"order": "FRESH", "last": 3, "before": None}))["records"]
    assert [edge["node"]["title"] for edge in last["edges"]] == whole[-3:]
    back = (await api.gql(FEED, {"order": "FRESH", "last": 2,
                                 "before": last["edges"][0]["cursor"]}))["records"]
    assert [edge["node"]["title"] for edge in back["edges"]] == whole[-5:-3]
    with api.executor_only():
        again = (await api.gql(FEED, {"order": "FRESH", "last": 2,
                                      "before": last["edges"][0]["cursor"]}))["records"]
    assert again == back


async def test_underseen_puts_the_least_seen_first_and_rotates_within_a_bucket(
    api: Api,
) -> None:
    june = await api.sign_up("june")
    viewers = {"unseen a": 0, "unseen b": 0, "unseen c": 0, "seen once": 1, "seen twice": 2,
               "seen by 3": 3, "seen by 100": 100}
    ids = {}
    for title, n in viewers.items():
        ids[title] = await _published(api, june, title)
        await _stats(api, ids[title], viewers=n)

    titles = await _titles(api, "UNDERSEEN", first=20)

    # Buckets by the binary digits of the viewers: 0 | 1 | 2, 3 | 100.
    assert set(titles[:3]) == {"unseen a", "unseen b", "unseen c"}
    assert titles[3] == "seen once"
    assert set(titles[4:6]) == {"seen twice", "seen by 3"}
    assert titles[6] == "seen by 100"
    # Inside a bucket, today's turn: the hash of the id seeded with the day.
    rows = await api.hub.db.fetch(
        "select title from records where title like 'unseen %' order by "
        "hashint8extended(id, (current_date - date '2000-01-01')::bigint), id")
    assert titles[:3] == [row["title"] for row in rows]
    with api.executor_only():
        assert await _titles(api, "UNDERSEEN", first=20) == titles


async def test_a_days_turn_differs_from_the_next_days(api: Api) -> None:
    # The rotation's formula, over ids 1..50 on two consecutive days: the order changes.
    orders = [
        [row["id"] for row in await api.hub.db.fetch(
            "select id from generate_series(1, 50) id order by hashint8extended(id::bigint, $1)",
            day)]
        for day in (9000, 9001)
    ]
    assert orders[0] != orders[1]
    assert sorted(orders[0]) == sorted(orders[1])


async def test_a_fresh_page_is_one_statement(api: Api) -> None:
    june = await api.sign_up("june")
    for i in range(3):
        await _published(api, june, f"r{i}")
    before = api.statements()
    await api.gql(FEED, {"order": "FRESH", "first": 20})
    assert api.statements() - before == 1


async def test_the_means_are_refreshed_when_an_hour_old(api: Api) -> None:
    from hub.domain.community.views import ViewBuffer

    june = await api.sign_up("june")
    record = await _published(api, june, "Harbor Lights")
    await _stats(api, record, viewers=10, old_hearts=2)
    means = "select media_type, hearts, viewers from media_type_means"

    await refresh_means(api.hub.db, 3600)  # refreshed at the hub's start (nothing then)
    assert [tuple(row) for row in await api.hub.db.fetch(means)] == [("writing", 2, 10)]
    await _stats(api, record, viewers=10, first_viewer=10)
    await refresh_means(api.hub.db, 3600)  # not an hour old: kept
    assert [tuple(row) for row in await api.hub.db.fetch(means)] == [("writing", 2, 10)]

    await api.hub.db.execute("update media_type_means set refreshed_at = now() - interval '2 hours'")
    buffer = ViewBuffer(api.hub.db, flush_ms=3_600_000)
    await buffer.start()  # what a hub process does when it starts
    await buffer.stop()
    assert [tuple(row) for row in await api.hub.db.fetch(means)] == [("writing", 2, 20)]


async def test_the_minimum_account_age_is_the_hubs_setting(
    api: Api, settings: Settings, database_url: str,
) -> None:
    from hub.domain.records.discovery import COUNTED_HEARTS
    from hub.http.app import create_hub

    june = await api.sign_up("june")
    record = await _published(api, june, "Harbor Lights")
    await _stats(api, record, viewers=5, young_hearts=2)
    await _stats(api, record, viewers=0, old_hearts=1)
    counted = f"select {COUNTED_HEARTS.format(t='r')} from records r where r.title = $1"

    assert await api.hub.db.fetchval(counted, "Harbor Lights") == 1  # 72 hours: the old one
    trusting = await create_hub(replace(settings, heart_min_account_age_hours=0),
                                database_url=database_url, plugins=api.hub.plugins,
                                run_migrations=False)
    try:
        assert await trusting.db.fetchval(counted, "Harbor Lights") == 3  # every heart
    finally:
        await trusting.db.close()
