"""Compilations: the editorial workflow, items, permissions, problems, credits and payouts,
through the real HTTP app."""

from __future__ import annotations

from tests.api import Api
from tests.compilations_api import (
    ADD_EDITOR,
    ADD_ITEM,
    APPROVE,
    ARCHIVE,
    COMPILATION,
    CREATE,
    MOVE_ITEM,
    PUBLISH,
    REMOVE_ITEM,
    RETURN,
    SUBMIT,
    add,
    approved,
    create,
    editors,
    music,
    step,
    story,
)
from tests.graphql_api.test_compiled import both_ways

SPLIT = """
query Split($id: ID!, $pool: MoneyInput!) {
  compilation(id: $id) {
    creditSplit(pool: $pool) {
      member { handle } amount { amount currency } share
      breakdown { role itemId recordId recordTitle depth amount }
    }
  }
}"""
PROPOSE = """
mutation Propose($input: ProposePayoutInput!) {
  proposePayout(input: $input) {
    proposal { id status pool { amount currency } windowClosesAt
               lines { member { handle } amount { amount } share } }
    errors { field message code }
  }
}"""
COMMENT = """
mutation Comment($id: ID!, $body: String!) {
  commentOnPayout(input: {proposalId: $id, body: $body}) {
    proposal { comments { body author { handle } } } errors { field message code }
  }
}"""
FINALIZE = """
mutation Finalize($id: ID!) {
  finalizePayout(input: {proposalId: $id}) {
    proposal { status finalizedAt } errors { field message code }
  }
}"""
PAYOUTS = """
query Payouts($handle: String!) {
  member(handle: $handle) {
    payouts { line { amount { amount currency } breakdown { role depth recordTitle } }
              proposal { status compilation { title } } }
  }
}"""
LIST = """
query List($filter: CompilationFilter) {
  compilations(first: 10, filter: $filter) { totalCount nodes { title status target } }
}"""


async def rows(api: Api, table: str) -> int:
    return await api.hub.db.fetchval(f"select count(*) from {table}")


async def test_the_whole_editorial_workflow_of_a_book(api: Api) -> None:
    eddie, erin = await editors(api)
    writer = await api.sign_up("wendy")
    first = await story(api, writer, "First Light")
    second = await story(api, writer, "Second Tide")
    third = await story(api, writer, "Third Harbor")
    compilation = await create(api, eddie, settings={"book": {"subtitle": "A harbor anthology",
                                                              "language": "en"}})
    assert compilation["status"] == "DRAFT"
    assert compilation["settings"] == {"__typename": "BookSettings", "subtitle": "A harbor "
                                       "anthology", "authorLine": None, "language": "en",
                                       "maxWords": None}
    assert compilation["editors"] == [{"handle": "eddie"}]
    cid = compilation["id"]
    for record in (first, second, third):
        await add(api, eddie, compilation, record, note="opens the book", weight="2.5")
    item = (await api.gql(COMPILATION, {"id": cid}, token=eddie.token))["compilation"]["items"]
    assert [i["record"]["title"] for i in item] == ["First Light", "Second Tide", "Third Harbor"]
    assert item[0]["weight"] == "2.5"

    moved = await api.gql(MOVE_ITEM, {"input": {"itemId": item[2]["id"], "position": 1}},
                          token=eddie.token)
    assert [i["record"]["title"] for i in moved["moveCompilationItem"]["compilation"]["items"]] == [
        "Third Harbor", "First Light", "Second Tide"]
    removed = await api.gql(REMOVE_ITEM, {"input": {"itemId": item[1]["id"]}}, token=eddie.token)
    assert [(i["position"], i["record"]["title"]) for i in
            removed["removeCompilationItem"]["compilation"]["items"]] == [
        (1, "Third Harbor"), (2, "First Light")]

    assert (await step(api, SUBMIT, eddie, cid))["compilation"]["status"] == "IN_REVIEW"
    own = await step(api, APPROVE, eddie, cid)
    assert own["compilation"] is None and own["errors"][0]["code"] == "OWN_SUBMISSION"
    # erin is an EDITOR but not on the team yet.
    errors = await api.errors(APPROVE, {"id": cid}, token=erin.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    await api.gql(ADD_EDITOR, {"input": {"compilationId": cid, "memberId": erin.id}},
                  token=eddie.token)
    assert (await step(api, APPROVE, erin, cid))["compilation"]["status"] == "APPROVED"

    published = await step(api, PUBLISH, eddie, cid)
    assert published["errors"] == []
    assert published["compilation"]["status"] == "PUBLISHED"
    assert published["publication"]["version"] == 1
    [book] = published["publication"]["files"]
    assert (book["name"], book["mimeType"]) == ("book.epub", "application/epub+zip")

    # Anyone sees a published compilation; its history tells who did what.
    public = (await api.gql(COMPILATION, {"id": cid}))["compilation"]
    assert [(h["action"], h["fromStatus"], h["toStatus"], h["actor"]["handle"])
            for h in public["history"] if h["toStatus"]] == [
        ("create", None, "DRAFT", "eddie"), ("submit", "DRAFT", "IN_REVIEW", "eddie"),
        ("approve", "IN_REVIEW", "APPROVED", "erin"), ("publish", "APPROVED", "PUBLISHED", "eddie")]
    assert public["problems"] == []

    # Republishing makes a new version; the old one stays.
    again = await step(api, PUBLISH, erin, cid)
    assert again["publication"]["version"] == 2
    versions = (await api.gql(COMPILATION, {"id": cid}))["compilation"]["publications"]
    assert [v["version"] for v in versions] == [2, 1]
    paged = (await api.gql(PUBLICATIONS, {"id": cid}))["compilation"]["publicationConnection"]
    assert paged["totalCount"] == 2 and paged["nodes"][0]["version"] == 2
    assert paged["nodes"][0]["files"] == [{"name": f["name"]} for f in versions[0]["files"]]
    assert (await step(api, ARCHIVE, eddie, cid))["compilation"]["status"] == "ARCHIVED"

    events = await api.hub.db.fetch("select kind, payload from events where subject = $1 "
                                    "order by id", cid)
    kinds = [e["kind"] for e in events]
    assert kinds.count("compilation.status_changed") == 5
    assert kinds.count("compilation.published") == 2


async def test_only_published_records_join_and_only_drafts_change(api: Api) -> None:
    eddie, _ = await editors(api)
    writer = await api.sign_up("wendy")
    draft = await api.create_record(writer, "Not yet")
    own_draft = await api.create_record(eddie, "My draft")
    gone = await story(api, writer, "Gone")
    await api.gql("mutation D($id: ID!) { deleteRecord(input: {id: $id}) { errors { code } } }",
                  {"id": gone["id"]}, token=writer.token)
    compilation = await create(api, eddie)
    cases = [(draft, "NOT_FOUND"), (own_draft, "RECORD_NOT_PUBLISHED"), (gone, "RECORD_NOT_PUBLISHED")]
    for record, code in cases:
        data = await api.gql(ADD_ITEM, {"input": {"compilationId": compilation["id"],
                                                  "recordId": record["id"]}}, token=eddie.token)
        assert data["addCompilationItem"]["errors"][0]["code"] == code
    fine = await story(api, writer, "Fine")
    for weight in ("0", "-1", "1.0000001", "1000000.5", 0, -2.5):
        data = await api.gql(ADD_ITEM, {"input": {"compilationId": compilation["id"],
                                                  "recordId": fine["id"], "weight": weight}},
                             token=eddie.token)
        assert data["addCompilationItem"]["errors"][0]["field"] == "weight", weight
    # Not decimals at all: the Decimal scalar refuses them, naming the field.
    for weight in ("abc", "1e9", "1E+1", "NaN", " 1", "", True, "9" * 41):
        errors = await api.errors(ADD_ITEM, {"input": {"compilationId": compilation["id"],
                                                       "recordId": fine["id"], "weight": weight}},
                                  token=eddie.token)
        assert ".weight" in errors[0]["message"] and "Decimal" in errors[0]["message"], weight
    assert await rows(api, "compilation_items") == 0
    await add(api, eddie, compilation, fine)
    duplicate = await api.gql(ADD_ITEM, {"input": {"compilationId": compilation["id"],
                                                   "recordId": fine["id"]}}, token=eddie.token)
    assert duplicate["addCompilationItem"]["errors"][0]["code"] == "CONFLICT"
    await step(api, SUBMIT, eddie, compilation["id"])
    late = await story(api, writer, "Late")
    data = await api.gql(ADD_ITEM, {"input": {"compilationId": compilation["id"],
                                              "recordId": late["id"]}}, token=eddie.token)
    assert data["addCompilationItem"]["errors"][0]["code"] == "INVALID_STATE"
    assert await rows(api, "compilation_items") == 1


async def test_non_editors_cannot_touch_or_see_work_in_progress(api: Api) -> None:
    eddie, _ = await editors(api)
    member = await api.sign_up("moe")
    errors = await api.errors(CREATE, {"input": {"title": "Mine", "target": "book"}},
                              token=member.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await api.errors(CREATE, {"input": {"title": "Mine", "target": "book"}})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    compilation = await create(api, eddie)
    for token in (member.token, None):
        assert (await api.gql(COMPILATION, {"id": compilation["id"]}, token=token))[
            "compilation"] is None
        listed = await api.gql(LIST, token=token)
        assert listed["compilations"]["totalCount"] == 0
    errors = await api.errors(SUBMIT, {"id": compilation["id"]}, token=member.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await api.errors(
        'query E($r: [_Any!]!) { _entities(representations: $r) { ... on Compilation { title } } }',
        {"r": [{"__typename": "Compilation", "id": compilation["id"]}]})
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    listed = await api.gql(LIST, {"filter": {"status": "DRAFT", "target": "book"}},
                           token=eddie.token)
    assert listed["compilations"]["nodes"] == [
        {"title": "Harbor Stories", "status": "DRAFT", "target": "book"}]
    assert await rows(api, "compilations") == 1


async def test_only_allowed_transitions_with_reasons_in_the_history(api: Api) -> None:
    eddie, erin = await editors(api)
    writer = await api.sign_up("wendy")
    compilation = await create(api, eddie)
    cid = compilation["id"]
    empty = await step(api, SUBMIT, eddie, cid)
    assert empty["errors"][0]["code"] == "INVALID_STATE"
    await add(api, eddie, compilation, await story(api, writer, "One"))
    for operation in (APPROVE, PUBLISH):
        result = await step(api, operation, eddie, cid)
        assert result["errors"][0]["code"] == "INVALID_STATE", operation
    await approved(api, compilation, eddie, erin)
    no_reason = await step(api, RETURN, erin, cid, reason="  ")
    assert no_reason["errors"][0]["field"] == "reason"
    back = await step(api, RETURN, erin, cid, reason="Add a closing piece.")
    assert back["compilation"]["status"] == "DRAFT"
    history = (await api.gql(COMPILATION, {"id": cid}, token=eddie.token))["compilation"]["history"]
    assert history[-1] == {"action": "return", "fromStatus": "APPROVED", "toStatus": "DRAFT",
                           "reason": "Add a closing piece.", "actor": {"handle": "erin"}}


async def test_problems_block_publishing_and_are_listed(api: Api) -> None:
    eddie, erin = await editors(api)
    writer = await api.sign_up("wendy")
    long_story = await story(api, writer, "Long", text="one two three four five six")
    song = await music(api, writer, "Song", 120)
    compilation = await create(api, eddie, settings={"book": {"maxWords": 3}})
    await add(api, eddie, compilation, long_story)
    await add(api, eddie, compilation, song)
    await approved(api, compilation, eddie, erin)
    await api.gql("mutation U($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }",
                  {"id": long_story["id"]}, token=writer.token)
    problems = (await api.gql(COMPILATION, {"id": compilation["id"]}, token=eddie.token))[
        "compilation"]["problems"]
    assert sorted(p["code"] for p in problems) == ["RECORD_UNAVAILABLE", "TOO_LONG",
                                                   "WRONG_MEDIA_TYPE"]
    assert all(p["itemId"] for p in problems if p["code"] != "TOO_LONG")
    result = await step(api, PUBLISH, eddie, compilation["id"])
    assert result["compilation"] is None
    assert {e["code"] for e in result["errors"]} == {"PUBLISHING_BLOCKED"}
    assert len(result["errors"]) == 3
    assert await rows(api, "publications") == 0 and await rows(api, "publication_files") == 0
    status = await api.hub.db.fetchval("select status from compilations")
    assert status == "APPROVED"


async def published_book(api: Api) -> tuple:
    """eddie and erin publish a book: ann's remix of xav's and yui's stories, and bob's story."""
    eddie, erin = await editors(api)
    ann, bob, xav, yui = [await api.sign_up(h) for h in ("ann", "bob", "xav", "yui")]
    x = await story(api, xav, "Salt")
    y = await story(api, yui, "Tides")
    a = await story(api, ann, "Salt and Tides", sources=[x["id"], y["id"]])
    b = await story(api, bob, "Alone")
    compilation = await create(api, eddie, editorsPercent="10")
    await add(api, eddie, compilation, a, weight="2")
    await add(api, eddie, compilation, b, weight="1")
    await approved(api, compilation, eddie, erin)
    assert (await step(api, PUBLISH, eddie, compilation["id"]))["errors"] == []
    return compilation, eddie, erin, ann, bob


async def test_credit_split_follows_the_documented_rules(api: Api) -> None:
    compilation, *_ = await published_book(api)
    data = await api.gql(SPLIT, {"id": compilation["id"], "pool": {"amount": "1000.00",
                                                                    "currency": "usd"}})
    lines = data["compilation"]["creditSplit"]
    assert [(line["member"]["handle"], line["amount"]["amount"], line["share"]) for line in lines] == [
        ("ann", "300.00", "0.300000"), ("bob", "300.00", "0.300000"),
        ("xav", "150.00", "0.150000"), ("yui", "150.00", "0.150000"),
        ("eddie", "50.00", "0.050000"), ("erin", "50.00", "0.050000")]
    xav = lines[2]["breakdown"]
    assert xav == [{"role": "source", "itemId": xav[0]["itemId"], "recordId": xav[0]["recordId"],
                    "recordTitle": "Salt", "depth": 1, "amount": "150.00"}]
    for pool in ({"amount": "-1", "currency": "USD"}, {"amount": "1" + "0" * 30, "currency": "USD"},
                 {"amount": "10", "currency": "XXX"}):
        errors = await api.errors(SPLIT, {"id": compilation["id"], "pool": pool})
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", pool


async def test_payouts_are_proposed_commented_and_finalized_after_the_window(api: Api) -> None:
    compilation, eddie, erin, ann, bob = await published_book(api)
    for pool, code in (({"amount": "-1", "currency": "USD"}, "INVALID_MONEY"),
                       ({"amount": "1" + "0" * 30, "currency": "USD"}, "INVALID_MONEY"),
                       ({"amount": "10", "currency": "ZZZ"}, "UNKNOWN_CURRENCY")):
        data = await api.gql(PROPOSE, {"input": {"compilationId": compilation["id"], "pool": pool}},
                             token=eddie.token)
        assert data["proposePayout"]["errors"][0]["code"] == code
    assert await rows(api, "payout_proposals") == 0
    data = await api.gql(PROPOSE, {"input": {"compilationId": compilation["id"],
                                             "pool": {"amount": "99.99", "currency": "EUR"}}},
                         token=eddie.token)
    proposal = data["proposePayout"]["proposal"]
    assert proposal["status"] == "PROPOSED" and proposal["pool"] == {"amount": "99.99",
                                                                     "currency": "EUR"}
    cents = [round(float(line["amount"]["amount"]) * 100) for line in proposal["lines"]]
    assert sum(cents) == 9999

    commented = await api.gql(COMMENT, {"id": proposal["id"], "body": "Thanks, all!"},
                              token=ann.token)
    assert commented["commentOnPayout"]["proposal"]["comments"] == [
        {"body": "Thanks, all!", "author": {"handle": "ann"}}]
    stranger = await api.sign_up("stranger")
    errors = await api.errors(COMMENT, {"id": proposal["id"], "body": "Me too?"},
                              token=stranger.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    early = await api.gql(FINALIZE, {"id": proposal["id"]}, token=eddie.token)
    assert early["finalizePayout"]["errors"][0]["code"] == "WINDOW_OPEN"
    assert await api.hub.db.fetchval("select status from payout_proposals") == "PROPOSED"
    errors = await api.errors(FINALIZE, {"id": proposal["id"]}, token=ann.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    await api.hub.db.execute("update payout_proposals set window_closes_at = now() - interval '1 s'")
    final = await api.gql(FINALIZE, {"id": proposal["id"]}, token=erin.token)
    assert final["finalizePayout"]["proposal"]["status"] == "FINALIZED"
    late = await api.gql(COMMENT, {"id": proposal["id"], "body": "Late"}, token=ann.token)
    assert late["commentOnPayout"]["errors"][0]["code"] == "WINDOW_CLOSED"
    again = await api.gql(FINALIZE, {"id": proposal["id"]}, token=erin.token)
    assert again["finalizePayout"]["errors"][0]["code"] == "INVALID_STATE"

    mine = (await api.gql(PAYOUTS, {"handle": "ann"}, token=ann.token))["member"]["payouts"]
    assert mine == [{"line": {"amount": {"amount": "30.00", "currency": "EUR"},
                              "breakdown": [{"role": "author", "depth": 0,
                                             "recordTitle": "Salt and Tides"}]},
                     "proposal": {"status": "FINALIZED", "compilation": {"title": "Harbor Stories"}}}]
    assert (await api.gql(PAYOUTS, {"handle": "ann"}, token=bob.token))["member"]["payouts"] is None
    kinds = [r["kind"] for r in await api.hub.db.fetch("select kind from events order by id")]
    assert "payout.proposed" in kinds and "payout.finalized" in kinds


PAYOUT_PAGE = """
query PayoutPage($handle: String!, $first: Int, $after: String, $last: Int, $before: String) {
  member(handle: $handle) {
    payoutsConnection(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { line { amount { amount currency } share } proposal { id pool { currency } } }
    }
  }
}"""


async def test_a_members_payouts_page_newest_first_for_them_and_admins_only(api: Api) -> None:
    compilation, eddie, _, ann, bob = await published_book(api)
    admin = await api.sign_up("ada", role="ADMIN")
    proposed = []
    for pool in ({"amount": "10.00", "currency": "USD"}, {"amount": "99.99", "currency": "EUR"},
                 {"amount": "1000", "currency": "JPY"}):
        data = await api.gql(PROPOSE, {"input": {"compilationId": compilation["id"],
                                                 "pool": pool}}, token=eddie.token)
        proposed.append(data["proposePayout"]["proposal"]["id"])
    newest_first = proposed[::-1]

    def page_of(data: dict) -> dict:
        return data["member"]["payoutsConnection"]

    first = page_of(await api.gql(PAYOUT_PAGE, {"handle": "ann", "first": 2}, token=ann.token))
    assert first["totalCount"] == 3
    assert [n["proposal"]["id"] for n in first["nodes"]] == newest_first[:2]
    assert first["nodes"][0]["line"] == {"amount": {"amount": "300", "currency": "JPY"},
                                         "share": "0.300000"}
    assert (first["pageInfo"]["hasNextPage"], first["pageInfo"]["hasPreviousPage"]) == (True, False)
    rest = page_of(await api.gql(PAYOUT_PAGE, {"handle": "ann", "first": 2,
                                               "after": first["pageInfo"]["endCursor"]},
                                 token=ann.token))
    assert [n["proposal"]["id"] for n in rest["nodes"]] == newest_first[2:]
    assert rest["pageInfo"]["hasNextPage"] is False
    back = page_of(await api.gql(PAYOUT_PAGE, {"handle": "ann", "last": 1,
                                               "before": rest["pageInfo"]["startCursor"]},
                                 token=ann.token))
    assert [n["proposal"]["id"] for n in back["nodes"]] == newest_first[1:2]

    # The same lines as the deprecated list, for the member and for an ADMIN.
    for token in (ann.token, admin.token):
        everything = page_of(await api.gql(PAYOUT_PAGE, {"handle": "ann"}, token=token))
        listed = (await api.gql(PAYOUTS, {"handle": "ann"}, token=token))["member"]["payouts"]
        assert len(everything["nodes"]) == len(listed) == 3
    # Private: null for another member and for an anonymous viewer, compiled or not.
    for token in (bob.token, None):
        assert page_of(await api.gql(PAYOUT_PAGE, {"handle": "ann"}, token=token)) is None
        body, _ = await both_ways(api, PAYOUT_COUNT, {"handle": "ann"}, token=token)
        assert body["data"]["member"]["payoutsConnection"] is None
    body, statements = await both_ways(api, PAYOUT_COUNT, {"handle": "ann"}, token=ann.token)
    assert body["data"]["member"]["payoutsConnection"] == {"totalCount": 3,
                                                           "pageInfo": {"hasNextPage": False}}
    assert statements == 2  # the session, then one compiled statement


PAYOUT_COUNT = """
query PayoutCount($handle: String!) {
  member(handle: $handle) { payoutsConnection { totalCount pageInfo { hasNextPage } } }
}"""


async def test_proposals_need_a_published_compilation(api: Api) -> None:
    eddie, _ = await editors(api)
    compilation = await create(api, eddie)
    data = await api.gql(PROPOSE, {"input": {"compilationId": compilation["id"],
                                             "pool": {"amount": "10", "currency": "USD"}}},
                         token=eddie.token)
    assert data["proposePayout"]["errors"][0]["code"] == "INVALID_STATE"


async def test_create_compilation_reports_every_problem_at_once(api: Api) -> None:
    eddie, _ = await editors(api)
    data = await api.gql(CREATE, {"input": {
        "title": "", "target": "book", "lineageShare": "2", "editorsPercent": "150",
        "maxDepth": -1}}, token=eddie.token)
    assert [(e["field"], e["code"]) for e in data["createCompilation"]["errors"]] == [
        ("title", "INVALID_INPUT"), ("lineageShare", "INVALID_INPUT"),
        ("editorsPercent", "INVALID_INPUT"), ("maxDepth", "INVALID_INPUT")]
    assert await api.hub.db.fetchval("select count(*) from compilations") == 0


READ = """
query Read($id: ID!) {
  compilation(id: $id) {
    id title status lineageShare editorsPercent maxDepth editors { handle }
    items { id position note weight addedAt record { title } }
    history { action fromStatus toStatus actor { handle } }
  }
  compilations(first: 5) { totalCount edges { cursor node { title status } } }
  node(id: $id) { id ... on Compilation { title status } }
  publishingTargets { key label acceptedMediaTypes creditRoles }
}"""


async def test_reads_are_compiled_for_every_viewer_with_the_one_visibility_rule(api: Api) -> None:
    """Work in progress is read in one statement, for editors too (their role is read with
    the rows); the compiled answer is the executor's for the editor, a member and anyone."""
    eddie, _ = await editors(api)
    member = await api.sign_up("moe")
    writer = await api.sign_up("wendy")
    compilation = await create(api, eddie, lineageShare="0.50", editorsPercent="12.5")
    item = await add(api, eddie, compilation, await story(api, writer, "First Light"),
                     note="Opens the book.", weight="2.50")
    assert item["position"] == 1
    for token, sees in ((eddie.token, True), (member.token, False), (None, False)):
        body, statements = await both_ways(api, READ, {"id": compilation["id"]}, token=token)
        assert statements == (2 if token else 1)  # the session's lookup, then one statement
        data = body["data"]
        assert (data["compilation"] is not None) is sees
        assert (data["node"] is not None) is sees
        assert data["compilations"]["totalCount"] == (1 if sees else 0)
        assert [t["key"] for t in data["publishingTargets"]] == ["book", "tv"]
    body, _ = await both_ways(api, READ, {"id": compilation["id"]}, token=eddie.token)
    read = body["data"]["compilation"]
    assert (read["lineageShare"], read["editorsPercent"]) == ("0.5", "12.5")
    assert read["items"][0]["weight"] == "2.5" and read["items"][0]["note"] == "Opens the book."
    assert [entry["action"] for entry in read["history"]] == ["create", "add_item"]
    assert read["editors"] == [{"handle": "eddie"}]


PAGES = """
query Pages($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  compilation(id: $id) {
    itemConnection(first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { position record { title } } }
    }
    historyConnection(first: 2) { totalCount nodes { action actor { handle } } }
  }
}"""
PUBLICATIONS = """
query Publications($id: ID!) {
  compilation(id: $id) {
    publicationConnection(first: 1) { totalCount nodes { version files { name } } }
  }
}"""


async def test_items_history_and_publications_page_as_connections(api: Api) -> None:
    """The lists of a compilation page with first/after and last/before and count themselves;
    compiled and executor answers agree. The unpaged lists are deprecated, not changed."""
    eddie, _ = await editors(api)
    writer = await api.sign_up("wendy")
    compilation = await create(api, eddie)
    for title in ("One", "Two", "Three"):
        await add(api, eddie, compilation, await story(api, writer, title))
    variables = {"id": compilation["id"], "first": 2}
    body, statements = await both_ways(api, PAGES, variables, token=eddie.token)
    assert statements == 2
    items = body["data"]["compilation"]["itemConnection"]
    assert items["totalCount"] == 3
    assert [e["node"]["record"]["title"] for e in items["edges"]] == ["One", "Two"]
    assert items["pageInfo"]["hasNextPage"] and not items["pageInfo"]["hasPreviousPage"]
    history = body["data"]["compilation"]["historyConnection"]
    assert history["totalCount"] == 4  # create and three add_item
    assert history["nodes"] == [{"action": "create", "actor": {"handle": "eddie"}},
                                {"action": "add_item", "actor": {"handle": "eddie"}}]
    after = {"id": compilation["id"], "first": 2, "after": items["pageInfo"]["endCursor"]}
    body, _ = await both_ways(api, PAGES, after, token=eddie.token)
    rest = body["data"]["compilation"]["itemConnection"]
    assert [e["node"]["position"] for e in rest["edges"]] == [3]
    assert rest["pageInfo"]["hasPreviousPage"] and not rest["pageInfo"]["hasNextPage"]
    before = {"id": compilation["id"], "last": 1, "before": rest["edges"][0]["cursor"]}
    body, _ = await both_ways(api, PAGES, before, token=eddie.token)
    back = body["data"]["compilation"]["itemConnection"]
    assert [e["node"]["position"] for e in back["edges"]] == [2]
    assert back["pageInfo"]["hasPreviousPage"] and back["pageInfo"]["hasNextPage"]
    data = await api.gql(PUBLICATIONS, {"id": compilation["id"]}, token=eddie.token)
    assert data["compilation"]["publicationConnection"] == {"totalCount": 0, "nodes": []}
    errors = await api.errors(PAGES, {"id": compilation["id"], "first": 101}, token=eddie.token)
    assert "100" in errors[0]["message"]
