"""``PayoutProposal.csv``: a payout proposal's lines as a CSV file — contributor, share, exact
amount, currency and the lineage path that earned it — read under the proposal's own
visibility (a GraphQL field: the token never rides in a URL or a cookie)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from tests.api import Api
from tests.compilations_api import PUBLISH, add, approved, create, editors, step, story
from tests.test_compilations import PROPOSE

CSV = """query ($id: ID!) { node(id: $id) { ... on PayoutProposal { csv
  pool { amount currency } linesConnection(first: 50) { nodes { amount { amount } share
  member { handle } } } } } }"""
UNPUBLISH = """mutation($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }"""


async def proposed(api: Api, amount: str = "1000.00") -> tuple[str, dict]:
    """A published book of a remix and its source, with a proposal of ``amount`` USD."""
    eddie, erin = await editors(api)
    dana, sol = await api.sign_up("dana"), await api.sign_up("sol")
    await api.hub.db.execute("update members set display_name = '=HYPERLINK(1)' "
                             "where handle = 'sol'")
    tides = await story(api, sol, "Tides")
    retold = await story(api, dana, "Tides, retold", sources=[tides["id"]])
    other = await story(api, dana, "Salt")
    book = await create(api, eddie, title="Harbor")
    for record in (retold, other):
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
