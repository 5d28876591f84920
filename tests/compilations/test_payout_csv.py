"""``PayoutProposal.csv``: a payout proposal's lines as a CSV file — contributor, share, exact
amount, currency and the lineage path that earned it — read under the proposal's own
visibility (a GraphQL field: the token never rides in a URL or a cookie)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hub.core.relay import encode_id
from tests.api import Api, Member
from tests.compilations.test_compilations import PROPOSE
from tests.compilations_api import PUBLISH, add, approved, create, editors, step, story

CSV = """query ($id: ID!) { node(id: $id) { ... on PayoutProposal { csv
  pool { amount currency } linesConnection(first: 50) { nodes { amount { amount } share
  member { handle } } } } } }"""
LOGIN = """mutation ($h: String!) { logIn(input: {handle: $h, password: "correct horse battery"})
  { token } }"""
UNPUBLISH = """mutation($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }"""


async def signed_in(api: Api, handle: str) -> Member:
    pk = await api.hub.db.fetchval("select id from members where handle = $1", handle)
    token = (await api.gql(LOGIN, {"h": handle}))["logIn"]["token"]
    return Member(encode_id("Member", pk), handle, token)


async def proposed(api: Api, amount: str = "1000.00", more: int = 0) -> tuple[str, dict]:
    """A published book of a remix and its source, with a proposal of ``amount`` USD; with
    ``more``, that many more pieces by as many more authors (a proposal's worth each time:
    the editors and authors are signed up once)."""
    if await api.hub.db.fetchval("select count(*) from members where handle = 'eddie'"):
        eddie, erin, dana = [await signed_in(api, h) for h in ("eddie", "erin", "dana")]
        tides = {"id": encode_id("Record", await api.hub.db.fetchval(
            "select id from records where title = 'Tides'"))}
    else:
        eddie, erin = await editors(api)
        dana, sol = await api.sign_up("dana"), await api.sign_up("sol")
        await api.hub.db.execute("update members set display_name = '=HYPERLINK(1)' "
                                 "where handle = 'sol'")
        tides = await story(api, sol, "Tides")
    retold = await story(api, dana, "Tides, retold", sources=[tides["id"]])
    other = await story(api, dana, "Salt")
    pieces = [retold, other]
    for n in range(more):
        pieces.append(await story(api, await api.sign_up(f"poet{n}"), f"Verse {n}"))
    book = await create(api, eddie, title="Harbor")
    for record in pieces:
        await add(api, eddie, book, record)
    await approved(api, book, eddie, erin)
    assert (await step(api, PUBLISH, eddie, book["id"]))["errors"] == []
    data = await api.gql(PROPOSE, {"input": {"compilationId": book["id"], "pool": {
        "amount": amount, "currency": "USD"}}}, token=eddie.token)
    assert data["proposePayout"]["errors"] == []
    return data["proposePayout"]["proposal"]["id"], {"tides": tides, "dana": dana}


async def test_the_csv_has_a_row_per_contributor_with_exact_amounts_and_lineage(api: Api) -> None:
    proposal_id, _ = await proposed(api, "1000.01")
    found = (await api.gql(CSV, {"id": proposal_id}))["node"]  # transparent: anyone may read
    rows = list(csv.DictReader(io.StringIO(found["csv"])))
    assert list(rows[0]) == ["contributor", "display_name", "share", "amount", "currency",
                             "lineage_path"]
    lines = found["linesConnection"]["nodes"]
    # Same lines, same order, same exact amounts as the API's.
    assert [(r["contributor"], r["amount"], r["share"]) for r in rows] == [
        (n["member"]["handle"], n["amount"]["amount"], n["share"]) for n in lines]
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("1000.01")
    assert sum(Decimal(r["share"]) for r in rows) == Decimal(1)
    assert {r["currency"] for r in rows} == {"USD"}
    by_handle = {r["contributor"]: r for r in rows}
    dana = by_handle["dana"]["lineage_path"].split(" | ")
    assert dana[0].startswith("item 1 “Tides, retold”: author ")
    assert dana[1].startswith("item 2 “Salt”: author ")
    assert by_handle["sol"]["lineage_path"].startswith(
        "item 1 “Tides, retold” ← 1 step ← “Tides”: source ")
    # Each path's parts add up to the row's amount.
    for row in rows:
        parts = [Decimal(p.rsplit(" ", 1)[1]) for p in row["lineage_path"].split(" | ")]
        assert sum(parts) == Decimal(row["amount"]), row
    # A display name a spreadsheet would run as a formula stays text.
    assert by_handle["sol"]["display_name"] == "'=HYPERLINK(1)"
    assert found["csv"].endswith("\r\n")


async def test_the_csv_hides_what_the_reader_may_not_see(api: Api) -> None:
    proposal_id, _ = await proposed(api)
    # The source is unpublished after the proposal: its author keeps the line, its title goes.
    await api.hub.db.execute("update records set status = 'DRAFT' where title = 'Tides'")
    rows = list(csv.DictReader(io.StringIO((await api.gql(CSV, {"id": proposal_id}))[
        "node"]["csv"])))
    path = next(r for r in rows if r["contributor"] == "sol")["lineage_path"]
    assert "← 1 step ← [hidden]: source" in path and "“Tides”" not in path


async def test_whoever_cannot_reach_the_proposal_gets_no_csv(api: Api) -> None:
    proposal_id, _ = await proposed(api)
    # Archived and published compilations are public; a proposal of a compilation sent back
    # out of sight is not: here, its compilation made a draft again behind the API's back.
    await api.hub.db.execute("update compilations set status = 'DRAFT'")
    assert (await api.gql(CSV, {"id": proposal_id}))["node"] is None
    reader = await api.sign_up("rita")
    assert (await api.gql(CSV, {"id": proposal_id}, token=reader.token))["node"] is None



CSV_ONLY = """query ($id: ID!) { node(id: $id) { ... on PayoutProposal { csv } } }"""


async def test_the_csv_costs_the_same_statements_however_many_lines(api: Api) -> None:
    async def statements(proposal_id: str) -> tuple[int, int]:
        before = api.statements()
        found = (await api.gql(CSV_ONLY, {"id": proposal_id}))["node"]["csv"]
        return api.statements() - before, len(found.splitlines()) - 1

    few = await statements((await proposed(api))[0])
    many = await statements((await proposed(api, more=6))[0])
    assert many[1] == few[1] + 6
    # The proposal, its compilation, then its lines, items, members and records: a batch each.
    assert many[0] == few[0] == 6
