"""Editing a compilation as the studio does: updateCompilation and updateCompilationItem with
optimistic concurrency, the editors team, deleting a draft, the typed history, item changes
live in ``compilationUpdated`` — through the real HTTP app against PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import hub.core.db.migrations as migrations
from hub.core.relay import encode_id
from tests.api import Api, Member
from tests.compilations_api import (
    ADD_EDITOR,
    ARCHIVE,
    MOVE_ITEM,
    REMOVE_ITEM,
    RETURN,
    SUBMIT,
    add,
    approved,
    create,
    editors,
    step,
    story,
)
from tests.graphql_api.test_compiled import both_ways
from tests.realtime_client import WsClient

ERRORS = "errors { field message code }"
UPDATE = f"""
mutation Update($input: UpdateCompilationInput!) {{
  updateCompilation(input: $input) {{
    compilation {{
      id title description version
      settings {{ __typename ... on BookSettings {{ subtitle language maxWords }}
                 ... on TvSettings {{ episodeTitle }} }}
    }}
    {ERRORS}
  }}
}}"""
UPDATE_ITEM = f"""
mutation UpdateItem($input: UpdateCompilationItemInput!) {{
  updateCompilationItem(input: $input) {{
    item {{ id weight note }} compilation {{ version items {{ weight note }} }} {ERRORS}
  }}
}}"""
REMOVE_EDITOR = f"""
mutation RemoveEditor($input: RemoveCompilationEditorInput!) {{
  removeCompilationEditor(input: $input) {{ compilation {{ editors {{ handle }} }} {ERRORS} }}
}}"""
DELETE = f"""
mutation Delete($id: ID!) {{ deleteCompilation(input: {{id: $id}}) {{ deletedId {ERRORS} }} }}"""
READ = """
query Read($id: ID!) {
  compilation(id: $id) { title description version items { weight note } }
}"""
HISTORY = """
query History($id: ID!) {
  compilation(id: $id) {
    historyConnection(first: 50) {
      nodes {
        action
        event {
          __typename at actor { handle }
          ... on CompilationItemEvent { recordId record { title } }
          ... on CompilationItemMoved { fromPosition toPosition }
          ... on CompilationItemReweighted { fromWeight toWeight }
          ... on CompilationSettingsChanged { fields }
          ... on CompilationReturned { comment }
          ... on CompilationEditorEvent { member { handle } }
          ... on CompilationPublished { version target }
          ... on CompilationOtherEvent { action text }
        }
      }
    }
  }
}"""
UPDATED = """
subscription Follow($id: ID!) {
  compilationUpdated(id: $id) {
    change itemId version status previousStatus
    compilation { version items { position weight record { title } } }
  }
}"""


async def history(api: Api, editor: Member, compilation_id: str) -> list[dict[str, Any]]:
    data = await api.gql(HISTORY, {"id": compilation_id}, token=editor.token)
    return [node["event"] for node in data["compilation"]["historyConnection"]["nodes"]]


async def read(api: Api, editor: Member, compilation_id: str) -> dict[str, Any]:
    return (await api.gql(READ, {"id": compilation_id}, token=editor.token))["compilation"]


async def rows(api: Api, table: str) -> int:
    return await api.hub.db.fetchval(f"select count(*) from {table}")


async def update(api: Api, editor: Member, **input: Any) -> dict[str, Any]:
    data = await api.gql(UPDATE, {"input": input}, token=editor.token)
    return data["updateCompilation"]


# --- updateCompilation --------------------------------------------------------------------------


async def test_update_changes_only_the_fields_given_and_says_which_in_the_history(
    api: Api,
) -> None:
    eddie, _ = await editors(api)
    compilation = await create(api, eddie, description="Stories of the sea.",
                               settings={"book": {"subtitle": "Tales", "language": "en"}})
    payload = await update(api, eddie, id=compilation["id"], expectedVersion=1,
                           title="Harbor Stories, Revised")
    assert payload["errors"] == []
    changed = payload["compilation"]
    assert changed["title"] == "Harbor Stories, Revised"
    assert changed["description"] == "Stories of the sea."  # left out: unchanged
    assert changed["settings"]["subtitle"] == "Tales"
    assert changed["version"] == 2

    payload = await update(api, eddie, id=compilation["id"], expectedVersion=2,
                           settings={"book": {"subtitle": "Tales", "language": "fr",
                                              "maxWords": 90000}})
    assert payload["errors"] == []
    settings = payload["compilation"]["settings"]
    assert (settings["language"], settings["maxWords"]) == ("fr", 90000)
    assert payload["compilation"]["title"] == "Harbor Stories, Revised"

    events = await history(api, eddie, compilation["id"])
    assert [e["__typename"] for e in events] == [
        "CompilationCreated", "CompilationSettingsChanged", "CompilationSettingsChanged"]
    assert events[1]["fields"] == ["title"]
    assert events[2]["fields"] == ["settings.book.language", "settings.book.maxWords"]
    assert events[2]["actor"] == {"handle": "eddie"}


async def test_an_update_that_changes_nothing_writes_nothing(api: Api) -> None:
    eddie, _ = await editors(api)
    compilation = await create(api, eddie)
    before = await rows(api, "compilation_history")
    payload = await update(api, eddie, id=compilation["id"], title="Harbor Stories")
    assert payload["errors"] == [] and payload["compilation"]["version"] == 1
    assert await rows(api, "compilation_history") == before


async def test_a_stale_version_is_a_conflict_with_the_current_compilation_and_no_write(
    api: Api,
) -> None:
    eddie, erin = await editors(api)
    compilation = await create(api, eddie)
    await api.gql(ADD_EDITOR, {"input": {"compilationId": compilation["id"],
                                         "memberId": erin.id}}, token=eddie.token)
    # Both read version 2; Erin saves first.
    assert (await update(api, erin, id=compilation["id"], expectedVersion=2,
                         title="Erin's Title"))["errors"] == []
    before = await rows(api, "compilation_history")
    payload = await update(api, eddie, id=compilation["id"], expectedVersion=2,
                           description="Eddie's description")
    assert [e["code"] for e in payload["errors"]] == ["CONFLICT"]
    assert payload["errors"][0]["field"] == "expectedVersion"
    assert "now at version 3" in payload["errors"][0]["message"]
    # The payload shows what is there now, to merge into.
    assert payload["compilation"]["title"] == "Erin's Title"
    assert payload["compilation"]["version"] == 3
    now = await read(api, eddie, compilation["id"])
    assert now["description"] == "" and now["version"] == 3
    assert await rows(api, "compilation_history") == before


async def test_bad_updates_name_each_field_and_write_nothing(api: Api) -> None:
    eddie, _ = await editors(api)
    compilation = await create(api, eddie)
    before = await rows(api, "compilation_history")
    payload = await update(api, eddie, id=compilation["id"], title="  ",
                           description="x" * 5001, settings={"tv": {"episodeTitle": "One"}})
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("title", "INVALID_INPUT"), ("description", "TOO_LONG"), ("settings", "INVALID_INPUT")}
    assert payload["compilation"] is None
    now = await read(api, eddie, compilation["id"])
    assert (now["title"], now["version"]) == ("Harbor Stories", 1)
    assert await rows(api, "compilation_history") == before


async def test_only_a_draft_is_updated_and_only_by_its_team(api: Api) -> None:
    eddie, erin = await editors(api)
    writer = await api.sign_up("wendy")
    compilation = await create(api, eddie)
    await add(api, eddie, compilation, await story(api, writer, "First Light"))
    # Erin is an editor, but not on this compilation's team.
    errors = await api.errors(UPDATE, {"input": {"id": compilation["id"], "title": "Mine"}},
                              token=erin.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert (await step(api, SUBMIT, eddie, compilation["id"]))["errors"] == []
    payload = await update(api, eddie, id=compilation["id"], title="Too Late")
    assert [e["code"] for e in payload["errors"]] == ["INVALID_STATE"]
    assert "DRAFT" in payload["errors"][0]["message"]
    assert (await read(api, eddie, compilation["id"]))["title"] == "Harbor Stories"


# --- updateCompilationItem ----------------------------------------------------------------------


async def test_an_items_weight_and_note_change_with_typed_history_entries(api: Api) -> None:
    eddie, _ = await editors(api)
    writer = await api.sign_up("wendy")
    compilation = await create(api, eddie)
    item = await add(api, eddie, compilation, await story(api, writer, "First Light"),
                     weight="2")
    data = await api.gql(UPDATE_ITEM, {"input": {"itemId": item["id"], "weight": "3.25",
                                                 "expectedVersion": 2}}, token=eddie.token)
    payload = data["updateCompilationItem"]
    assert payload["errors"] == []
    assert payload["item"] == {"id": item["id"], "weight": "3.25", "note": ""}
    assert payload["compilation"]["version"] == 3
    data = await api.gql(UPDATE_ITEM, {"input": {"itemId": item["id"], "note": "Opens it."}},
                         token=eddie.token)
    assert data["updateCompilationItem"]["item"]["weight"] == "3.25"  # left out: unchanged
    events = await history(api, eddie, compilation["id"])
    assert [e["__typename"] for e in events] == [
        "CompilationCreated", "CompilationItemAdded", "CompilationItemReweighted",
        "CompilationItemNoteChanged"]
    assert (events[2]["fromWeight"], events[2]["toWeight"]) == ("2", "3.25")
    assert events[3]["record"] == {"title": "First Light"}


async def test_bad_item_updates_write_nothing(api: Api) -> None:
    eddie, _ = await editors(api)
    writer = await api.sign_up("wendy")
    compilation = await create(api, eddie)
    item = await add(api, eddie, compilation, await story(api, writer, "First Light"))
    before = await rows(api, "compilation_history")
    for weight in ("0", "-1", "0.0000001", "1000001"):
        data = await api.gql(UPDATE_ITEM, {"input": {"itemId": item["id"], "weight": weight,
                                                     "note": "n" * 1001}}, token=eddie.token)
        errors = data["updateCompilationItem"]["errors"]
        assert {(e["field"], e["code"]) for e in errors} == {
            ("weight", "INVALID_INPUT"), ("note", "TOO_LONG")}, weight
    data = await api.gql(UPDATE_ITEM, {"input": {"itemId": item["id"], "weight": "5",
                                                 "expectedVersion": 1}}, token=eddie.token)
    payload = data["updateCompilationItem"]
    assert [e["code"] for e in payload["errors"]] == ["CONFLICT"]
    assert payload["compilation"]["version"] == 2  # the current one
    data = await api.gql(UPDATE_ITEM, {"input": {"itemId": encode_id("CompilationItem", 10**9),
                                                 "weight": "5"}}, token=eddie.token)
    assert [e["code"] for e in data["updateCompilationItem"]["errors"]] == ["NOT_FOUND"]
    assert (await read(api, eddie, compilation["id"]))["items"] == [{"weight": "1", "note": ""}]
    assert await rows(api, "compilation_history") == before


# --- the editors team ----------------------------------------------------------------------------


async def test_an_editor_leaves_the_team_but_the_last_one_stays(api: Api) -> None:
    eddie, erin = await editors(api)
    compilation = await create(api, eddie)
    await api.gql(ADD_EDITOR, {"input": {"compilationId": compilation["id"],
                                         "memberId": erin.id}}, token=eddie.token)
    data = await api.gql(REMOVE_EDITOR, {"input": {"compilationId": compilation["id"],
                                                   "memberId": eddie.id}}, token=eddie.token)
    payload = data["removeCompilationEditor"]
    assert payload["errors"] == [] and payload["compilation"]["editors"] == [{"handle": "erin"}]
    before = await rows(api, "compilation_history")
    data = await api.gql(REMOVE_EDITOR, {"input": {"compilationId": compilation["id"],
                                                   "memberId": erin.id}}, token=erin.token)
    errors = data["removeCompilationEditor"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("memberId", "LAST_EDITOR")]
    data = await api.gql(REMOVE_EDITOR, {"input": {"compilationId": compilation["id"],
                                                   "memberId": eddie.id}}, token=erin.token)
    assert [e["code"] for e in data["removeCompilationEditor"]["errors"]] == ["NOT_FOUND"]
    assert await rows(api, "compilation_editors") == 1
    assert await rows(api, "compilation_history") == before
    # Eddie is off the team now: he changes it no more.
    errors = await api.errors(UPDATE, {"input": {"id": compilation["id"], "title": "Mine"}},
                              token=eddie.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    events = await history(api, erin, compilation["id"])
    assert [e["__typename"] for e in events][-2:] == ["CompilationEditorAdded",
                                                     "CompilationEditorRemoved"]
    assert events[-1]["member"] == {"handle": "eddie"}


# --- deleteCompilation ---------------------------------------------------------------------------


async def test_a_draft_is_deleted_whole_and_the_others_must_be_archived(api: Api) -> None:
    eddie, erin = await editors(api)
    writer = await api.sign_up("wendy")
    record = await story(api, writer, "First Light")
    draft = await create(api, eddie)
    await add(api, eddie, draft, record)
    data = await api.gql(DELETE, {"id": draft["id"]}, token=eddie.token)
    assert data["deleteCompilation"] == {"deletedId": draft["id"], "errors": []}
    for table in ("compilations", "compilation_items", "compilation_history",
                  "compilation_editors"):
        assert await rows(api, table) == 0, table
    assert (await api.gql(READ, {"id": draft["id"]}, token=eddie.token))["compilation"] is None

    book = await create(api, eddie)
    await add(api, eddie, book, record)
    await approved(api, book, eddie, erin)
    counts = [await rows(api, t) for t in ("compilations", "compilation_history")]
    data = await api.gql(DELETE, {"id": book["id"]}, token=eddie.token)
    payload = data["deleteCompilation"]
    assert payload["deletedId"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "ARCHIVE_INSTEAD")]
    assert "APPROVED" in payload["errors"][0]["message"]
    assert [await rows(api, t) for t in ("compilations", "compilation_history")] == counts
    assert (await step(api, ARCHIVE, eddie, book["id"]))["errors"] == []
    data = await api.gql(DELETE, {"id": book["id"]}, token=eddie.token)
    assert [e["code"] for e in data["deleteCompilation"]["errors"]] == ["ARCHIVE_INSTEAD"]


async def test_members_cannot_delete_and_unknown_ids_are_not_found(api: Api) -> None:
    eddie, _ = await editors(api)
    member = await api.sign_up("mia")
    draft = await create(api, eddie)
    errors = await api.errors(DELETE, {"id": draft["id"]}, token=member.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    data = await api.gql(DELETE, {"id": encode_id("Compilation", 10**9)}, token=eddie.token)
    assert [e["code"] for e in data["deleteCompilation"]["errors"]] == ["NOT_FOUND"]
    assert await rows(api, "compilations") == 1


# --- the typed history ---------------------------------------------------------------------------


async def test_the_typed_history_of_a_whole_workflow(api: Api) -> None:
    eddie, erin = await editors(api)
    writer = await api.sign_up("wendy")
    first = await story(api, writer, "First Light")
    second = await story(api, writer, "Second Tide")
    compilation = await create(api, eddie)
    one = await add(api, eddie, compilation, first)
    await add(api, eddie, compilation, second)
    moved = await api.gql(MOVE_ITEM, {"input": {"itemId": one["id"], "position": 2}},
                          token=eddie.token)
    assert moved["moveCompilationItem"]["errors"] == []
    await api.gql(ADD_EDITOR, {"input": {"compilationId": compilation["id"],
                                         "memberId": erin.id}}, token=eddie.token)
    assert (await step(api, SUBMIT, eddie, compilation["id"]))["errors"] == []
    returned = await step(api, RETURN, erin, compilation["id"], reason="Open with the tide.")
    assert returned["errors"] == []
    events = await history(api, eddie, compilation["id"])
    assert [e["__typename"] for e in events] == [
        "CompilationCreated", "CompilationItemAdded", "CompilationItemAdded",
        "CompilationItemMoved", "CompilationEditorAdded", "CompilationSubmitted",
        "CompilationReturned"]
    assert events[1]["recordId"] == first["id"] and events[1]["record"]["title"] == "First Light"
    assert (events[3]["fromPosition"], events[3]["toPosition"], events[3]["recordId"]) == (
        1, 2, first["id"])
    assert events[4]["member"] == {"handle": "erin"}
    assert events[6]["comment"] == "Open with the tide."
    assert events[6]["actor"] == {"handle": "erin"}


async def test_entries_written_without_facts_read_as_they_were_written(api: Api) -> None:
    """An entry of an action this API has no type for, or without the facts its type needs
    (written by another version of the hub), reads as CompilationOtherEvent, not an error;
    an item entry with its record only in the text (the collaborations import) is typed."""
    eddie, _ = await editors(api)
    writer = await api.sign_up("wendy")
    record = await story(api, writer, "First Light")
    compilation = await create(api, eddie)
    pk = int(await api.hub.db.fetchval("select id from compilations"))
    actor = int(await api.hub.db.fetchval("select id from members where handle = 'eddie'"))
    for action, reason in (("add_item", record["id"]), ("move_item", "4 to 1"),
                           ("rename_shelf", "Shelf B"), ("remove_item", "First Light")):
        await api.hub.db.execute(
            "insert into compilation_history (compilation_id, actor_id, action, reason) "
            "values ($1, $2, $3, $4)", pk, actor, action, reason)
    events = await history(api, eddie, compilation["id"])
    assert events[1]["__typename"] == "CompilationItemAdded"
    assert events[1]["record"] == {"title": "First Light"}
    assert events[2] == {"__typename": "CompilationOtherEvent", "at": events[2]["at"],
                         "actor": {"handle": "eddie"}, "action": "move_item", "text": "4 to 1"}
    assert (events[3]["action"], events[3]["text"]) == ("rename_shelf", "Shelf B")
    # A title where a record's ID belongs (an old entry) is not taken for an ID.
    assert (events[4]["__typename"], events[4]["text"]) == ("CompilationOtherEvent",
                                                             "First Light")


async def test_entries_written_before_migration_0014_read_typed_after_it(api: Api) -> None:
    """The migration gave the entries it found the facts their `reason` held; here its
    back-fill runs again over entries written the old way (text only)."""
    eddie, erin = await editors(api)
    writer = await api.sign_up("wendy")
    record = await story(api, writer, "First Light")
    compilation = await create(api, eddie, target="tv")
    pk = int(await api.hub.db.fetchval("select id from compilations"))
    actor = int(await api.hub.db.fetchval("select id from members where handle = 'eddie'"))
    for action, reason in (("add_item", record["id"]), ("move_item", "4 → 1"),
                           ("add_editor", erin.id), ("publish", "version 2")):
        await api.hub.db.execute(
            "insert into compilation_history (compilation_id, actor_id, action, reason) "
            "values ($1, $2, $3, $4)", pk, actor, action, reason)
    sql = (Path(migrations.__file__).parent / "0014_compilation_editing.sql").read_text()
    backfill = sql[sql.index("-- The entries written before"):]
    async with api.hub.db.transaction() as tx:
        for statement in backfill.split(";"):
            if "update" in statement:  # (a statement may follow its comment)
                await tx.execute(statement)
    events = await history(api, eddie, compilation["id"])
    assert [e["__typename"] for e in events[1:]] == [
        "CompilationItemAdded", "CompilationItemMoved", "CompilationEditorAdded",
        "CompilationPublished"]
    assert events[1]["record"] == {"title": "First Light"}
    assert (events[2]["fromPosition"], events[2]["toPosition"], events[2]["recordId"]) == (
        4, 1, None)
    assert events[3]["member"] == {"handle": "erin"}
    assert (events[4]["version"], events[4]["target"]) == (2, "tv")


async def test_the_typed_history_reads_in_a_fixed_number_of_statements(api: Api) -> None:
    eddie, _ = await editors(api)
    writer = await api.sign_up("wendy")
    compilation = await create(api, eddie)
    counts = []
    for title in ("One", "Two", "Three", "Four"):
        await add(api, eddie, compilation, await story(api, writer, title))
        before = api.statements()
        events = await history(api, eddie, compilation["id"])
        counts.append(api.statements() - before)
        assert events[-1]["record"] == {"title": title}
    # session, compilation, history page, its count… then one batch each for the actors and
    # the records, however many entries.
    assert len(set(counts)) == 1, counts


async def test_version_is_read_the_same_compiled_and_by_the_executor(api: Api) -> None:
    eddie, _ = await editors(api)
    compilation = await create(api, eddie)
    await update(api, eddie, id=compilation["id"], title="Renamed")
    body, statements = await both_ways(api, "query V($id: ID!) { compilation(id: $id) { "
                                       "version title } }", {"id": compilation["id"]},
                                       token=eddie.token)
    assert body["data"]["compilation"] == {"version": 2, "title": "Renamed"}
    assert statements == 2  # the session's lookup, then one statement


# --- live: two editors on one compilation ----------------------------------------------------------


async def connect(api: Api, member: Member) -> WsClient:
    return await WsClient.connect(api.client.session, str(api.client.make_url("/graphql")),
                                  {"token": member.token})


def event(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "next" and "errors" not in message["payload"], message
    return message["payload"]["data"]["compilationUpdated"]


async def test_two_editors_see_each_others_item_changes_live(api: Api) -> None:
    eddie, erin = await editors(api)
    writer = await api.sign_up("wendy")
    first = await story(api, writer, "First Light")
    second = await story(api, writer, "Second Tide")
    compilation = await create(api, eddie)
    await api.gql(ADD_EDITOR, {"input": {"compilationId": compilation["id"],
                                         "memberId": erin.id}}, token=eddie.token)
    ws = await connect(api, erin)
    try:
        op = await ws.subscribe(UPDATED, {"id": compilation["id"]})
        await asyncio.sleep(0.2)  # the subscription registers with the listener
        item = await add(api, eddie, compilation, first)
        added = event(await ws.next(op))
        assert (added["change"], added["itemId"], added["version"]) == ("ITEM_ADDED", item["id"], 3)
        assert added["compilation"]["items"] == [
            {"position": 1, "weight": "1", "record": {"title": "First Light"}}]
        await add(api, eddie, compilation, second)
        assert event(await ws.next(op))["change"] == "ITEM_ADDED"
        await api.gql(UPDATE_ITEM, {"input": {"itemId": item["id"], "weight": "4"}},
                      token=eddie.token)
        reweighted = event(await ws.next(op))
        assert (reweighted["change"], reweighted["itemId"]) == ("ITEM_UPDATED", item["id"])
        assert reweighted["compilation"]["items"][0]["weight"] == "4"
        await api.gql(MOVE_ITEM, {"input": {"itemId": item["id"], "position": 2}},
                      token=eddie.token)
        moved = event(await ws.next(op))
        assert moved["change"] == "ITEM_MOVED"
        assert [i["record"]["title"] for i in moved["compilation"]["items"]] == [
            "Second Tide", "First Light"]
        await api.gql(REMOVE_ITEM, {"input": {"itemId": item["id"]}}, token=eddie.token)
        assert event(await ws.next(op))["change"] == "ITEM_REMOVED"
        await update(api, eddie, id=compilation["id"], title="Renamed")
        assert event(await ws.next(op))["change"] == "DETAILS_CHANGED"
        assert (await step(api, SUBMIT, eddie, compilation["id"]))["errors"] == []
        submitted = event(await ws.next(op))
        assert (submitted["change"], submitted["status"], submitted["previousStatus"]) == (
            "STATUS_CHANGED", "IN_REVIEW", "DRAFT")
        # A failed write sends nothing.
        await update(api, eddie, id=compilation["id"], title="Not now")
        await ws.nothing_for(op, 0.3)
    finally:
        await ws.close()


async def test_a_deleted_draft_ends_its_followers_story(api: Api) -> None:
    eddie, erin = await editors(api)
    compilation = await create(api, eddie)
    ws = await connect(api, erin)
    try:
        op = await ws.subscribe(UPDATED, {"id": compilation["id"]})
        await asyncio.sleep(0.2)
        data = await api.gql(DELETE, {"id": compilation["id"]}, token=eddie.token)
        assert data["deleteCompilation"]["errors"] == []
        deleted = event(await ws.next(op))
        assert (deleted["change"], deleted["compilation"]) == ("DELETED", None)
    finally:
        await ws.close()
