"""``GET /records/{id}/lineage.svg``: a picture of the lineage, with the API's visibility."""

from __future__ import annotations

from xml.etree import ElementTree

from hub.core.relay import encode_id
from hub.seed.demo import seed_demo
from tests.api import Api

SVG_NS = "{http://www.w3.org/2000/svg}"
DELETE = "mutation D($id: ID!) { deleteRecord(input: {id: $id}) { errors { code } } }"


async def get_svg(api: Api, record_id: str, token: str | None = None,
                  query: str = "") -> tuple[int, str, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await api.client.get(f"/records/{record_id}/lineage.svg{query}", headers=headers)
    return response.status, response.content_type, await response.text()


def texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)  # also proves the document is well-formed XML
    assert root.tag == f"{SVG_NS}svg"
    return [t.text or "" for t in root.iter(f"{SVG_NS}text")]


async def test_a_demo_record_has_a_picture(api: Api) -> None:
    counts = await seed_demo(api.hub.db, api.hub.plugins)
    assert counts["remix_links"] > 50
    row = await api.hub.db.fetchrow(
        """select r.id, r.title, count(*) as n from records r
           join record_sources s on s.remix_id = r.id or s.source_id = r.id
           where r.status = 'PUBLISHED' and r.deleted_at is null
           group by r.id order by n desc, r.id limit 1""")
    status, content_type, svg = await get_svg(api, encode_id("Record", row["id"]))
    assert (status, content_type) == (200, "image/svg+xml")
    labels = texts(svg)
    assert f"Remix lineage of “{row['title']}”" in labels
    assert sum(1 for label in labels if label.startswith("@")) >= row["n"] + 1


async def test_demo_lineage_has_chains_branches_diamonds_and_a_tombstone(api: Api) -> None:
    await seed_demo(api.hub.db, api.hub.plugins)
    db = api.hub.db
    diamonds = await db.fetchval(
        """select count(distinct a.remix_id) from record_sources a
           join record_sources b on b.remix_id = a.remix_id and b.source_id > a.source_id
           join record_sources a2 on a2.remix_id = a.source_id
           join record_sources b2 on b2.remix_id = b.source_id and b2.source_id = a2.source_id""")
    branches = await db.fetchval(
        "select count(*) from (select source_id from record_sources group by source_id "
        "having count(*) >= 3) t")
    longest = await db.fetchval(
        """with recursive chain(id, length) as (
               select remix_id, 1 from record_sources
             union
               select s.remix_id, c.length + 1 from chain c
               join record_sources s on s.source_id = c.id)
           select max(length) from chain""")
    tombstones = await db.fetchval(
        "select count(*) from records r where r.deleted_at is not null "
        "and exists (select 1 from record_sources s where s.source_id = r.id)")
    assert diamonds >= 3 and branches >= 3 and longest >= 5 and tombstones == 1


async def test_titles_are_escaped_and_tombstones_hide_their_title(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    source = await api.create_record(ada, 'Secret <b>"Tom" & Jerry</b>', publish=True)
    remix = await api.create_record(bob, "<script>alert(1)</script>", sources=[source["id"]],
                                    publish=True)
    status, _, svg = await get_svg(api, remix["id"])
    assert status == 200 and "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    # The full title is in the tooltip; the box shows it shortened with an ellipsis.
    assert '<title>Secret &lt;b&gt;"Tom" &amp; Jerry&lt;/b&gt; by @ada</title>' in svg
    assert any(label.startswith('Secret <b>"Tom" & Jerry') and label.endswith("…")
               for label in texts(svg))
    await api.gql(DELETE, {"id": source["id"]}, token=ada.token)
    _, _, svg = await get_svg(api, remix["id"])
    labels = texts(svg)
    assert "[removed]" in labels and "@ada · writing" in labels
    assert not any("Secret" in label for label in labels)


async def test_unknown_and_hidden_records_are_404_and_drafts_are_for_their_author(
    api: Api,
) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    draft = await api.create_record(ada, "Draft")
    assert (await get_svg(api, encode_id("Record", 99999)))[0] == 404
    assert (await get_svg(api, "not-an-id"))[0] == 404
    assert (await get_svg(api, encode_id("Member", 1)))[0] == 404
    assert (await get_svg(api, draft["id"]))[0] == 404
    assert (await get_svg(api, draft["id"], bob.token))[0] == 404
    assert (await get_svg(api, draft["id"], ada.token))[:2] == (200, "image/svg+xml")
    assert (await get_svg(api, draft["id"], "rh_wrong"))[0] == 401


async def test_bad_arguments_are_400(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await api.create_record(ada, "Song", publish=True)
    for query in ("?maxDepth=51", "?maxDepth=-1", "?maxDepth=x", "?direction=SIDEWAYS"):
        assert (await get_svg(api, song["id"], query=query))[0] == 400, query
    status, _, svg = await get_svg(api, song["id"], query="?direction=ancestors&maxDepth=3")
    assert status == 200 and "1 record, " in svg


async def test_a_record_with_hundreds_of_remixes_wraps_into_rows(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await api.create_record(ada, "Song", publish=True)
    author_id = await api.hub.db.fetchval("select id from members")
    rows = await api.hub.db.fetch(
        "insert into records (author_id, media_type, title, license, status) "
        "select $1, 'writing', 'Remix ' || i, 'CC_BY_4_0', 'PUBLISHED' "
        "from generate_series(1, 600) i returning id", author_id)
    song_id = await api.hub.db.fetchval("select min(id) from records")
    await api.hub.db.executemany(
        "insert into record_sources (remix_id, source_id, position) values ($1, $2, 1)",
        [(row["id"], song_id) for row in rows])
    status, _, svg = await get_svg(api, song["id"])
    assert status == 200
    root = ElementTree.fromstring(svg)
    assert int(root.get("width") or 0) < 3500
    assert "500 records" in svg and "truncated" in svg
