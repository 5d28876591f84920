"""Hostile input that once made the hub answer INTERNAL_SERVER_ERROR (or HTTP 500) is refused
with an error that names the problem: NUL characters and lone surrogates in any argument,
forged cursors, non-canonical global IDs, absurd Range headers, JSON bodies that are no
request, a lineage deeper than Python's recursion limit. The read cases run on the compiled
path and on the executor (the ``path`` fixture). tests/http/test_fuzz.py sends such values to every
argument of the schema.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from hub.core.relay import encode_id
from tests.api import CREATE_RECORD, Api, Member
from tests.media_files import nothing_left_behind, upload, wav
from tests.realtime_client import WsClient

NUL = "a\x00b"
SURROGATE = "a\ud800b"
ADD_SOURCE = """
mutation Add($input: AddSourceInput!) {
  addSource(input: $input) { record { id } errors { field message code } }
}
"""
ATTACH = """
mutation Attach($input: AttachMediaInput!) {
  attachMedia(input: $input) { record { id media { sha256 } } errors { field message code } }
}
"""


@pytest.fixture(params=["compiled", "executor"])
def path(request: pytest.FixtureRequest, api: Api) -> Iterator[str]:
    """Run the test once as the hub runs (compiled path first) and once executor-only."""
    if request.param == "executor":
        with api.executor_only():
            yield request.param
    else:
        yield request.param


def b64(raw: bytes | str) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]


async def refused(api: Api, query: str, variables: dict[str, Any], code: str,
                  token: str | None = None) -> dict[str, Any]:
    """Post an operation that must fail with one GraphQL error of ``code``; returns it."""
    status, body = await api.post(query, variables, token=token)
    assert status == 200, body
    assert codes(body) == [code], body
    return body["errors"][0]


# --- NUL characters and lone surrogates ----------------------------------------------------------

TEXT_ARGUMENTS = [
    ("query($v: String!) { member(handle: $v) { id } }", "member", "handle"),
    ("query($v: String!) { class(slug: $v) { id } }", "class", "slug"),
    ("query($v: String) { records(filter: {tag: $v}) { nodes { id } } }", "records", "filter.tag"),
    ("query($v: String) { records(filter: {search: $v}) { nodes { id } } }", "records",
     "filter.search"),
    ("query($v: String) { members(filter: {skill: $v}) { nodes { id } } }", "members",
     "filter.skill"),
    ("query($v: ID!) { record(id: $v) { id } }", "record", "id"),
    ("query($v: String) { records(after: $v) { nodes { id } } }", "records", "after"),
    ('mutation($v: String!) { logIn(input: {handle: $v, password: "x"}) { token } }', "logIn",
     "input.handle"),
]


@pytest.mark.parametrize("value", [NUL, SURROGATE], ids=["nul", "surrogate"])
@pytest.mark.parametrize(("query", "field", "argument"), TEXT_ARGUMENTS,
                         ids=[f"{f}.{a}" for _, f, a in TEXT_ARGUMENTS])
async def test_unfit_text_in_any_argument_is_invalid_input(
    api: Api, path: str, query: str, field: str, argument: str, value: str,
) -> None:
    error = await refused(api, query, {"v": value}, "INVALID_INPUT")
    assert error["extensions"]["field"] == field
    assert error["extensions"]["argument"] == argument
    what = "a NUL character (U+0000)" if value == NUL else "a lone surrogate (U+D800)"
    assert error["message"].startswith(f"{argument} (an argument of {field}) contains {what}")


async def test_unfit_text_is_found_in_literals_defaults_and_nested_input(
    api: Api, path: str,
) -> None:
    literal = await refused(api, 'query { member(handle: "a\\u0000b") { id } }', {},
                            "INVALID_INPUT")
    assert literal["extensions"]["argument"] == "handle"
    default = await refused(
        api, 'query($v: String = "a\\u0000b") { records(filter: {tag: $v}) { nodes { id } } }',
        {}, "INVALID_INPUT")
    assert default["extensions"]["argument"] == "filter.tag"
    in_fragment = await refused(
        api, 'query { ...F } fragment F on Query { class(slug: "x\\u0000") { id } }', {},
        "INVALID_INPUT")
    assert in_fragment["extensions"]["field"] == "class"
    listed = await refused(api, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                           {"ids": ["UmVjb3JkOjE", SURROGATE]}, "INVALID_INPUT")
    assert listed["extensions"]["argument"] == "ids.1"


async def test_unfit_text_in_mutation_input_writes_nothing(api: Api, path: str) -> None:
    ada = await api.sign_up("ada")
    cases = [
        ({"title": "ok", "tags": ["fine", NUL], "details": {"writing": {
            "form": "POEM", "text": "x"}}}, "input.tags.1"),
        ({"title": "ok", "details": {"writing": {"form": "POEM", "text": "x" + SURROGATE}}},
         "input.details.writing.text"),
        ({"title": NUL, "details": {"writing": {"form": "POEM", "text": "x"}}}, "input.title"),
    ]
    for record_input, argument in cases:
        error = await refused(api, CREATE_RECORD, {"input": record_input}, "INVALID_INPUT",
                              token=ada.token)
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": "createRecord",
                                       "argument": argument}
    signed_up = await refused(api, """mutation($h: String!) { signUp(input: {handle: $h,
        displayName: "X", password: "a long passphrase"}) { token } }""", {"h": NUL},
                              "INVALID_INPUT")
    assert signed_up["extensions"]["argument"] == "input.handle"
    assert await api.hub.db.fetchval("select count(*) from records") == 0
    assert await api.hub.db.fetchval("select count(*) from members") == 1


async def test_unfit_text_in_a_subscription_is_invalid_input(api: Api) -> None:
    ws = await WsClient.connect(api.client.session, str(api.client.make_url("/graphql")))
    try:
        for value in (NUL, SURROGATE):
            op = await ws.subscribe("subscription($m: String) { recordPublished(mediaType: $m) "
                                    "{ cursor } }", {"m": value})
            message = await ws.next(op)
            assert message["type"] == "error", message
            assert [e["extensions"] for e in message["payload"]] == [{
                "code": "INVALID_INPUT", "field": "recordPublished", "argument": "mediaType"}]
    finally:
        await ws.close()


async def test_an_unfit_operation_name_is_a_400(api: Api) -> None:
    for name in (NUL, SURROGATE):
        response = await api.client.post(
            "/graphql", data=json.dumps({"query": "query A { __typename }", "operationName": name}),
            headers={"Content-Type": "application/json"})
        assert response.status == 400
        body = await response.json()
        assert codes(body) == ["BAD_REQUEST"] and "operationName contains" in str(body)


async def test_a_text_upload_with_a_nul_after_its_first_8_kib_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Words")
    text = b"word " * 2000 + b"\x00" + b"more words"
    status, body = await upload(api, ATTACH, {"input": {"recordId": record["id"], "file": None}},
                                {"input.file": ("story.txt", text, "text/plain")},
                                token=ada.token)
    assert status == 200, body
    assert body["data"]["attachMedia"]["errors"] == [{
        "field": "file", "code": "UNSUPPORTED_FILE_TYPE",
        "message": "The file's contents are application/octet-stream (a NUL byte at byte "
                   "10,000 makes it no text); writing records accept text/plain."}]
    await nothing_left_behind(api.hub)


# --- addSource's note ---------------------------------------------------------------------------


async def test_add_source_note_problems_are_payload_errors(api: Api) -> None:
    ada = await api.sign_up("ada")
    source = await api.create_record(ada, "Source", publish=True)
    remix = await api.create_record(ada, "Remix")
    data = await api.gql(ADD_SOURCE, {"input": {
        "recordId": remix["id"], "sourceId": source["id"], "note": "n" * 501}}, token=ada.token)
    assert data["addSource"] == {"record": None, "errors": [{
        "field": "note", "code": "TOO_LONG",
        "message": "note is 501 characters long; the maximum is 500."}]}
    everything = await api.gql(ADD_SOURCE, {"input": {
        "recordId": "nonsense", "sourceId": source["id"], "note": "n" * 501}}, token=ada.token)
    assert [(e["field"], e["code"]) for e in everything["addSource"]["errors"]] == [
        ("recordId", "INVALID_ID"), ("note", "TOO_LONG")]
    error = await refused(api, ADD_SOURCE, {"input": {
        "recordId": remix["id"], "sourceId": source["id"], "note": NUL}}, "INVALID_INPUT",
        token=ada.token)
    assert error["extensions"]["argument"] == "input.note"
    assert await api.hub.db.fetchval("select count(*) from record_sources") == 0


# --- cursors ------------------------------------------------------------------------------------

FORGED_CURSORS = {
    "infinite number": b'["2020-01-01T00:00:00+00:00", 1e400]',
    "id over int64": b'["2020-01-01T00:00:00+00:00", 99999999999999999999]',
    "id at 2**63": b'["2020-01-01T00:00:00+00:00", 9223372036854775808]',
    "fractional id": b'["2020-01-01T00:00:00+00:00", 1.5]',
    "id as text": b'["2020-01-01T00:00:00+00:00", "12"]',
    "year 10000": b'["10000-01-01", 1]',
    "UTC before year 1": b'["0001-01-01T00:00:00+14:00", 1]',
    "UTC after year 9999": b'["9999-12-31T23:59:59-14:00", 1]',
    "NUL": b'["\\u0000", 1]',
    "lone surrogate": b'["\\ud800", 1]',
    "wrong arity": b'[1, 2, 3]',
    "empty": b"[]",
    "an object": b'{"a": 1}',
    "nested": b'[[1], [2]]',
    "not JSON": b"not json",
}
DATES = {"year 10000", "UTC before year 1", "UTC after year 9999"}
LISTS = {
    "records NEWEST": "query($a: String) { records(after: $a) { nodes { id } } }",
    "records TITLE": "query($a: String) { records(orderBy: TITLE, after: $a) { nodes { id } } }",
    "records before": "query($a: String) { records(last: 2, before: $a) { nodes { id } } }",
    "members": "query($a: String) { members(after: $a) { nodes { id } } }",
    "classes": "query($a: String) { classes(after: $a) { nodes { id } } }",
    "compilations": "query($a: String) { compilations(after: $a) { nodes { id } } }",
}


@pytest.mark.parametrize("forged", FORGED_CURSORS, ids=list(FORGED_CURSORS))
async def test_forged_cursors_are_invalid_cursor(api: Api, path: str, forged: str) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Remix", publish=True)
    cursor = b64(FORGED_CURSORS[forged])
    for name, query in LISTS.items():
        if name == "records TITLE" and forged in DATES:
            continue  # a fine title to start after
        error = await refused(api, query, {"a": cursor}, "INVALID_CURSOR")
        assert "cursor" in error["message"], (name, error)
    for connection in ("sources", "remixes"):
        error = await refused(
            api, f"query($id: ID!, $a: String) {{ record(id: $id) {{ {connection}(after: $a) "
                 "{ nodes { id } } } }", {"id": record["id"], "a": cursor}, "INVALID_CURSOR")
        assert "cursor" in error["message"]


async def test_real_cursors_still_page(api: Api, path: str) -> None:
    ada = await api.sign_up("ada")
    for title in ("B", "A", "C"):
        await api.create_record(ada, title, publish=True)
    query = """query($a: String) { records(orderBy: TITLE, first: 1, after: $a) {
        nodes { title } pageInfo { endCursor } } }"""
    titles, cursor = [], None
    for _ in range(3):
        page = (await api.gql(query, {"a": cursor}))["records"]
        titles += [node["title"] for node in page["nodes"]]
        cursor = page["pageInfo"]["endCursor"]
    assert titles == ["A", "B", "C"]


# --- global IDs ---------------------------------------------------------------------------------


async def test_only_canonical_global_ids_are_accepted(api: Api, path: str) -> None:
    ada = await api.sign_up("ada")
    for _ in range(10):
        record = await api.create_record(ada, "Ten", publish=True)
    assert record["id"] == encode_id("Record", 10)
    query = "query($id: ID!) { record(id: $id) { title } }"
    assert (await api.gql(query, {"id": record["id"]}))["record"] == {"title": "Ten"}
    for lenient in ("Record:1_0", "Record:١٠", "Record: 10 ", "Record:010", "Record:+10",
                    "Record:10\n", "Record:10.0", "Record:0x0a"):
        error = await refused(api, query, {"id": b64(lenient)}, "INVALID_ID")
        assert "is not a valid ID" in error["message"], lenient
    _, body = await api.post("query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                                  {"ids": [b64("Record:1_0")]})
    assert codes(body) == ["INVALID_ID"], body
    publish = await api.gql("""mutation($id: ID!) { publishRecord(input: {id: $id}) {
        errors { field code } } }""", {"id": b64("Record:١٠")}, token=ada.token)
    assert publish["publishRecord"]["errors"] == [{"field": "id", "code": "INVALID_ID"}]


# --- HTTP ----------------------------------------------------------------------------------------


async def test_a_range_header_with_4300_digits(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {}}, publish=True)
    sound = wav()
    status, body = await upload(api, ATTACH, {"input": {"recordId": record["id"], "file": None}},
                                {"input.file": ("hum.wav", sound, "audio/wav")}, token=ada.token)
    assert status == 200 and body["data"]["attachMedia"]["errors"] == [], body
    path = f"/media/{body['data']['attachMedia']['record']['media'][0]['sha256']}"
    huge = "9" * 4300
    to_the_end = await api.client.get(path, headers={"Range": f"bytes=0-{huge}"})
    assert to_the_end.status == 206 and await to_the_end.read() == sound
    beyond = await api.client.get(path, headers={"Range": f"bytes={huge}-"})
    assert beyond.status == 416
    last = await api.client.get(path, headers={"Range": f"bytes=-{huge}"})
    assert last.status == 206 and await last.read() == sound
    padded = await api.client.get(path, headers={"Range": f"bytes={'0' * 4300}10-19"})
    assert padded.status == 206 and await padded.read() == sound[10:20]


async def test_other_routes_take_unfit_text_in_their_path_as_not_found(api: Api) -> None:
    for path in (f"/publications/{'0' * 64}/a%00b", "/records/%00/lineage.svg",
                 f"/media/{'0' * 63}%00"):
        response = await api.client.get(path)
        assert response.status == 404, (path, await response.text())


@pytest.mark.parametrize("body", [b'"hello"', b"12", b"null", b"true", b"  ",
                                  b"[" * 100_000 + b"]" * 100_000,
                                  b'{"query": "{ __typename }", "variables": {"a": '
                                  + b"[" * 100_000 + b"]" * 100_000 + b"}}"],
                         ids=["string", "number", "null", "true", "blank", "deep array",
                              "deep variables"])
async def test_json_bodies_that_are_no_request_are_a_400(api: Api, body: bytes) -> None:
    response = await api.client.post("/graphql", data=body,
                                      headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert response.content_type == "application/json"
    assert codes(await response.json()) == ["BAD_REQUEST"]


async def test_a_multipart_request_whose_operations_are_no_request_is_a_400(api: Api) -> None:
    ada = await api.sign_up("ada")
    for operations, files_map in (('"hello"', "{}"),
                                  ("[" * 100_000 + "]" * 100_000, '{"0": ["variables.f"]}')):
        form = aiohttp.FormData(default_to_multipart=True)
        form.add_field("operations", operations)
        form.add_field("map", files_map)
        if files_map != "{}":
            form.add_field("0", b"x", filename="x.txt", content_type="text/plain")
        response = await api.client.post("/graphql", data=form, headers={
            "GraphQL-Require-Preflight": "1", "Authorization": f"Bearer {ada.token}"})
        assert response.status == 400
        assert codes(await response.json()) == ["BAD_REQUEST"]
    await nothing_left_behind(api.hub)


async def test_the_lineage_picture_of_a_420_long_chain(api: Api) -> None:
    """430 records within the default depth, with a path of 420 remixes through them."""
    await api.sign_up("ada")
    db = api.hub.db
    author = await db.fetchval("select id from members where handle = 'ada'")
    ids = await db.fetchval(
        """with made as (
             insert into records (author_id, media_type, title, license, status, published_at)
             select $1, 'writing', 'R' || n, 'CC_BY_4_0', 'PUBLISHED', now()
             from generate_series(1, 430) n returning id)
           select array_agg(id order by id) from made""", author)
    chain, hubs, root = ids[:420], ids[420:429], ids[429]
    edges = [(remix, source, 1) for source, remix in itertools.pairwise(chain)]
    edges += [(root, hub, position) for position, hub in enumerate(hubs, 1)]
    # The first hub names the end of the chain: drawing walks up all of it from there.
    edges += [(hubs[i // 47], record, i % 47 + 2) for i, record in enumerate(reversed(chain))]
    await db.executemany("insert into record_sources (remix_id, source_id, position) "
                         "values ($1, $2, $3)", edges)
    response = await api.client.get(f"/records/{encode_id('Record', root)}/lineage.svg"
                                    "?direction=ANCESTORS")
    assert response.status == 200, await response.text()
    svg = await response.text()
    assert "430 records" in svg
    assert svg.count("<rect") >= 430


# --- the compiled path -------------------------------------------------------------------------


async def test_a_statement_refused_for_its_values_is_no_twin_bug(
    api: Api, caplog: pytest.LogCaptureFixture,
) -> None:
    """A value PostgreSQL refuses (SQLSTATE class 22) is the request's fault: answered at once
    as an input error, never run again by the executor, and the log does not blame a twin; any
    other failure is a twin's bug: a warning, and the executor answers."""
    ada: Member = await api.sign_up("ada")
    await api.create_record(ada, "Shown", publish=True)
    compiled = api.hub.compiled
    assert compiled is not None
    make = compiled.statement
    query = "{ records(first: 1) { nodes { title } } }"
    for statement, level in (("select (coalesce($1::bigint, 1) / 0)::text", logging.INFO),
                             ("select $1::bigint::text || no_such_column", logging.WARNING)):
        def broken(plan: Any, variables: dict[str, Any], viewer_id: int | None,
                   coerced: Any = None, *, statement: str = statement) -> tuple[str, list[Any]]:
            make(plan, variables, viewer_id, coerced)
            return statement, [viewer_id]

        compiled.statement = broken  # type: ignore[method-assign]
        caplog.clear()
        before = api.statements()
        with caplog.at_level(logging.DEBUG, logger="hub.api.compiled"):
            _, body = await api.post(query)
        failures = [r for r in caplog.records if "compiled statement" in r.message]
        assert [r.levelno for r in failures] == [level], statement
        assert not [r for r in caplog.records if r.exc_info], statement
        if level == logging.INFO:
            assert body["data"] is None and body["errors"][0]["extensions"]["code"] == \
                "BAD_USER_INPUT", body
            assert api.statements() - before == 1  # not run again by the executor
        else:
            assert body == {"data": {"records": {"nodes": [{"title": "Shown"}]}}}
