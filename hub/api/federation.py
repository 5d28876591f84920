"""Apollo Federation v2: what the hub does as one subgraph among many.

The hub is served behind a router (Apollo Router, Hive Gateway, ``@apollo/gateway``); the
router asks it for ``_service { sdl }`` (composition) and ``_entities(representations:)``
(joins from other subgraphs). This module holds everything federation-specific:

* :class:`FederatedSchema` answers ``_entities`` slot by slot. Each representation is
  checked (an object, a ``__typename`` naming an entity of this subgraph, its key fields
  present and strings) and then resolved through the type's ``resolve_reference``, whose
  awaitables are gathered, so the DataLoaders batch a whole call into one SQL statement per
  type. A representation that fails gives ``null`` in its slot and an error whose path is
  ``_entities.<i>``; the other slots still resolve. An unknown or invisible entity (a draft
  of someone else) gives the same ``NOT_FOUND`` error, so nothing tells them apart. A call
  with more than :data:`MAX_REPRESENTATIONS` representations is refused as a whole.
* :func:`priced_connection` marks a connection field with ``@cost`` and ``@listSize``, and
  :func:`sized_list` marks any other field that returns a list of objects with ``@listSize``,
  so a router's demand control — and the hub's own cost limit (hub/limits.py) — can price a
  query before running it. tests/graphql_api/test_limits.py fails on a list field without its size.

How to make a new type an entity (``Class``, ``Compilation``…)::

    @strawberry.federation.type(keys=["id"], description="…")
    class Class(Node):
        id: strawberry.ID
        ...

        @classmethod
        async def resolve_reference(
            cls, info: Info, id: strawberry.ID, **_representation: Any,
        ) -> Class | None:
            # Through the request's DataLoader and the slice's visibility rule; None when the
            # viewer may not see it (this module turns None into a NOT_FOUND slot error).
            return await load_class(info.context, decode_id(id, "Class"))

How to price a new connection field (a ``Connection[...]`` return with
``first``/``after``/``last``/``before``)::

    from hub.api.federation import priced_connection

    @strawberry.field(description="…", directives=priced_connection())
    async def lessons(self, info: Info, first: int | None = None, ...) -> Connection[Lesson]:

How to size a list field (any ``list[SomeObject]`` return; lists of scalars need nothing)::

    from hub.api.federation import sized_list

    @strawberry.field(description="…", directives=sized_list(MAX_LESSONS))
    async def lessons(self, info: Info) -> list[Lesson]:

with the list's hard cap (what the resolver never exceeds), or :data:`UNCAPPED_LIST_SIZE` and a
comment where nothing caps it.

Then regenerate ``schema/hub.graphql`` (``recordhub schema > schema/hub.graphql``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

import strawberry
from graphql import GraphQLError
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import Cost, Key, ListSize
from strawberry.types import Info
from strawberry.types.base import StrawberryObjectDefinition

from hub.core.errors import BadRequest, CodedError
from hub.core.loaders import MAX_BATCH
from hub.core.relay import DEFAULT_PAGE_SIZE

# At most one DataLoader batch per type, so a full call still costs one statement per type.
MAX_REPRESENTATIONS = MAX_BATCH

# ``@cost`` weight of a connection field: it runs (at least) one SQL statement, which costs
# more than resolving a plain object field (weight 1 by default in demand control).
CONNECTION_WEIGHT = 5

# The price of a list nothing caps (a compilation's history, a member's payouts): a full page.
UNCAPPED_LIST_SIZE = 100

# A mutation payload's `errors`: at most one per input field, and no input has this many.
MAX_USER_ERRORS = 20

# Keyword names ``resolve_reference`` cannot take from a representation: they are bound by
# the call itself (a representation field named ``info`` must not replace the real one).
_RESERVED_ARGUMENTS = frozenset({"cls", "self", "info"})

# Echoed client input is cut short so an error never carries a huge payload back.
_ECHO_LIMIT = 60


def priced_connection(
    assumed_size: int = DEFAULT_PAGE_SIZE, slicing_arguments: Sequence[str] = ("first", "last"),
) -> list[object]:
    """``@cost`` and ``@listSize`` for a cursor connection field.

    ``slicing_arguments`` size the page (``edges`` and ``nodes``); name only arguments the
    field has (composition rejects others). Without any, a page holds ``assumed_size``
    items (the hub's default page size).
    """
    return [
        Cost(weight=CONNECTION_WEIGHT),
        ListSize(
            assumed_size=assumed_size,
            slicing_arguments=list(slicing_arguments),
            sized_fields=["edges", "nodes"],
            require_one_slicing_argument=False,
        ),
    ]


def sized_list(assumed_size: int) -> list[object]:
    """``@listSize(assumedSize:)`` for a field returning a list of objects without slicing
    arguments: ``assumed_size`` is the most entries it holds (its cap), which the cost limit
    multiplies everything selected under it by."""
    unset: Any = strawberry.UNSET  # left out of the printed SDL
    return [ListSize(assumed_size=assumed_size, slicing_arguments=unset, sized_fields=unset,
                     require_one_slicing_argument=unset)]


class NotFound(CodedError):
    """An entity that does not exist or that the viewer may not see (the same answer)."""

    code = "NOT_FOUND"


class FederatedSchema(strawberry.federation.Schema):
    """``strawberry.federation.Schema`` with a per-slot, validated, capped ``_entities``."""

    def entities_resolver(
        self, info: Info, representations: list[FederationAny],
    ) -> list[FederationAny]:
        # Strawberry sets this method's return annotation to ``list[_Entity | None]`` when it
        # builds the Query type; the names above must be importable at run time for that.
        if len(representations) > MAX_REPRESENTATIONS:
            raise BadRequest(
                f"_entities: {len(representations)} representations in one request; the "
                f"maximum is {MAX_REPRESENTATIONS}. Split them across requests.",
                limit=MAX_REPRESENTATIONS,
            )
        return [
            cast("FederationAny", self._resolve_representation(info, representation))
            for representation in representations
        ]

    def _resolve_representation(self, info: Info, representation: Any) -> Any:
        """The entity, an awaitable of it, or the error for this slot (returned, not raised,
        so graphql-core puts it at ``_entities.<i>`` and the other slots still resolve)."""
        try:
            origin, keys = self._entity_of(representation)
            type_name = representation["__typename"]
            key_values = _key_values(type_name, keys, representation)
            resolve_reference = origin.resolve_reference
            arguments = _arguments(resolve_reference, representation, info)
            result = resolve_reference(**arguments)
        except Exception as error:
            # This slot's error: coded ones reach the caller, anything else gets masked.
            return error
        description = f"{type_name} with {_describe(key_values)}"
        if inspect.isawaitable(result):
            return _found(result, description)
        return result if result is not None else _not_found(description)

    def _entity_of(self, representation: Any) -> tuple[Any, list[list[str]]]:
        """The Python class of the representation's entity type and its key field sets."""
        type_name = representation.get("__typename") if isinstance(representation, dict) else None
        if not isinstance(type_name, str):
            raise BadRequest("A representation must be an object with a string `__typename`.")
        entities = self._entities_by_name
        if type_name not in entities:
            raise BadRequest(
                f"{_echo(type_name)!r} is not an entity type of this subgraph "
                f"(it resolves {', '.join(sorted(entities))})."
            )
        return entities[type_name]

    @functools.cached_property
    def _entities_by_name(self) -> dict[str, tuple[Any, list[list[str]]]]:
        """Entity type name -> (Python class, key field sets), read once from the schema."""
        entities = {}
        for name, type_ in self.schema_converter.type_map.items():
            definition = getattr(type_, "definition", None)
            if not isinstance(definition, StrawberryObjectDefinition):
                continue
            keys = [
                str(directive.fields).split()
                for directive in definition.directives or ()
                if isinstance(directive, Key)
            ]
            if keys and hasattr(definition.origin, "resolve_reference"):
                entities[name] = (definition.origin, keys)
        return entities


def _key_values(type_name: str, keys: list[list[str]], representation: dict[str, Any]) -> dict[str, str]:
    """The fields of the first key the representation satisfies; every hub key is an ID."""
    for fields in keys:
        if all(field in representation for field in fields):
            values = {field: representation[field] for field in fields}
            for field, value in values.items():
                if not isinstance(value, str):
                    raise BadRequest(
                        f"{type_name}.{field} in a representation must be a string ID.",
                        code="INVALID_ID",
                    )
            return values
    wanted = " or ".join(f"`{' '.join(fields)}`" for fields in keys)
    raise BadRequest(f"A {type_name} representation needs its key field(s) {wanted}.")


def _arguments(resolve_reference: Any, representation: dict[str, Any], info: Info) -> dict[str, Any]:
    """Keyword arguments for ``resolve_reference``: the representation's fields (extra ones
    too, when it takes ``**kwargs``) and ``info`` when it asks for it."""
    names, takes_any = _parameters(resolve_reference)
    arguments = {
        name: value for name, value in representation.items()
        if name != "__typename" and name not in _RESERVED_ARGUMENTS and (takes_any or name in names)
    }
    if "info" in names:
        arguments["info"] = info
    return arguments


@functools.cache
def _parameters(function: Callable[..., Any]) -> tuple[frozenset[str], bool]:
    parameters = inspect.signature(function).parameters.values()
    names = frozenset(p.name for p in parameters if p.kind is not inspect.Parameter.VAR_KEYWORD)
    return names, any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


async def _found(awaitable: Awaitable[Any], description: str) -> Any:
    entity = await awaitable
    return entity if entity is not None else _not_found(description)


def _not_found(description: str) -> GraphQLError:
    return NotFound(f"No {description} that you can see.")


def _describe(key_values: dict[str, str]) -> str:
    return ", ".join(f"{field} {_echo(value)!r}" for field, value in key_values.items())


def _echo(text: str) -> str:
    return text if len(text) <= _ECHO_LIMIT else text[:_ECHO_LIMIT] + "…"
