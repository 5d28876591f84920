"""``node(id:)`` and ``nodes(ids:)``: one resolver per entity type, registered by its slice.

Every entity resolves through its slice's DataLoader and visibility rule, so ``node`` shows
exactly what the type's own query would (a draft stays invisible to everyone but its author).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from hub.api.federation import sized_list
from hub.api.relay import Node
from hub.core.errors import BadRequest
from hub.core.relay import parse_id

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


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID; null if it does not exist or "
                      "is not visible to you.")
    async def node(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(
            description="A global ID, as any object's `id` gives it.")],
    ) -> Node | None:
        return await resolve_node(info.context, id)

    @strawberry.field(description=f"Objects by global ID, in order (at most {MAX_NODES}); null "
                      "for each that does not exist or is not visible to you.",
                      directives=sized_list(MAX_NODES))
    async def nodes(
        self, info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(
            description=f"Global IDs, at most {MAX_NODES}.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadRequest(f"ids: {len(ids)} IDs asked for; the maximum is {MAX_NODES}.")
        # Decode everything first: one malformed ID fails the field before any SQL runs.
        for global_id in ids:
            parse_id(global_id)
        return list(await asyncio.gather(*(resolve_node(info.context, i) for i in ids)))
