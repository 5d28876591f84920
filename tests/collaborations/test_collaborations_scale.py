"""``recordhub seed --scale`` adds collaborations: one per COLLABORATION_EVERY records, with
contributions in every state, keeping the slice's invariants and readable through the API."""

from __future__ import annotations

from hub.core.relay import encode_id
from hub.plugins import HubPlugins
from hub.seed.scale import seed_scale
from hub.seed.scale.collaborations import COLLABORATION_EVERY, CONTRIBUTION_CYCLE, CYCLE
from tests.api import Api
from tests.graphql_api.test_compiled import both_ways
from tests.paths import ROOT

RECORDS = 1_000
PAGE = (ROOT
        / "schema/operations/collaborations/collaboration_page.graphql").read_text()


async def test_scale_collaborations_keep_the_rules_and_read_back(
    api: Api, database_url: str, plugins: HubPlugins,
) -> None:
    await seed_scale(database_url, plugins, RECORDS)
    db = api.hub.db
    assert await db.fetchval("select count(*) from collaborations") == RECORDS // COLLABORATION_EVERY
    assert {r["status"] for r in await db.fetch("select status from collaborations")} == set(CYCLE)
    assert {r["status"] for r in await db.fetch("select status from contributions")} == set(
        CONTRIBUTION_CYCLE)
    # The invariants the writes keep: slots as accepted, offers of own published records of
    # the need's media type, no offers to drafts, results only when completed.
    assert await db.fetchval("""
        select count(*) from collaboration_needs n where n.filled <> (select count(*)
            from contributions k where k.need_id = n.id and k.status = 'ACCEPTED')""") == 0
    assert await db.fetchval("""
        select count(*) from contributions k join records r on r.id = k.record_id
        join collaboration_needs n on n.id = k.need_id join collaborations c
          on c.id = k.collaboration_id
        where r.author_id <> k.contributor_id or r.status <> 'PUBLISHED'
           or r.media_type <> n.media_type or c.status = 'DRAFT'""") == 0
    assert await db.fetchval("""
        select count(*) from collaboration_results x join collaborations c
          on c.id = x.collaboration_id where c.status <> 'COMPLETED'""") == 0
    completed = await db.fetchval("select id from collaborations where status = 'COMPLETED' "
                                  "order by id limit 1")
    api.allow_cost(100_000)
    body, statements = await both_ways(api, PAGE, {"id": encode_id("Collaboration", completed)})
    assert statements == 1
    page = body["data"]["collaboration"]
    assert page["results"] and page["credits"]
    assert page["contributions"]["totalCount"] == 2 * 5
    assert [need["remaining"] for step in page["steps"] for need in step["needs"]] == [1, 2]
