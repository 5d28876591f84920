"""``records(filter: {collaboration:})``: the records accepted into a collaboration (the
studio's finder narrows by it), over the demo data; one compiled statement, exactly as the
executor answers it."""

from __future__ import annotations

from hub.core.relay import encode_id
from hub.seed.demo import seed_demo
from tests.api import Api
from tests.graphql_api.test_compiled import both_ways

RECORDS = """
query ($collaboration: ID, $first: Int, $after: String) {
  records(filter: {collaboration: $collaboration}, first: $first, after: $after, orderBy: OLDEST) {
    nodes { id title }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def accepted(api: Api, collaboration: int) -> list[str]:
    """The published records with an ACCEPTED contribution to ``collaboration``, oldest first."""
    rows = await api.hub.db.fetch(
        "select distinct r.id, r.created_at from contributions c join records r "
        "on r.id = c.record_id where c.collaboration_id = $1 and c.status = 'ACCEPTED' "
        "and r.status = 'PUBLISHED' and r.deleted_at is null order by r.created_at, r.id",
        collaboration)
    return [encode_id("Record", row["id"]) for row in rows]


async def test_records_accepted_into_a_collaboration(api: Api) -> None:
    await seed_demo(api.hub.db, api.hub.plugins)
    db = api.hub.db
    api.allow_cost(100_000)
    listed_any = False
    for collaboration in await db.fetch("select id, status from collaborations order by id"):
        body, statements = await both_ways(api, RECORDS, {
            "collaboration": encode_id("Collaboration", collaboration["id"])})
        assert statements == 1
        ids = [node["id"] for node in body["data"]["records"]["nodes"]]
        if collaboration["status"] == "DRAFT":
            assert ids == []  # its owners' only: nothing listed through it
            continue
        assert ids == await accepted(api, collaboration["id"])
        listed_any = listed_any or bool(ids)
    assert listed_any

    # Offered, shortlisted, declined and withdrawn contributions are not listed.
    others = await db.fetch(
        "select c.collaboration_id, c.record_id from contributions c where c.status <> "
        "'ACCEPTED' and not exists (select 1 from contributions a where a.status = 'ACCEPTED' "
        "and a.record_id = c.record_id and a.collaboration_id = c.collaboration_id)")
    assert others
    for row in others:
        body, _ = await both_ways(api, RECORDS, {
            "collaboration": encode_id("Collaboration", row["collaboration_id"])})
        assert encode_id("Record", row["record_id"]) not in [
            node["id"] for node in body["data"]["records"]["nodes"]]


async def test_paging_visibility_and_unknown_ids(api: Api) -> None:
    await seed_demo(api.hub.db, api.hub.plugins)
    db = api.hub.db
    api.allow_cost(100_000)
    busiest = await db.fetchval(
        "select c.collaboration_id from contributions c join records r on r.id = c.record_id "
        "where c.status = 'ACCEPTED' and r.status = 'PUBLISHED' group by 1 "
        "order by count(distinct c.record_id) desc, 1 limit 1")
    collaboration = encode_id("Collaboration", busiest)
    expected = await accepted(api, busiest)

    # Page by page, one record at a time: the same records, in the same order.
    paged: list[str] = []
    after = None
    while True:
        body, statements = await both_ways(api, RECORDS, {
            "collaboration": collaboration, "first": 1, "after": after})
        assert statements == 1
        page = body["data"]["records"]
        paged += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paged == expected

    # A record unpublished later leaves the list (the feed's rule: published records only).
    first_record = int(await db.fetchval(
        "select c.record_id from contributions c join records r on r.id = c.record_id "
        "where c.collaboration_id = $1 and c.status = 'ACCEPTED' and r.status = 'PUBLISHED' "
        "order by r.created_at, r.id limit 1", busiest))
    await db.execute("update records set status = 'UNPUBLISHED' where id = $1", first_record)
    body, _ = await both_ways(api, RECORDS, {"collaboration": collaboration})
    assert [node["id"] for node in body["data"]["records"]["nodes"]] == expected[1:]

    # Unknown: an empty list; malformed or another type's ID: INVALID_ID, as `author` is.
    body, _ = await both_ways(api, RECORDS, {
        "collaboration": encode_id("Collaboration", 999_999)})
    assert body["data"]["records"]["nodes"] == []
    for bad in ("nonsense", encode_id("Member", busiest)):
        body, _ = await both_ways(api, RECORDS, {"collaboration": bad})
        assert body["errors"][0]["extensions"]["code"] == "INVALID_ID", body
