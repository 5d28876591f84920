"""The collaboration pages (schema/operations/collaborations) over the demo data: each is
answered by one compiled statement, exactly as the executor answers it, and shows the demo's
collaborations in every state with contributions in every state."""

from __future__ import annotations

from hub.core.relay import encode_id
from hub.seed.demo import seed_demo
from tests.api import Api
from tests.graphql_api.test_compiled import both_ways
from tests.paths import ROOT

PAGES = ROOT / "schema" / "operations" / "collaborations"


def page(name: str) -> str:
    return (PAGES / f"{name}.graphql").read_text()


async def test_the_collaboration_pages_over_the_demo_data(api: Api) -> None:
    await seed_demo(api.hub.db, api.hub.plugins)
    db = api.hub.db
    assert sorted(row["status"] for row in await db.fetch(
        "select status from collaborations")) == ["CLOSED", "COMPLETED", "DRAFT", "OPEN"]
    assert {row["status"] for row in await db.fetch("select status from contributions")} == {
        "OFFERED", "SHORTLISTED", "ACCEPTED", "DECLINED", "WITHDRAWN"}
    api.allow_cost(100_000)

    calls, statements = await both_ways(api, page("open_calls"), {})
    assert statements == 1
    listed = calls["data"]["collaborations"]["nodes"]
    assert [call["title"] for call in listed] == ["The lighthouse song"]
    assert listed[0]["openSlots"] == 2

    for collaboration in await db.fetch("select id, status from collaborations order by id"):
        body, statements = await both_ways(api, page("collaboration_page"), {
            "id": encode_id("Collaboration", collaboration["id"])})
        assert statements == 1
        shown = body["data"]["collaboration"]
        if collaboration["status"] == "DRAFT":
            assert shown is None  # its owners' only
            continue
        assert shown["status"] == collaboration["status"]
        assert shown["credits"] and shown["contributions"]["totalCount"] > 0
        if collaboration["status"] == "COMPLETED":
            assert len(shown["results"]) == 1

    body, statements = await both_ways(api, page("my_collaborations"), {"handle": "ada"})
    assert statements == 1
    assert len(body["data"]["member"]["owned"]["nodes"]) == 3  # not the draft (maya's)

    offered = await db.fetchval("select record_id from contributions where status = 'DECLINED' "
                                "order by id limit 1")
    body, statements = await both_ways(api, page("record_contributions"),
                                       {"id": encode_id("Record", offered)})
    assert statements == 1
    (node,) = body["data"]["record"]["contributions"]["nodes"]
    assert node["status"] == "DECLINED" and node["declineReason"] is None  # not yours to read
