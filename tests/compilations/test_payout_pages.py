"""Payouts page like every other list: ``Compilation.payoutProposalsConnection`` and a
proposal's ``linesConnection`` and ``commentsConnection``, with ``first/after/last/before``
and ``totalCount``; the same rows, to the same viewers, as the deprecated lists; compiled and
executor answers the same, in a number of statements that does not grow with the page."""

from __future__ import annotations

from typing import Any

from hub.core.relay import encode_id
from tests.api import Api, Member
from tests.compilations.test_compilations import COMMENT, PROPOSE, published_book
from tests.graphql_api.test_compiled import both_ways

PROPOSALS = """
query Proposals($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  compilation(id: $id) {
    payoutProposalsConnection(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id status pool { amount currency } createdAt finalizedAt } }
    }
  }
}"""
LINES = """
query Lines($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  compilation(id: $id) {
    payoutProposalsConnection(first: 1) {
      nodes {
        linesConnection(first: $first, after: $after, last: $last, before: $before) {
          totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          nodes { member { handle } amount { amount currency } share
                  breakdown { role depth amount } }
        }
      }
    }
  }
}"""
COMMENTS = """
query Comments($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  compilation(id: $id) {
    payoutProposalsConnection(first: 1) {
      nodes {
        commentsConnection(first: $first, after: $after, last: $last, before: $before) {
          totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { body author { handle } } }
        }
      }
    }
  }
}"""

DEPRECATED = """
query Deprecated($id: ID!) {
  compilation(id: $id) { payoutProposals { lines { member { handle } } comments { body } } }
}"""


async def propose(api: Api, compilation: dict[str, Any], editor: Member, amount: str,
                  currency: str) -> str:
    data = await api.gql(PROPOSE, {"input": {"compilationId": compilation["id"],
                                             "pool": {"amount": amount, "currency": currency}}},
                         token=editor.token)
    assert data["proposePayout"]["errors"] == []
    return str(data["proposePayout"]["proposal"]["id"])


def page(body: dict[str, Any], *path: str) -> Any:
    value: Any = body["data"]["compilation"]
    for key in path:
        value = value[key] if not isinstance(value, list) else value[0][key]
    return value


async def test_a_compilations_proposals_page_newest_first_both_ways(api: Api) -> None:
    compilation, eddie, _, ann, _ = await published_book(api)
    ids = [await propose(api, compilation, eddie, amount, currency)
           for amount, currency in (("10.00", "USD"), ("1000", "JPY"), ("1.5", "KWD"))]
    newest = ids[::-1]
    for token in (None, ann.token, eddie.token):  # transparent: every viewer, anonymous too
        body, statements = await both_ways(api, PROPOSALS, {"id": compilation["id"],
                                                            "first": 2}, token=token)
        assert statements == (1 if token is None else 2)  # one compiled statement
        first = page(body, "payoutProposalsConnection")
        assert first["totalCount"] == 3
        assert [e["node"]["id"] for e in first["edges"]] == newest[:2]
        assert [e["node"]["pool"] for e in first["edges"]] == [
            {"amount": "1.500", "currency": "KWD"}, {"amount": "1000", "currency": "JPY"}]
        assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    body, _ = await both_ways(api, PROPOSALS, {"id": compilation["id"], "first": 2,
                                               "after": first["pageInfo"]["endCursor"]})
    rest = page(body, "payoutProposalsConnection")
    assert [e["node"]["pool"] for e in rest["edges"]] == [{"amount": "10.00", "currency": "USD"}]
    assert rest["pageInfo"]["hasPreviousPage"] and not rest["pageInfo"]["hasNextPage"]
    body, _ = await both_ways(api, PROPOSALS, {"id": compilation["id"], "last": 1,
                                               "before": rest["pageInfo"]["startCursor"]})
    back = page(body, "payoutProposalsConnection")
    assert [e["node"]["id"] for e in back["edges"]] == newest[1:2]
    assert back["pageInfo"]["hasNextPage"] and back["pageInfo"]["hasPreviousPage"]
    body, _ = await both_ways(api, PROPOSALS, {"id": compilation["id"], "last": 2})
    assert [e["node"]["id"] for e in page(body, "payoutProposalsConnection", "edges")] \
        == newest[1:]
    # The deprecated list: the same proposals in the same order.
    data = await api.gql("query($id: ID!) { compilation(id: $id) { payoutProposals { id } } }",
                         {"id": compilation["id"]})
    assert [p["id"] for p in data["compilation"]["payoutProposals"]] == newest


async def test_a_proposals_lines_page_largest_first_ties_by_member(api: Api) -> None:
    compilation, eddie, _, _, _ = await published_book(api)
    await propose(api, compilation, eddie, "1000.00", "USD")
    everyone = ["ann", "bob", "xav", "yui", "eddie", "erin"]  # 300, 300, 150, 150, 50, 50
    body, statements = await both_ways(api, LINES, {"id": compilation["id"], "first": 3})
    assert statements == 1
    first = page(body, "payoutProposalsConnection", "nodes", "linesConnection")
    assert first["totalCount"] == 6
    assert [n["member"]["handle"] for n in first["nodes"]] == everyone[:3]
    assert first["nodes"][0] == {"member": {"handle": "ann"},
                                 "amount": {"amount": "300.00", "currency": "USD"},
                                 "share": "0.300000",
                                 "breakdown": [{"role": "author", "depth": 0, "amount": "300.00"}]}
    # The deprecated list: every line, in the same order.
    data = await api.gql(DEPRECATED, {"id": compilation["id"]})
    assert [line["member"]["handle"]
            for line in data["compilation"]["payoutProposals"][0]["lines"]] == everyone
    body, _ = await both_ways(api, LINES, {"id": compilation["id"], "first": 3,
                                           "after": first["pageInfo"]["endCursor"]})
    rest = page(body, "payoutProposalsConnection", "nodes", "linesConnection")
    assert [n["member"]["handle"] for n in rest["nodes"]] == everyone[3:]
    assert rest["pageInfo"]["hasPreviousPage"] and not rest["pageInfo"]["hasNextPage"]
    # Backward across the tie between ann and bob: the cursor names one place.
    body, _ = await both_ways(api, LINES, {"id": compilation["id"], "last": 2,
                                           "before": first["pageInfo"]["endCursor"]})
    back = page(body, "payoutProposalsConnection", "nodes", "linesConnection")
    assert [n["member"]["handle"] for n in back["nodes"]] == everyone[:2]
    assert back["pageInfo"]["hasNextPage"] and not back["pageInfo"]["hasPreviousPage"]


async def test_a_proposals_comments_page_oldest_first(api: Api) -> None:
    compilation, eddie, erin, ann, bob = await published_book(api)
    proposal = await propose(api, compilation, eddie, "99.99", "EUR")
    for member, body in ((ann, "Thanks!"), (bob, "Fair."), (erin, "Noted."), (ann, "Paid?")):
        data = await api.gql(COMMENT, {"id": proposal, "body": body}, token=member.token)
        assert data["commentOnPayout"]["errors"] == []
    body, statements = await both_ways(api, COMMENTS, {"id": compilation["id"], "first": 3})
    assert statements == 1
    first = page(body, "payoutProposalsConnection", "nodes", "commentsConnection")
    assert first["totalCount"] == 4
    assert [e["node"] for e in first["edges"]] == [
        {"body": "Thanks!", "author": {"handle": "ann"}},
        {"body": "Fair.", "author": {"handle": "bob"}},
        {"body": "Noted.", "author": {"handle": "erin"}}]
    data = await api.gql(DEPRECATED, {"id": compilation["id"]})
    assert [c["body"] for c in data["compilation"]["payoutProposals"][0]["comments"]] \
        == ["Thanks!", "Fair.", "Noted.", "Paid?"]
    body, _ = await both_ways(api, COMMENTS, {"id": compilation["id"], "first": 3,
                                              "after": first["pageInfo"]["endCursor"]})
    rest = page(body, "payoutProposalsConnection", "nodes", "commentsConnection")
    assert [e["node"]["body"] for e in rest["edges"]] == ["Paid?"]
    body, _ = await both_ways(api, COMMENTS, {"id": compilation["id"], "last": 2,
                                              "before": rest["edges"][0]["cursor"]})
    back = page(body, "payoutProposalsConnection", "nodes", "commentsConnection")
    assert [e["node"]["body"] for e in back["edges"]] == ["Fair.", "Noted."]
    assert back["pageInfo"]["hasPreviousPage"] and back["pageInfo"]["hasNextPage"]


PROPOSAL_BY_ID = """
query Proposal($id: ID!) {
  node(id: $id) {
    ... on PayoutProposal { linesConnection { totalCount } commentsConnection { totalCount } }
  }
}"""
MY_PAYOUT = """
query Mine($handle: String!) {
  member(handle: $handle) {
    payoutsConnection(first: 1) {
      nodes { proposal { compilation { title } linesConnection { totalCount }
                         commentsConnection { totalCount nodes { body } } } }
    }
  }
}"""


async def test_who_reaches_a_proposal_sees_its_lines_and_comments(api: Api) -> None:
    """Anyone, while the compilation is public; once it is editorial work again, its editors
    and ADMINs through the compilation, and a member credited through their own payouts."""
    compilation, eddie, _, ann, bob = await published_book(api)
    admin = await api.sign_up("ada", role="ADMIN")
    proposal = await propose(api, compilation, eddie, "10.00", "USD")
    await api.gql(COMMENT, {"id": proposal, "body": "Thanks!"}, token=ann.token)
    counts = {"linesConnection": {"totalCount": 6}, "commentsConnection": {"totalCount": 1}}
    for token in (None, bob.token, eddie.token, admin.token):
        body, _ = await both_ways(api, PROPOSAL_BY_ID, {"id": proposal}, token=token)
        assert body["data"]["node"] == counts

    # Back in review (data set up as an un-publishing would leave it): hidden from the public.
    await api.hub.db.execute("update compilations set status = 'IN_REVIEW'")
    for token in (None, bob.token, ann.token):
        body, _ = await both_ways(api, PROPOSAL_BY_ID, {"id": proposal}, token=token)
        assert body["data"]["node"] is None
        body, _ = await both_ways(api, PROPOSALS, {"id": compilation["id"]}, token=token)
        assert body["data"]["compilation"] is None
    for token in (eddie.token, admin.token):
        body, _ = await both_ways(api, PROPOSAL_BY_ID, {"id": proposal}, token=token)
        assert body["data"]["node"] == counts
        body, _ = await both_ways(api, PROPOSALS, {"id": compilation["id"]}, token=token)
        assert page(body, "payoutProposalsConnection", "totalCount") == 1
    # ann reaches the proposal through her own payouts: its lines and comments, not the
    # compilation.
    body, statements = await both_ways(api, MY_PAYOUT, {"handle": "ann"}, token=ann.token)
    assert statements == 2
    assert body["data"]["member"]["payoutsConnection"]["nodes"] == [{"proposal": {
        "compilation": None, "linesConnection": {"totalCount": 6},
        "commentsConnection": {"totalCount": 1, "nodes": [{"body": "Thanks!"}]}}}]


EVERYTHING = """
query Everything($id: ID!, $first: Int!) {
  compilation(id: $id) {
    payoutProposalsConnection(first: $first) {
      totalCount
      nodes {
        pool { amount currency }
        linesConnection(first: $first) {
          totalCount nodes { member { handle } amount { amount } breakdown { recordTitle } }
        }
        commentsConnection(first: $first) { totalCount nodes { body createdAt } }
      }
    }
  }
}"""


async def test_statements_do_not_grow_with_the_page(api: Api) -> None:
    """Compiled: one statement, whatever the page size; the executor: one per list, count and
    kind of row, batched across the page. (Comment authors are left out: the executor batches
    them apart from the lines' members or finds them cached, depending on who commented.)"""
    compilation, eddie, _, ann, bob = await published_book(api)
    for amount in ("10.00", "20.00", "30.00"):
        proposal = await propose(api, compilation, eddie, amount, "USD")
        for member in (ann, bob):
            await api.gql(COMMENT, {"id": proposal, "body": "Thanks!"}, token=member.token)
    executed = {}
    for first in (1, 3):
        body, statements = await both_ways(api, EVERYTHING, {"id": compilation["id"],
                                                             "first": first})
        assert statements == 1
        proposals = page(body, "payoutProposalsConnection", "nodes")
        assert len(proposals) == first
        assert all(len(p["linesConnection"]["nodes"]) == first for p in proposals)
        assert all(len(p["commentsConnection"]["nodes"]) == min(first, 2) for p in proposals)
        with api.executor_only():
            before = api.statements()
            await api.gql(EVERYTHING, {"id": compilation["id"], "first": first})
            executed[first] = api.statements() - before
    assert executed[1] == executed[3], executed


TITLES = """
query Titles($id: ID!) {
  compilation(id: $id) {
    payoutProposalsConnection(first: 1) {
      nodes { linesConnection { nodes { member { handle } breakdown { recordTitle } } } }
    }
  }
}"""


async def test_a_breakdown_names_only_the_records_you_may_see(api: Api) -> None:
    """A part's record title is null once the record is deleted (its author keeps the
    credit), and for a record ID that names no record, both ways, without an error."""
    compilation, eddie, _, ann, _ = await published_book(api)
    await propose(api, compilation, eddie, "1000.00", "USD")
    record = await api.hub.db.fetchval("select id from records where title = 'Salt and Tides'")
    deleted = await api.gql("mutation D($id: ID!) { deleteRecord(input: {id: $id}) "
                            "{ errors { code } } }", {"id": encode_id("Record", record)},
                            token=ann.token)
    assert deleted["deleteRecord"]["errors"] == []
    # xav's part names a record ID that is no record's (as malformed data would).
    for odd in ("not an id!", "", "=", encode_id("Record", 10**19), encode_id("Member", 1)):
        await api.hub.db.execute(
            "update payout_lines set breakdown = jsonb_set(breakdown, '{0,recordId}', to_jsonb("
            "$1::text)) where member_id = (select id from members where handle = 'xav')", odd)
        for token in (None, ann.token):
            body, statements = await both_ways(api, TITLES, {"id": compilation["id"]},
                                               token=token)
            assert statements == (1 if token is None else 2)
            titles = {n["member"]["handle"]: [p["recordTitle"] for p in n["breakdown"]]
                      for n in page(body, "payoutProposalsConnection", "nodes",
                                    "linesConnection", "nodes")}
            assert titles["ann"] == [None]  # deleted: the credit stays, the title goes
            assert titles["yui"] == ["Tides"]
            assert titles["xav"] == [None], odd
    # Padded, as a client may write an ID: still the record's, both ways.
    salt = await api.hub.db.fetchval("select id from records where title = 'Salt'")
    await api.hub.db.execute(
        "update payout_lines set breakdown = jsonb_set(breakdown, '{0,recordId}', to_jsonb("
        "$1::text)) where member_id = (select id from members where handle = 'xav')",
        encode_id("Record", salt) + "=")
    body, _ = await both_ways(api, TITLES, {"id": compilation["id"]})
    xav = page(body, "payoutProposalsConnection", "nodes", "linesConnection", "nodes")[2]
    assert xav == {"member": {"handle": "xav"}, "breakdown": [{"recordTitle": "Salt"}]}
