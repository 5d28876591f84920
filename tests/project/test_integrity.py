"""Integrity of reviews, credits and money (issue 14), through the real HTTP app: what is
derived from a record obeys its visibility, approval pins what is published, a published
lineage keeps its credit, decimals print plainly and add up, and payouts need four eyes."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from tests.api import Api, Member
from tests.compilations_api import (
    ADD_EDITOR,
    APPROVE,
    CREATE,
    PUBLISH,
    SUBMIT,
    add,
    approved,
    create,
    editors,
    step,
    story,
)

SPLIT = """
query Split($id: ID!, $pool: MoneyInput!) {
  compilation(id: $id) {
    editorsPercent lineageShare items { weight }
    creditSplit(pool: $pool) {
      member { handle } amount { amount currency } share
      breakdown { role recordId recordTitle depth amount }
    }
  }
}"""
PROPOSE = """
mutation Propose($input: ProposePayoutInput!) {
  proposePayout(input: $input) {
    proposal { id status lines { member { handle } amount { amount } share
                                 breakdown { recordId recordTitle amount } } }
    errors { field message code }
  }
}"""
FINALIZE = """
mutation Finalize($id: ID!) {
  finalizePayout(input: {proposalId: $id}) { proposal { status } errors { field message code } }
}"""
PROPOSALS = """
query Proposals($id: ID!) {
  compilation(id: $id) {
    payoutProposals { lines { member { handle } breakdown { recordId recordTitle amount } } }
  }
}"""
PAYOUTS = """
query Payouts($handle: String!) {
  member(handle: $handle) { payouts { line { breakdown { recordId recordTitle } } } }
}"""
UPDATE = """
mutation Update($input: UpdateRecordInput!) {
  updateRecord(input: $input) { record { version } errors { field message code } }
}"""
UNPUBLISH = """
mutation Unpublish($id: ID!) {
  unpublishRecord(input: {id: $id}) { record { status } errors { code } }
}"""
PUBLISH_WITH_COMPILATION = """
mutation Publish($id: ID!) {
  publishCompilation(input: {id: $id}) {
    compilation { status history { action fromStatus toStatus reason actor { handle } } }
    publication { version files { url } }
    errors { field message code }
  }
}"""
PROBLEMS = """
query Problems($id: ID!) {
  compilation(id: $id) { status problems { code message itemId } history { action reason } }
}"""


async def text_of_book(api: Api, url: str) -> str:
    """Every text file of a published EPUB, concatenated."""
    response = await api.client.get(urlsplit(url).path)
    assert response.status == 200
    with zipfile.ZipFile(io.BytesIO(await response.read())) as book:
        return "".join(book.read(name).decode() for name in book.namelist()
                       if name.endswith((".xhtml", ".opf", ".ncx")))


async def publish_book(api: Api, eddie: Member, erin: Member, *records: dict[str, Any],
                       **settings: Any) -> dict[str, Any]:
    compilation = await create(api, eddie, **settings)
    for record in records:
        await add(api, eddie, compilation, record)
    await approved(api, compilation, eddie, erin)
    published = await step(api, PUBLISH, eddie, compilation["id"])
    assert published["errors"] == [], published
    return {**compilation, "publication": published["publication"]}


# --- 9. what is derived from a record obeys its visibility ----------------------------------------


async def test_a_draft_source_is_credited_but_its_title_shows_only_to_its_author(api: Api) -> None:
    api.allow_cost(5_000_000)  # proposals > lines > breakdown: three unpaged lists, priced at 100 each
    eddie, erin = await editors(api)
    ann, xav = await api.sign_up("ann"), await api.sign_up("xav")
    draft = await api.create_record(ann, "Secret Draft Title")
    withdrawn = await story(api, xav, "Withdrawn Source")
    remix = await story(api, ann, "Public Remix", sources=[draft["id"], withdrawn["id"]])
    await api.gql(UNPUBLISH, {"id": withdrawn["id"]}, token=xav.token)
    book = await publish_book(api, eddie, erin, remix)
    pool = {"amount": "100.00", "currency": "USD"}

    def draft_parts(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [part for line in lines for part in line["breakdown"]
                if part["recordId"] == draft["id"]]

    anonymous = (await api.gql(SPLIT, {"id": book["id"], "pool": pool}))["compilation"]
    [hidden] = draft_parts(anonymous["creditSplit"])
    assert hidden["recordTitle"] is None and hidden["amount"] == "25.00"  # credited, not shown
    own = (await api.gql(SPLIT, {"id": book["id"], "pool": pool}, token=ann.token))["compilation"]
    assert draft_parts(own["creditSplit"])[0]["recordTitle"] == "Secret Draft Title"

    proposed = await api.gql(PROPOSE, {"input": {"compilationId": book["id"], "pool": pool}},
                             token=eddie.token)
    assert proposed["proposePayout"]["errors"] == []
    assert draft_parts(proposed["proposePayout"]["proposal"]["lines"])[0]["recordTitle"] is None
    # Frozen lines store no title at all; reading them applies the viewer's visibility.
    stored = await api.hub.db.fetchval("select string_agg(breakdown::text, ' ') from payout_lines")
    assert "Secret Draft Title" not in stored and draft["id"] in stored
    frozen = (await api.gql(PROPOSALS, {"id": book["id"]}))["compilation"]["payoutProposals"]
    [hidden] = draft_parts(frozen[0]["lines"])
    assert hidden["recordTitle"] is None
    mine = (await api.gql(PAYOUTS, {"handle": "ann"}, token=ann.token))["member"]["payouts"]
    assert draft_parts([p["line"] for p in mine])[0]["recordTitle"] == "Secret Draft Title"
    # The published book credits xav for the withdrawn source without printing its title.
    text = await text_of_book(api, book["publication"]["files"][0]["url"])
    assert "Public Remix" in text and "“[removed]” by Xav" in text
    assert "Secret Draft Title" not in text and "Withdrawn Source" not in text


async def test_problems_and_history_never_quote_a_record_that_is_no_longer_public(
    api: Api,
) -> None:
    eddie, erin = await editors(api)
    wendy = await api.sign_up("wendy")
    kept = await story(api, wendy, "Kept Story")
    withdrawn = await story(api, wendy, "Withdrawn Title")
    book = await publish_book(api, eddie, erin, kept, withdrawn)
    await api.gql(UNPUBLISH, {"id": withdrawn["id"]}, token=wendy.token)
    for token in (None, eddie.token):
        seen = (await api.gql(PROBLEMS, {"id": book["id"]}, token=token))["compilation"]
        assert [p["code"] for p in seen["problems"]] == ["RECORD_UNAVAILABLE"]
        assert seen["problems"][0]["message"] == ("Item 2 was unpublished or deleted since it "
                                                  "was added.")
        assert "Withdrawn Title" not in str(seen)
        assert [h["reason"] for h in seen["history"] if h["action"] == "add_item"] == [
            kept["id"], withdrawn["id"]]
    result = await step(api, PUBLISH, eddie, book["id"])
    assert [e["code"] for e in result["errors"]] == ["PUBLISHING_BLOCKED"]
    assert "Withdrawn Title" not in result["errors"][0]["message"]


# --- 10. approval pins the versions it approved ---------------------------------------------------


async def test_an_edit_after_approval_is_never_published_unreviewed(api: Api) -> None:
    """The audit's scenario: an editor adds their own record, another approves, the author
    edits the record, and then the compilation is published."""
    eddie, erin = await editors(api)
    mine = await story(api, eddie, "Eddie's Piece", text="The reviewed words.")
    compilation = await create(api, eddie)
    cid = compilation["id"]
    await add(api, eddie, compilation, mine)
    await approved(api, compilation, eddie, erin)
    edited = await api.gql(UPDATE, {"input": {
        "id": mine["id"], "expectedVersion": 2,
        "details": {"writing": {"form": "STORY", "text": "Unreviewed words."}}}},
        token=eddie.token)
    assert edited["updateRecord"] == {"record": {"version": 3}, "errors": []}

    listed = (await api.gql(PROBLEMS, {"id": cid}, token=eddie.token))["compilation"]
    assert listed["status"] == "APPROVED"
    assert [p["code"] for p in listed["problems"]] == ["CHANGED_SINCE_APPROVAL"]
    assert mine["id"] in listed["problems"][0]["message"]
    assert "version 2 → 3" in listed["problems"][0]["message"]

    refused = (await api.gql(PUBLISH_WITH_COMPILATION, {"id": cid}, token=eddie.token))[
        "publishCompilation"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("CHANGED_SINCE_APPROVAL", "items")]
    assert mine["id"] in refused["errors"][0]["message"]
    assert refused["publication"] is None
    assert refused["compilation"]["status"] == "IN_REVIEW"
    assert refused["compilation"]["history"][-1] == {
        "action": "reopen", "fromStatus": "APPROVED", "toStatus": "IN_REVIEW",
        "reason": f"Back to review: record {mine['id']} changed after approval "
                  "(version 2 → 3).",
        "actor": {"handle": "eddie"}}
    assert await api.hub.db.fetchval("select count(*) from publications") == 0
    events = await api.hub.db.fetch(
        "select payload from events where kind = 'compilation.status_changed' and subject = $1 "
        "order by id", cid)
    assert events[-1]["payload"]["status"] == "IN_REVIEW"

    # Reviewed again (the submitter still may not approve), it publishes the new words.
    assert (await step(api, APPROVE, eddie, cid))["errors"][0]["code"] == "OWN_SUBMISSION"
    assert (await step(api, APPROVE, erin, cid))["errors"] == []
    published = (await api.gql(PUBLISH_WITH_COMPILATION, {"id": cid}, token=eddie.token))[
        "publishCompilation"]
    assert published["errors"] == [] and published["compilation"]["status"] == "PUBLISHED"
    first = published["publication"]["files"][0]["url"]
    assert "Unreviewed words." in await text_of_book(api, first)

    # Published, it cannot go back to review: publishing again after an edit is refused and
    # writes nothing; the publication made stays as approved.
    await api.gql(UPDATE, {"input": {"id": mine["id"], "expectedVersion": 3, "title": "Renamed"}},
                  token=eddie.token)
    again = (await api.gql(PUBLISH_WITH_COMPILATION, {"id": cid}, token=erin.token))[
        "publishCompilation"]
    assert [e["code"] for e in again["errors"]] == ["CHANGED_SINCE_APPROVAL"]
    assert again["compilation"] is None
    assert await api.hub.db.fetchval("select status from compilations") == "PUBLISHED"
    assert await api.hub.db.fetchval("select count(*) from publications") == 1
    assert "Renamed" not in await text_of_book(api, first)


async def test_approval_pins_the_versions_it_saw(api: Api) -> None:
    eddie, erin = await editors(api)
    wendy = await api.sign_up("wendy")
    first, second = await story(api, wendy, "First"), await story(api, wendy, "Second")
    compilation = await create(api, eddie)
    await add(api, eddie, compilation, first)
    await add(api, eddie, compilation, second)
    await api.gql(ADD_EDITOR, {"input": {"compilationId": compilation["id"],
                                         "memberId": erin.id}}, token=eddie.token)
    await step(api, SUBMIT, eddie, compilation["id"])
    # An edit while in review is what the reviewer approves: it is not a change since.
    await api.gql(UPDATE, {"input": {"id": second["id"], "expectedVersion": 2, "title": "2nd"}},
                  token=wendy.token)
    assert await api.hub.db.fetchval(
        "select count(*) from compilation_items where approved_version is not null") == 0
    assert (await step(api, APPROVE, erin, compilation["id"]))["errors"] == []
    pins = await api.hub.db.fetch(
        "select r.title, i.approved_version, r.version from compilation_items i "
        "join records r on r.id = i.record_id order by i.position")
    assert [tuple(row) for row in pins] == [("First", 2, 2), ("2nd", 3, 3)]
    problems = (await api.gql(PROBLEMS, {"id": compilation["id"]}, token=eddie.token))[
        "compilation"]["problems"]
    assert problems == []
    assert (await step(api, PUBLISH, eddie, compilation["id"]))["errors"] == []


# --- 12. a published lineage keeps its credit -----------------------------------------------------


async def test_a_source_credited_in_a_payout_cannot_be_removed_later(api: Api) -> None:
    eddie, erin = await editors(api)
    ann, xav = await api.sign_up("ann"), await api.sign_up("xav")
    salt = await story(api, xav, "Salt")
    remix = await story(api, ann, "Salt and Tides", sources=[salt["id"]])
    book = await publish_book(api, eddie, erin, remix)
    pool = {"amount": "100.00", "currency": "USD"}
    before = (await api.gql(SPLIT, {"id": book["id"], "pool": pool}))["compilation"]
    removed = await api.gql(
        "mutation R($input: RemoveSourceInput!) { removeSource(input: $input) {"
        " errors { field code } } }",
        {"input": {"recordId": remix["id"], "sourceId": salt["id"]}}, token=ann.token)
    assert removed["removeSource"]["errors"] == [{"field": "sourceId", "code": "SOURCE_LOCKED"}]
    after = (await api.gql(SPLIT, {"id": book["id"], "pool": pool}))["compilation"]
    assert after == before
    assert [(line["member"]["handle"], line["amount"]["amount"])
            for line in after["creditSplit"]] == [("ann", "50.00"), ("xav", "50.00")]


# --- decimals: plain notation, exact sums ---------------------------------------------------------


async def test_decimals_print_plainly_and_every_sum_shown_is_exact(api: Api) -> None:
    eddie, erin = await editors(api)
    writers = [await api.sign_up(h) for h in ("ann", "bob", "cat")]
    source = await story(api, writers[2], "Source")
    records = [await story(api, writers[0], "One", sources=[source["id"]]),
               await story(api, writers[1], "Two"), await story(api, writers[2], "Three")]
    compilation = await create(api, eddie, editorsPercent=10, lineageShare="0.333333")
    for record, weight in zip(records, ("10", 20, "100.000"), strict=True):
        await add(api, eddie, compilation, record, weight=weight)
    await approved(api, compilation, eddie, erin)
    assert (await step(api, PUBLISH, eddie, compilation["id"]))["errors"] == []
    for amount, currency in (("1000.00", "USD"), ("1.00", "EUR"), ("7", "JPY"),
                             ("0.001", "KWD")):
        data = (await api.gql(SPLIT, {"id": compilation["id"],
                                      "pool": {"amount": amount, "currency": currency}}))[
            "compilation"]
        assert data["editorsPercent"] == "10" and data["lineageShare"] == "0.333333"
        assert [item["weight"] for item in data["items"]] == ["10", "20", "100"]
        lines = data["creditSplit"]
        assert sum(Decimal(line["amount"]["amount"]) for line in lines) == Decimal(amount)
        assert sum(Decimal(line["share"]) for line in lines) == 1
        for line in lines:
            assert "E" not in line["amount"]["amount"] + line["share"]
            parts = [Decimal(part["amount"]) for part in line["breakdown"]]
            assert sum(parts) == Decimal(line["amount"]["amount"]), line
            assert all(len(p["amount"].partition(".")[2]) == len(amount.partition(".")[2])
                       for p in line["breakdown"])


async def test_decimal_inputs_are_strict(api: Api) -> None:
    eddie, _ = await editors(api)
    for field, value in (("editorsPercent", "1E+1"), ("lineageShare", "0.5 "),
                         ("lineageShare", "Infinity"), ("editorsPercent", "0x10"),
                         ("editorsPercent", [1])):
        errors = await api.errors(CREATE, {"input": {"title": "T", "target": "book",
                                                     field: value}}, token=eddie.token)
        assert f".{field}" in errors[0]["message"] and "Decimal" in errors[0]["message"]
    literal = await api.errors(
        'mutation { createCompilation(input: {title: "T", target: "book", editorsPercent: "1e1"})'
        " { errors { code } } }", token=eddie.token)
    assert "Decimal" in literal[0]["message"]
    number = await api.gql(
        'mutation { createCompilation(input: {title: "T", target: "book", editorsPercent: 12.5,'
        " lineageShare: 0.25}) { compilation { editorsPercent lineageShare } errors { code } } }",
        token=eddie.token)
    assert number["createCompilation"]["compilation"] == {"editorsPercent": "12.5",
                                                          "lineageShare": "0.25"}
    assert await api.hub.db.fetchval("select count(*) from compilations") == 1


# --- payouts: a window of at least a day, and four eyes -------------------------------------------


async def test_a_payout_window_is_at_least_a_day(api: Api) -> None:
    eddie, _ = await editors(api)
    for days in (0, -1, 366):
        data = await api.gql(CREATE, {"input": {"title": "T", "target": "book",
                                                "payoutWindowDays": days}}, token=eddie.token)
        [error] = data["createCompilation"]["errors"]
        assert (error["field"], error["code"]) == ("payoutWindowDays", "INVALID_INPUT")
        assert "at least 1" in error["message"]
    assert await api.hub.db.fetchval("select count(*) from compilations") == 0
    one = await create(api, eddie, payoutWindowDays=1)
    assert one["payoutWindowDays"] == 1


async def test_the_editor_who_proposed_a_payout_cannot_finalize_it(api: Api) -> None:
    eddie, erin = await editors(api)
    wendy = await api.sign_up("wendy")
    book = await publish_book(api, eddie, erin, await story(api, wendy, "Story"))
    proposed = await api.gql(PROPOSE, {"input": {"compilationId": book["id"],
                                                 "pool": {"amount": "10", "currency": "USD"}}},
                             token=eddie.token)
    proposal = proposed["proposePayout"]["proposal"]
    await api.hub.db.execute("update payout_proposals set window_closes_at = now() - interval '1 s'")
    own = await api.gql(FINALIZE, {"id": proposal["id"]}, token=eddie.token)
    assert own["finalizePayout"]["proposal"] is None
    assert [(e["code"], e["field"]) for e in own["finalizePayout"]["errors"]] == [
        ("OWN_PROPOSAL", "proposalId")]
    assert await api.hub.db.fetchval("select status from payout_proposals") == "PROPOSED"
    other = await api.gql(FINALIZE, {"id": proposal["id"]}, token=erin.token)
    assert other["finalizePayout"] == {"proposal": {"status": "FINALIZED"}, "errors": []}

