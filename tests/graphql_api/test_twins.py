"""Every SQL twin, reached by a generated operation, answers exactly as the executor does.

The twins are enumerated from the registry (hub.compiled.twins), not listed by hand: for each
twinned (type, field) a path search over the schema finds the shortest way from ``Query`` to
the type through twinned fields, and the operation selects the field there (aliased, with the
least selection below it). Each operation runs compiled and through the executor, anonymous
and signed in, over data that exercises it (drafts, tombstones, a disabled plugin, classes),
and the answers must be strictly the same JSON; anonymously the compiled path must have
answered (one statement), and the field must have been reached with a value somewhere. A twin
added without a way to reach it fails its own test here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_composite_type,
)

from hub.api.compiled.plan import Registry
from hub.api.schema import build_schema
from hub.api.twins import twins
from hub.core.config import Settings
from hub.core.db.embedded import with_database
from hub.core.relay import decode_id, encode_id
from hub.http.app import create_app, create_hub
from hub.plugins import HubPlugins, create_plugins
from hub.seed.compilations import seed_compilations
from tests.api import Api, Member
from tests.graphql_api.test_compiled import both_ways, build_community
from tests.hubprocess import FIRST_PARTY_PLUGINS

TARGET = "twinUnderTest"  # the alias of the field each operation is about
# Roots first tried by the path search: a record by ID reaches drafts and tombstones.
ROOT_PREFERENCE = ("record", "member", "class", "records")


@dataclass(frozen=True)
class Step:
    """One field on the way to a type; ``on`` is the fragment's type when the field's type is
    abstract (a union of details types)."""

    field: str
    on: str | None = None


@dataclass(frozen=True)
class Operation:
    root: str
    text: str


def _fields_by_type(registry: Registry) -> dict[str, list[str]]:
    by_type: dict[str, list[str]] = {}
    for type_name, field_name in registry:
        by_type.setdefault(type_name, []).append(field_name)
    order = {name: i for i, name in enumerate(ROOT_PREFERENCE)}
    by_type["Query"].sort(key=lambda name: order.get(name, len(order)))
    return by_type


def paths(schema: GraphQLSchema, registry: Registry) -> dict[str, list[Step]]:
    """The shortest path from Query to every object type reachable through twinned fields
    whose twins render their selections."""
    by_type = _fields_by_type(registry)
    found: dict[str, list[Step]] = {"Query": []}
    queue = deque(["Query"])
    while queue:
        type_name = queue.popleft()
        parent = schema.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType)
        for field_name in by_type.get(type_name, []):
            spec = registry[(type_name, field_name)]
            # ``node`` answers only the types its request's ID names: no path to the others.
            if not spec.renders_selections or getattr(spec, "partial_variants", False):
                continue
            named = get_named_type(parent.fields[field_name].type)
            if isinstance(named, GraphQLObjectType):
                reached = [(named.name, Step(field_name))]
            elif is_composite_type(named):
                reached = [(possible.name, Step(field_name, possible.name))
                           for possible in schema.get_possible_types(named)]  # type: ignore[arg-type]
            else:
                continue
            for name, step in reached:
                if name not in found:
                    found[name] = [*found[type_name], step]
                    queue.append(name)
    return found


def _required_arguments(definition: GraphQLField) -> list[str]:
    return [name for name, argument in definition.args.items()
            if isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined]


def operation(schema: GraphQLSchema, path: list[Step], target: tuple[str, str]) -> Operation:
    """The query that selects ``target`` (aliased TARGET) at the end of ``path``, with the
    root field's required arguments as variables."""
    steps = [*path, Step(target[1])]
    definitions: list[GraphQLField] = []
    parent: Any = schema.query_type
    for step in steps:
        definitions.append(parent.fields[step.field])
        parent = schema.get_type(step.on) if step.on else get_named_type(definitions[-1].type)
    for step, definition in zip(steps[1:], definitions[1:], strict=True):
        if _required_arguments(definition):
            raise ValueError(f"{step.field} needs arguments: give the generator values for them")
    arguments = _required_arguments(definitions[0])

    def called(index: int) -> str:
        given = ", ".join(f"{name}: ${name}" for name in arguments)
        return f"{steps[index].field}({given})" if index == 0 and arguments \
            else steps[index].field

    selection = f"{TARGET}: {called(len(path))}"
    if is_composite_type(get_named_type(definitions[-1].type)):
        selection += " { __typename }"
    for index in reversed(range(len(path))):
        if path[index].on:
            selection = f"... on {path[index].on} {{ {selection} }}"
        selection = f"{called(index)} {{ {selection} }}"
    variables = ", ".join(f"${name}: {definitions[0].args[name].type}" for name in arguments)
    header = f"query Twin({variables})" if variables else "query Twin"
    return Operation(steps[0].field, f"{header} {{ {selection} }}")


def generated(schema: GraphQLSchema, registry: Registry,
              ) -> dict[tuple[str, str], Operation | str]:
    """An operation for every twin, or why there is none."""
    found = paths(schema, registry)
    operations: dict[tuple[str, str], Operation | str] = {}
    for twin in registry:
        if twin[0] not in found:
            operations[twin] = f"no path of twinned fields reaches {twin[0]} from Query"
            continue
        try:
            operations[twin] = operation(schema, found[twin[0]], twin)
        except ValueError as reason:
            operations[twin] = str(reason)
    return operations


def _collected() -> tuple[list[tuple[str, str]], dict[tuple[str, str], Operation | str]]:
    plugins = create_plugins(only=FIRST_PARTY_PLUGINS)
    schema = build_schema(plugins)._schema
    registry = twins(schema, plugins).registry
    return sorted(registry), generated(schema, registry)


TWINS, OPERATIONS = _collected()


@dataclass
class World:
    """The data every twin is exercised over, and the values of each root's arguments."""

    api: Api
    maker: Member
    variables: dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
async def world(
    pg_admin_url: str, template_database: str, plugins: HubPlugins,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[World]:
    """One database for the module (the tests only read): the demo community with its
    tombstones, notes on links, a record of a disabled plugin, and classes of each kind."""
    name = f"hub_twins_{os.getpid()}"
    await _admin(pg_admin_url, f'create database "{name}" template "{template_database}"')
    settings = replace(Settings(), data_dir=Path(tmp_path_factory.mktemp("twins")),
                       pool_min_size=1, pool_max_size=5)
    hub = await create_hub(settings, database_url=with_database(pg_admin_url, name),
                           plugins=plugins, run_migrations=False)
    try:
        async with TestClient(TestServer(create_app(hub))) as client:
            api = Api(client, hub)
            yield await _exercise(api)
    finally:
        await _admin(pg_admin_url, f'drop database if exists "{name}" with (force)')


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _exercise(api: Api) -> World:
    community = await build_community(api)
    maker: Member = community["maker"]
    db = api.hub.db
    await db.execute("update record_sources set note = 'Sampled the intro.' "
                     "where remix_id = $1", decode_id(community["remix"], "Record"))
    await db.execute("""update records set details = details
                         || '{"width": 640, "height": 480, "caption": "A harbour."}'
                         where media_type = 'image'""")
    disabled = await db.fetchval(
        "update records set media_type = 'unknown-plugin' where id = (select max(id) from records"
        " where status = 'PUBLISHED' and media_type = 'music') returning id")
    # A draft class; the demo's others are one with a free preview and one without.
    await db.execute("update classes set status = 'DRAFT' where id = (select min(id) from classes)")
    assert {row["free_preview"] for row in await db.fetch(
        "select free_preview from classes where status = 'PUBLISHED'")} == {True, False}
    # The maker teaches the draft, and takes the published class without a free preview with
    # an active subscription (lesson bodies, feedback threads, an enrollment, a completion).
    maker_id = decode_id(maker.id, "Member")
    await db.execute("insert into class_instructors (class_id, member_id) "
                     "select min(id), $1 from classes", maker_id)
    taken = await db.fetchval("select min(id) from classes where status = 'PUBLISHED' "
                              "and not free_preview")
    await db.execute("insert into enrollments (class_id, member_id) values ($1, $2)",
                     taken, maker_id)
    await db.execute("insert into subscriptions (member_id, status, source) "
                     "values ($1, 'ACTIVE', 'admin')", maker_id)
    await db.execute("insert into lesson_completions (member_id, lesson_id) "
                     "select $1, min(id) from lessons where class_id = $2", maker_id, taken)
    one_of_each = await db.fetch(
        "select distinct on (media_type) id from records where status = 'PUBLISHED' "
        "and deleted_at is null order by media_type, description is null, id")
    remix_of_remix = await db.fetchval(
        "select remix_id from record_sources where source_id = $1",
        decode_id(community["remix"], "Record"))
    ids = [community["remix"], community["draft"], encode_id("Record", remix_of_remix),
           encode_id("Record", disabled), *(encode_id("Record", row["id"]) for row in one_of_each)]
    handles = ["maker", await db.fetchval(
        "select m.handle from members m join records r on r.author_id = m.id "
        "where m.bio is not null group by m.handle order by count(*) desc limit 1")]
    # Follows and hearts: the maker follows the most prolific author (whose records are then
    # the maker's activity), three members follow the maker, the maker hearts the records.
    await db.execute("insert into member_follows (follower_id, followed_id) select $1, id "
                     "from members where handle = $2 on conflict do nothing", maker_id, handles[1])
    await db.execute("insert into member_follows (follower_id, followed_id) select id, $1 "
                     "from members where id <> $1 order by id limit 3 on conflict do nothing",
                     maker_id)
    await db.execute("insert into hearts (record_id, member_id) select id, $1 from records "
                     "where status = 'PUBLISHED' and author_id <> $1 on conflict do nothing",
                     maker_id)
    slugs = [row["slug"] for row in await db.fetch("select slug from classes order by id")]
    # Records offered to the demo collaborations (every state of a contribution), and the
    # collaborations themselves (a draft among them).
    ids += [encode_id("Record", row["record_id"]) for row in await db.fetch(
        "select distinct on (status) record_id from contributions order by status, id")]
    collaborations = [encode_id("Collaboration", row["id"]) for row in await db.fetch(
        "select id from collaborations order by id")]
    # The maker follows every collaboration: their calls join the maker's activity.
    await db.execute("insert into collaboration_follows (member_id, collaboration_id) "
                     "select $1, id from collaborations", maker_id)
    # The maker co-owns every collaboration but the draft: owners see why offers were declined.
    await db.execute("insert into collaboration_owners (collaboration_id, member_id) "
                     "select id, $1 from collaborations where status <> 'DRAFT'",
                     decode_id(maker.id, "Member"))
    # The demo's published compilations and a draft (editorial work: hidden from both viewers).
    async with db.transaction() as tx:
        assert await seed_compilations(tx, db, api.hub.plugins, api.hub.settings, 7) > 0
    # The maker is owed a line of every payout proposal (Member.payoutsConnection: their own),
    # with the breakdown of its largest line, and comments on each (commentsConnection).
    await db.execute("insert into payout_lines (proposal_id, member_id, amount_minor, share, "
                     "breakdown) select p.id, $1, 100, '0.010000', (select l.breakdown from "
                     "payout_lines l where l.proposal_id = p.id order by l.amount_minor desc "
                     "limit 1) from payout_proposals p", maker_id)
    await db.execute("insert into payout_comments (proposal_id, author_id, body) "
                     "select id, $1, 'Thanks, all!' from payout_proposals", maker_id)
    assert await db.fetchval("select count(*) from payout_lines where member_id = $1", maker_id)
    draft_compilation = await db.fetchval(
        "insert into compilations (title, description, target, settings, created_by) "
        "select 'Work in progress', '', target, settings, created_by from compilations "
        "order by id limit 1 returning id")
    # The maker reviewed the published compilations: their assignee, on their teams, with a
    # comment on the first item and one on the whole compilation (reviewComments: the team's).
    await db.execute("update compilations set assignee_id = $1 where status = 'PUBLISHED'",
                     maker_id)
    await db.execute("insert into compilation_editors (compilation_id, member_id) select id, "
                     "$1 from compilations where status = 'PUBLISHED' on conflict do nothing",
                     maker_id)
    await db.execute("insert into compilation_review_comments (compilation_id, item_id, "
                     "record_id, author_id, body, kind) select i.compilation_id, i.id, "
                     "i.record_id, $1, 'Lovely opening.', 'APPROVE' from compilation_items i "
                     "join compilations c on c.id = i.compilation_id "
                     "where c.status = 'PUBLISHED' and i.position = 1", maker_id)
    await db.execute("insert into compilation_review_comments (compilation_id, author_id, body) "
                     "select id, $1, 'Good to go.' from compilations where status = 'PUBLISHED'",
                     maker_id)
    compilations = [encode_id("Compilation", row["id"]) for row in await db.fetch(
        "select id from compilations order by id")]
    # The maker's inbox: a notification of each shape — one actor or a group of them (hearts:
    # no actor shown), about a record, a collaboration or a compilation the maker may see, and
    # about ones the maker may not (a deleted record, a draft collaboration, a draft
    # compilation: unavailable), read and unread.
    await db.execute("""
        insert into notifications (recipient_id, kind, actor_id, record_id, collaboration_id,
                                   compilation_id, group_key, read_at)
        select $1, k.kind, (select min(id) from members where id <> $1), k.record_id,
               k.collaboration_id, k.compilation_id, k.group_key, k.read_at
          from (values
            ('RECORD_REMIXED', (select min(id) from records where status = 'PUBLISHED'
                                and deleted_at is null), null::bigint, null::bigint,
             null::text, null::timestamptz),
            ('RECORD_HEARTED', (select min(id) from records where author_id = $1
                                and status = 'PUBLISHED'), null, null, 'record:day', now()),
            ('RECORD_COMMENTED', (select min(id) from records where deleted_at is not null),
             null, null, null, null),
            ('CONTRIBUTION_ACCEPTED', null, (select min(id) from collaborations
                                             where status = 'DRAFT'), null, null, null),
            ('FOLLOWED_COLLABORATION_CLOSING', null, (select min(id) from collaborations
                                                      where status = 'OPEN'), null, null, null),
            ('PAYOUT_PROPOSED', null, null, (select min(id) from compilations
                                             where status = 'PUBLISHED'), null, null),
            ('COMPILATION_RETURNED', null, null, $2::bigint, null, null)
          ) as k(kind, record_id, collaboration_id, compilation_id, group_key, read_at)
        """, maker_id, draft_compilation)
    await db.execute("insert into notification_actors (notification_id, member_id) "
                     "select n.id, m.id from notifications n, (select id from members "
                     "where id <> $1 order by id limit 2) m where n.group_key is not null "
                     "and n.recipient_id = $1",
                     maker_id)
    assert draft_compilation is not None and len(compilations) > 1
    await _conversations(db, maker_id, decode_id(community["remix"], "Record"),
                         decode_id(collaborations[0], "Collaboration"),
                         decode_id(compilations[0], "Compilation"))
    return World(api, maker, {
        "record": [{"id": record_id} for record_id in ids],
        "member": [{"handle": handle} for handle in handles],
        "class": [{"slug": slug} for slug in slugs],
        "collaboration": [{"id": collaboration_id} for collaboration_id in collaborations],
        "collaborations": [{}],
        "classes": [{}],
        "records": [{}],
        "members": [{}],
        "viewer": [{}],
        "compilation": [{"id": compilation_id} for compilation_id in compilations],
        "compilations": [{}],
        "publishingTargets": [{}],
        "mediaTypes": [{}],
        "node": [{"id": node_id} for node_id in (*ids[:3], maker.id, *compilations)],
        "nodes": [{"ids": [*ids[:3], maker.id, *compilations]}],
        "moderationQueue": [{}],
        "moderationLog": [{}],
    })


async def _conversations(db: Any, maker: int, record: int, collaboration: int,
                         compilation: int) -> None:
    """Comments on the remix in every state (anchored, quoted, mentioning, edited, deleted,
    hidden, with replies), on a collaboration, a lesson and a compilation (with the maker on
    its team); a report and a log entry. The maker moderates, so hidden content, histories,
    the queue and the log reach one of the two viewers."""
    other = await db.fetchval("select min(id) from members where id <> $1", maker)
    await db.execute("update members set role = 'MODERATOR' where id = $1", maker)
    await db.execute("insert into compilation_editors (compilation_id, member_id) "
                     "values ($1, $2) on conflict do nothing", compilation, maker)
    insert = ("insert into comments (author_id, record_id, collaboration_id, lesson_id, "
              "compilation_id, parent_id, body, body_html, mention_ids, at_seconds, quote, "
              "quote_offset, edited_at, deleted_at, hidden_at) values ($1, $2, $3, $4, $5, $6, "
              "$7, '<p>' || $7 || '</p>', $8, $9, $10, $11, $12, $13, $14) returning id")
    now = dt.datetime.now(dt.UTC)
    root = await db.fetchval(insert, other, record, None, None, None, None, "Lovely @maker",
                             [maker], 12.5, None, None, now, None, None)
    await db.execute("insert into comment_edits (comment_id, body) values ($1, 'Lovely')", root)
    await db.fetchval(insert, maker, record, None, None, None, root, "Thanks!", [], None, None,
                      None, None, None, None)
    await db.fetchval(insert, other, record, None, None, None, None, "This line", [], None,
                      "line", 3, None, None, None)
    await db.fetchval(insert, other, record, None, None, None, None, "", [], None, None, None,
                      None, now, None)
    hidden = await db.fetchval(insert, other, record, None, None, None, None, "Rude", [], None,
                               None, None, None, None, now)
    lesson = await db.fetchval("select min(id) from lessons")
    for subject in ((collaboration, None, None), (None, lesson, None), (None, None, compilation)):
        await db.fetchval(insert, maker, None, *subject, None, "A note", [], None, None, None,
                          None, None, None)
    await db.execute("insert into comment_reports (comment_id, reporter_id, reason, text) "
                     "values ($1, $2, 'SPAM', 'Ads')", root, maker)
    await db.execute("insert into moderation_log (actor_id, action, comment_id, member_id, "
                     "reason) values ($1, 'HIDE', $2, $3, 'Rude')", maker, hidden, other)


def _values(body: Any, key: str) -> list[Any]:
    """Every value under ``key`` anywhere in ``body``."""
    if isinstance(body, dict):
        return [*([body[key]] if key in body else []),
                *(value for child in body.values() for value in _values(child, key))]
    if isinstance(body, list):
        return [value for child in body for value in _values(child, key)]
    return []


@pytest.mark.parametrize("twin", TWINS, ids=[f"{t}.{f}" for t, f in TWINS])
async def test_every_twin_answers_as_the_executor(world: World, twin: tuple[str, str]) -> None:
    api = world.api
    assert api.hub.compiled is not None and twin in api.hub.compiled.registry
    generated_operation = OPERATIONS[twin]
    assert isinstance(generated_operation, Operation), generated_operation
    assert generated_operation.root in world.variables, \
        f"no seeded arguments for Query.{generated_operation.root}: add them to _exercise"
    spec = api.hub.compiled.registry[twin]
    seen: list[Any] = []
    for variables in world.variables[generated_operation.root]:
        for token in (None, world.maker.token):
            body, statements = await both_ways(api, generated_operation.text, variables,
                                               token=token)
            assert "errors" not in body, (generated_operation.text, variables, body)
            if token is None:
                assert statements == 1, f"not compiled: {generated_operation.text}"
            else:  # the session's lookup, then the one statement
                assert statements == 2, f"not compiled: {generated_operation.text}"
            seen.extend(_values(body["data"], TARGET))
    assert seen, f"never reached: {generated_operation.text}"
    if spec.renders_selections:  # an AlwaysNull twin is null by definition
        assert any(value is not None for value in seen), \
            f"always null: seed data that gives {twin[0]}.{twin[1]} a value"
