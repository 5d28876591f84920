"""Fuzzing: schemathesis generates operations for every Query and Mutation field from the
live schema and sends them, anonymously and signed in, to a running hub.

What must hold for every generated operation: no 5xx, no stack trace in the body, no
masked "Internal server error" (a bug the caller cannot fix), and no traceback in the hub's
log. GraphQL errors themselves are fine: most random inputs are rightly refused.

Below it, a deterministic walk sends the values that break things (NUL, lone surrogates,
megabyte strings, numbers out of range, forged IDs and cursors) to every argument.
"""

from __future__ import annotations

import asyncio
import base64
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.api.schema import build_schema
from hub.plugins import HubPlugins
from hub.seed.demo import DEMO_PASSWORD
from tests.hubprocess import running_hub

EXAMPLES_PER_FIELD = 8

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a [test] extra")
# Files travel as multipart parts, which random JSON cannot carry: send a string instead,
# which the hub must refuse cleanly.
schemathesis.graphql.scalar("Upload", st.just("not a file").map(schemathesis.graphql.nodes.String))
# Decimals travel as strings: well-formed ones and anything else (which must be refused).
schemathesis.graphql.scalar("Decimal", st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f")),
    st.text(max_size=50),
).map(schemathesis.graphql.nodes.String))


def fuzz(url: str, headers: dict[str, str]) -> dict[str, int]:
    schema = schemathesis.graphql.from_url(url)
    counts = {"operations": 0, "fields": 0}
    for result in schema.get_all_operations():
        strategy = result.ok().as_strategy()
        counts["fields"] += 1

        @settings(max_examples=EXAMPLES_PER_FIELD, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def send(case: Any) -> None:
            response = case.call(headers=headers, timeout=30)
            counts["operations"] += 1
            assert response.status_code < 500, (case.body, response.text)
            assert "Traceback" not in response.text
            assert "INTERNAL_SERVER_ERROR" not in response.text, (case.body, response.text)

        send()
    return counts


async def test_fuzzing_finds_no_server_error(database_url: str, tmp_path: Path) -> None:
    async with running_hub(database_url, tmp_path) as hub:
        signed = await hub.gql("""mutation { signUp(input: {handle: "fuzzer",
            displayName: "Fuzzer", password: "a long passphrase"}) { token } }""")
        token = signed["data"]["signUp"]["token"]
        url = f"{hub.base_url}/graphql"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            anonymous = await asyncio.to_thread(fuzz, url, {})
            member = await asyncio.to_thread(fuzz, url, {"Authorization": f"Bearer {token}"})
        log = hub.log.read_text()
    assert "Traceback" not in log, log
    total = anonymous["operations"] + member["operations"]
    print(f"fuzzed {total} operations over {anonymous['fields']} fields")
    assert anonymous["fields"] >= 20 and total >= anonymous["fields"] * 4


# --- hostile values, systematically -------------------------------------------------------------
#
# Random examples rarely hit the values that break things. This walk is deterministic and is
# generated from the schema: every argument of every Query and Mutation field, every input
# field inside them (at any depth), and every argument of the fields reachable from Query
# (`Record.sources(after:)`, `Compilation.creditSplit(pool:)`…) gets each hostile value of its
# type, one request each, anonymously and signed in as an admin. A new field is covered the day
# it is added. No answer may be a 5xx or an INTERNAL_SERVER_ERROR, and the hub's log must stay
# free of tracebacks, unexpected errors and twins blamed for a request's values.

NUL, SURROGATE, MEGABYTE = "a\x00b", "a\ud800b", "x" * 1_000_000
HUGE = "@@1e400@@"  # a JSON number no double holds, written raw into the body


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


FORGED_IDS = [_b64(text) for text in (
    "Record:1_0", "Record:١٠", "Record: 10 ", "Record:99999999999999999999", "Record:-1",
    "Nothing:1", "Record:\x00",
)] + ["!!!", ""]
FORGED_CURSORS = [_b64(text) for text in (
    "[1e400]", '["\\u0000"]', "[99999999999999999999]", '["10000-01-01"]',
    '["0001-01-01T00:00:00+14:00", 1]', '["2020-01-01T00:00:00+00:00", 1e400]',
    '["\\u0000", 1]', "[1, 2, 3]", "[[1], [2]]", "[]", "{}",
)] + ["not a cursor"]
NUMBERS: list[Any] = [2**31, 2**63, -1, -(2**63) - 1, 1e308, HUGE, 0.5]
TEXTS = [NUL, SURROGATE, MEGABYTE]


@dataclass(frozen=True)
class Leaf:
    """An argument, or an input field inside one: its path from the argument and its type."""

    path: tuple[str | int, ...]
    type_name: str
    name: str


@dataclass(frozen=True)
class Target:
    """A field that takes arguments, with the path of fields that reaches it from the root."""

    operation: str
    steps: tuple[tuple[Any, str | None], ...]  # (GraphQLField name and definition, fragment type)
    name: str
    field: Any


class Known:
    """IDs and names of real objects (from the demo data), so the fields around the argument
    under attack resolve and the resolver behind it runs."""

    def __init__(self, ids: dict[str, str], handle: str, slug: str) -> None:
        self.ids = ids
        self.handle = handle
        self.slug = slug

    def id_for(self, name: str, type_hint: str | None) -> str:
        """An ID for an argument or input field: ``recordId`` takes a record's; ``id`` one of
        the type the field returns or the input names (``UpdateClassInput``)."""
        stem = name.removesuffix("s").removesuffix("Id").lower()
        by_length = sorted(self.ids, key=len, reverse=True)
        for type_name in by_length:
            if type_name.lower() == stem or (stem == "id" and type_name in (type_hint or "")):
                return self.ids[type_name]
        return self.ids["Record"]

    def scalar(self, named: Any, name: str, type_hint: str | None) -> Any:
        if isinstance(named, GraphQLEnumType):
            return next(iter(named.values))
        return {
            "ID": lambda: self.id_for(name, type_hint),
            "String": lambda: {"handle": self.handle, "slug": self.slug, "currency": "USD",
                               "amount": "10", "weight": "1", "target": "book",
                               "password": "a long passphrase"}.get(name, "x"),
            "Int": lambda: 1, "Float": lambda: 1.0, "Boolean": lambda: False,
            "_Any": lambda: {"__typename": "Record", "id": self.ids["Record"]},
            "JSON": lambda: {}, "DateTime": lambda: "2024-01-01T00:00:00+00:00",
            "Upload": lambda: None,
        }.get(named.name, lambda: "x")()

    def value(self, type_: Any, name: str, type_hint: str | None,
              focus: tuple[str | int, ...] | None = None, hostile: Any = None) -> Any:
        """A valid value of ``type_``; with ``focus``, the hostile value at that path in it."""
        if isinstance(type_, GraphQLNonNull):
            return self.value(type_.of_type, name, type_hint, focus, hostile)
        if focus == ():
            return hostile
        if isinstance(type_, GraphQLList):
            if focus is None:
                return [] if name != "ids" else [self.ids["Record"]]
            return [self.value(type_.of_type, name, type_hint, focus[1:], hostile)]
        if isinstance(type_, GraphQLInputObjectType):
            chosen = focus[0] if focus else None
            if type_.is_one_of:
                names = [chosen or next(iter(type_.fields))]
            else:
                names = [n for n, f in type_.fields.items()
                         if n == chosen or (isinstance(f.type, GraphQLNonNull)
                                            and f.default_value is Undefined)]
            return {n: self.value(type_.fields[n].type, n, type_.name,
                                  focus[1:] if n == chosen else None, hostile) for n in names}
        return self.scalar(type_, name, type_hint)


def leaves(type_: Any, path: tuple[str | int, ...], name: str, seen: frozenset[str]) -> list[Leaf]:
    """Every scalar or enum position inside a value of ``type_`` (lists count as one item)."""
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        return leaves(type_.of_type, (*path, 0), name, seen)
    if isinstance(type_, GraphQLInputObjectType):
        if type_.name in seen:
            return []
        return [leaf for field_name, field in type_.fields.items()
                for leaf in leaves(field.type, (*path, field_name), field_name,
                                   seen | {type_.name})]
    return [Leaf(path, type_.name, name)]


def hostile_values(leaf: Leaf) -> list[Any]:
    if leaf.type_name in ("Int", "Float"):
        return NUMBERS
    if leaf.type_name == "Boolean":
        return []
    if leaf.type_name == "_Any":
        return [NUL, *({"__typename": "Record", "id": value} for value in TEXTS + FORGED_IDS)]
    if leaf.type_name == "JSON":
        return [{"text": NUL}, {"text": SURROGATE}]
    if leaf.type_name == "Upload":
        return ["not a file", NUL]
    values = list(TEXTS)
    if leaf.type_name == "ID":
        values += FORGED_IDS
    if leaf.name in ("after", "before"):
        values += FORGED_CURSORS
    return values


def targets(schema: GraphQLSchema) -> list[Target]:
    """Every field with arguments: the root fields of Query and Mutation, and the fields of
    every object type reachable from Query (by its shortest path)."""
    found = [Target("mutation", (), name, field) for name, field in
             schema.mutation_type.fields.items() if field.args]  # type: ignore[union-attr]
    query = schema.query_type
    assert query is not None
    queue: list[tuple[GraphQLObjectType, tuple[tuple[Any, str | None], ...]]] = [(query, ())]
    seen = {query.name}
    while queue:
        parent, steps = queue.pop(0)
        for name, field in parent.fields.items():
            if field.args:
                found.append(Target("query", steps, name, field))
            named = get_named_type(field.type)
            if name.startswith("_") or not isinstance(named, GraphQLObjectType
                                                      | GraphQLInterfaceType | GraphQLUnionType):
                continue
            for possible in schema.get_possible_types(named) if is_abstract_type(named) \
                    else [named]:
                if possible.name not in seen and len(steps) < 5:
                    seen.add(possible.name)
                    condition = possible.name if is_abstract_type(named) else None
                    queue.append((possible, (*steps, ((name, field), condition))))
    return found


def literal(value: Any, type_: Any) -> str:
    """``value`` (valid for ``type_``) written in GraphQL."""
    named = get_named_type(type_)
    if isinstance(value, dict) and isinstance(named, GraphQLInputObjectType):
        fields = ", ".join(f"{k}: {literal(v, named.fields[k].type)}" for k, v in value.items())
        return f"{{{fields}}}"
    if isinstance(value, list):
        return f"[{', '.join(literal(item, named) for item in value)}]"
    if isinstance(named, GraphQLEnumType):
        return str(value)
    return json.dumps(value)


def operation(target: Target, argument: str, known: Known) -> str:
    """The document for ``target`` with ``argument`` as the variable ``$v`` and every other
    required argument, along the whole path, written as a valid literal."""
    def arguments(field: Any, vary: str | None, hint: str) -> str:
        written = []
        for arg_name, arg in field.args.items():
            if arg_name == vary:
                written.append(f"{arg_name}: $v")
            elif isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined:
                value = known.value(arg.type, arg_name, hint)
                written.append(f"{arg_name}: {literal(value, arg.type)}")
        return f"({', '.join(written)})" if written else ""

    head = target.field.args[argument].type
    selection = "" if is_leaf_type(get_named_type(target.field.type)) else " { __typename }"
    hint = get_named_type(target.field.type).name
    inner = f"{target.name}{arguments(target.field, argument, hint)}{selection}"
    for (name, field), condition in reversed(target.steps):
        body = f"... on {condition} {{ {inner} }}" if condition else inner
        hint = condition or get_named_type(field.type).name
        inner = f"{name}{arguments(field, None, hint)} {{ {body} }}"
    return f"{target.operation}($v: {head}) {{ {inner} }}"


@dataclass(frozen=True)
class Case:
    """One request: ``hostile`` at ``leaf`` of ``argument`` of ``target``."""

    target: Target
    argument: str
    leaf: Leaf
    hostile: Any

    @property
    def label(self) -> str:
        where = ".".join(map(str, (self.argument, *self.leaf.path)))
        return f"{self.target.name}({where}) = {str(self.hostile)[:40]!r}"

    def body(self, known: Known) -> bytes:
        hint = get_named_type(self.target.field.type).name
        value = known.value(self.target.field.args[self.argument].type, self.argument, hint,
                            self.leaf.path, self.hostile)
        document = operation(self.target, self.argument, known)
        text = json.dumps({"query": document, "variables": {"v": value}})
        return text.replace(f'"{HUGE}"', "1e400").encode()


def cases(schema: GraphQLSchema) -> list[Case]:
    """Every request to send: each hostile value at each leaf of each argument."""
    return [Case(target, argument, leaf, hostile)
            for target in targets(schema)
            for argument, arg in target.field.args.items()
            for leaf in leaves(arg.type, (), argument, frozenset())
            for hostile in hostile_values(leaf)]


async def known_objects(hub: Any, token: str) -> Known:
    data = (await hub.gql("""{
        records(first: 1) { nodes { id author { id handle } } }
        compilations(first: 1) { nodes { id items { id } } }
        classes(first: 5) { nodes { id slug lessons { id submissions(first: 1) {
            nodes { id } } } } } }""", token=token))["data"]
    record = data["records"]["nodes"][0]
    compilation = data["compilations"]["nodes"][0]
    ids = {"Record": record["id"], "Member": record["author"]["id"],
           "Compilation": compilation["id"]}
    if compilation["items"]:
        ids["CompilationItem"] = compilation["items"][0]["id"]
    classes = data["classes"]["nodes"]
    ids["Class"] = classes[0]["id"]
    lessons = [lesson for klass in classes for lesson in klass["lessons"]]
    if lessons:
        ids["Lesson"] = lessons[0]["id"]
    submissions = [s for lesson in lessons for s in lesson["submissions"]["nodes"]]
    if submissions:
        ids["Submission"] = submissions[0]["id"]
    return Known(ids, record["author"]["handle"], classes[0]["slug"])


async def send_all(hub: Any, known: Known, all_cases: list[Case], token: str | None) -> list[str]:
    """Send every case (a few at a time); the labels of the answers that broke a rule."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    broken: list[str] = []
    gate = asyncio.Semaphore(4)

    async def send(case: Case) -> None:
        async with gate, hub.session.post(f"{hub.base_url}/graphql", data=case.body(known),
                                          headers=headers) as response:
            text = await response.text()
        if response.status >= 500 or "INTERNAL_SERVER_ERROR" in text:
            broken.append(f"{case.label} ({'anonymous' if token is None else 'admin'}): "
                          f"{response.status} {text[:300]}")

    await asyncio.gather(*(send(case) for case in all_cases))
    return broken


async def test_hostile_values_in_every_argument_find_no_internal_error(
    database_url: str, tmp_path: Path, plugins: HubPlugins,
) -> None:
    all_cases = cases(build_schema(plugins)._schema)
    async with running_hub(database_url, tmp_path, args=("--demo",),
                           HUB_MUTATIONS_PER_MINUTE="1000000",
                           HUB_LOGIN_ATTEMPTS_PER_MINUTE="1000000") as hub:
        signed = await hub.gql("""mutation($p: String!) { logIn(input: {handle: "ada",
            password: $p}) { token } }""", {"p": DEMO_PASSWORD})
        token = signed["data"]["logIn"]["token"]
        known = await known_objects(hub, token)
        broken = (await send_all(hub, known, all_cases, None)
                  + await send_all(hub, known, all_cases, token))
        log = hub.log.read_text()
    fields = {case.target.name for case in all_cases}
    print(f"sent {2 * len(all_cases)} hostile requests to {len(fields)} fields")
    assert len(fields) >= 60
    assert not broken, "\n".join(broken[:20])
    for sign in ("Traceback", "unexpected error", "WARNING hub.compiled"):
        assert sign not in log, log[log.index(sign) - 200: log.index(sign) + 2000]
