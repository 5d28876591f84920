"""``node(id:)`` and ``nodes(ids:)``: one resolver per entity type, registered by its slice.

Every entity resolves through its slice's DataLoader and visibility rule, so ``node`` shows
exactly what the type's own query would (a draft stays invisible to everyone but its author).

Compiled: ``node`` and ``nodes`` have twins (:class:`NodeById`, :class:`NodesByIds`) for the
types whose visibility is declared as SQL (:data:`NODE_SOURCES`: the row's table and the
slice's one visibility rule). An ID of another type (a lesson, an enrollment or a comment,
whose visibility is decided by their parent's; a payout proposal…), or a selection the type's
twins cannot answer, goes to the executor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, cast

import strawberry
from strawberry.types import Info

from hub.api.compiled.derive import twin
from hub.api.compiled.plan import Bound, Builder, NotCompilable, Selection, Spec
from hub.api.federation import sized_list
from hub.api.relay import Node
from hub.core.errors import BadRequest
from hub.core.relay import parse_id
from hub.core.rules import EVERY_ROW, Condition, Table
from hub.domain.classes import rules as class_rules
from hub.domain.compilations import rules as compilation_rules
from hub.domain.members import rules as member_rules
from hub.domain.records import rules as record_rules

MAX_NODES = 100

NodeResolver = Callable[[Any, int], Awaitable[Any]]
_resolvers: dict[str, NodeResolver] = {}


def node_resolver(type_name: str) -> Callable[[NodeResolver], NodeResolver]:
    """Register how to fetch a ``type_name`` by primary key for ``node``/``nodes``."""

    def register(resolver: NodeResolver) -> NodeResolver:
        _resolvers[type_name] = resolver
        return resolver

    return register


def has_node_resolver(type_name: str) -> bool:
    """Whether a slice registered ``type_name`` (subscriptions use it to check subjects)."""
    return type_name in _resolvers


async def resolve_node(context: Any, global_id: str) -> Any:
    type_name, pk = parse_id(global_id)
    resolver = _resolvers.get(type_name)
    if resolver is None:
        raise BadRequest(f"ID {global_id!r} does not name a known type.", code="INVALID_ID")
    return await resolver(context, pk)


# The types ``node``/``nodes`` answer in SQL: each one's table and its slice's visibility rule
# (the same declarations their executor loaders read).
NODE_SOURCES: dict[str, tuple[Table, Condition]] = {
    "Record": (record_rules.RECORDS, record_rules.VISIBLE),
    "Member": (member_rules.MEMBERS, EVERY_ROW),
    "Compilation": (compilation_rules.COMPILATIONS, compilation_rules.VISIBLE),
    "Class": (class_rules.CLASSES, class_rules.VISIBLE),
    # Seen by whoever sees its class, as the executor's loader reads it (classes/store.py).
    "Submission": (class_rules.SUBMISSIONS, class_rules.of_class(class_rules.VISIBLE)),
}


def _node_key(global_id: str) -> tuple[str, int]:
    """The (type, pk) of an ID the twin can answer; :class:`NotCompilable` otherwise (the
    executor words a malformed ID's error, or resolves a type the twin does not know)."""
    try:
        type_name, pk = parse_id(global_id)
    except BadRequest:
        raise NotCompilable("invalid id") from None
    if type_name not in NODE_SOURCES:
        raise NotCompilable(f"{type_name} node")
    return type_name, pk


def _node_sql(selection: Selection, b: Builder, type_name: str, pk: str) -> str:
    variant = selection.variants.get(type_name)
    if variant is None:  # some field selected on the type has no twin
        raise NotCompilable(f"selection of {type_name}")
    table, visible = NODE_SOURCES[type_name]
    n = b.alias("n")
    return (f"(select {b.object(type_name, variant, n)} from {table.name} {n} "
            f"where {n}.id = {pk} and {visible.sql(n, b.VIEWER)})")


class NodeById(Spec):
    """``Query.node(id)``: the object of a type in :data:`NODE_SOURCES`, null when missing or
    not visible."""

    partial_variants = True  # a type whose twins miss a selected field is left out

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        type_name, pk = _node_key(arguments["id"])
        return Bound(type_name, (pk,))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        type_name = cast(str, b.bound(selection).shape)  # what bind() made it
        return _node_sql(selection, b, type_name, b.param(selection, 0, "bigint"))


class NodesByIds(Spec):
    """``Query.nodes(ids)``: :class:`NodeById` for each ID, in order."""

    partial_variants = True

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        ids = arguments["ids"]
        if len(ids) > MAX_NODES:
            raise NotCompilable("too many ids")
        keys = [_node_key(global_id) for global_id in ids]
        return Bound(tuple(type_name for type_name, _ in keys), tuple(pk for _, pk in keys))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        types = cast(tuple[str, ...], b.bound(selection).shape)  # what bind() made it
        values = [_node_sql(selection, b, type_name, b.param(selection, index, "bigint"))
                  for index, type_name in enumerate(types)]
        return f"json_build_array({', '.join(values)})"


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID; null if it does not exist or "
                      "is not visible to you.", metadata=twin(NodeById()))
    async def node(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(
            description="A global ID, as any object's `id` gives it.")],
    ) -> Node | None:
        return await resolve_node(info.context, id)

    @strawberry.field(description=f"Objects by global ID, in order (at most {MAX_NODES}); null "
                      "for each that does not exist or is not visible to you.",
                      directives=sized_list(MAX_NODES), metadata=twin(NodesByIds()))
    async def nodes(
        self, info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(
            description=f"Global IDs (at most {MAX_NODES}); the answer has one entry per ID, in "
            "the same order.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadRequest(f"ids: {len(ids)} IDs asked for; the maximum is {MAX_NODES}.")
        # Decode everything first: one malformed ID fails the field before any SQL runs.
        for global_id in ids:
            parse_id(global_id)
        return list(await asyncio.gather(*(resolve_node(info.context, i) for i in ids)))
