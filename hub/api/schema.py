"""Assembles the Strawberry federation schema from the core slices and the plugins.

The media-type plugins decide two parts of the API at start-up: the ``RecordDetails`` union
(``Record.details``) and the ``@oneOf`` input ``RecordDetailsInput`` (``CreateRecordInput.details``
and ``UpdateRecordInput.details``). The slices declare those fields with stand-in types; this
module binds them to the plugin-built types before the schema is built.

Binding changes the slice types in place, so one process serves one plugin set: building a
second schema with different plugins raises (Strawberry's types are not isolated between
schemas: a type object carries one set of bound fields). Tests that change the plugin set
start a separate hub process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Annotated, Any, Union

import strawberry
from graphql import GraphQLError, GraphQLUnionType
from strawberry.annotation import StrawberryAnnotation
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition
from strawberry.types.execution import ExecutionContext

from hub.api.classes.mutations import ClassesMutation
from hub.api.classes.queries import ClassesQuery
from hub.api.classes.types import Class
from hub.api.collaborations.cover import CollaborationCoverMutation
from hub.api.collaborations.imports import CollaborationImportsMutation
from hub.api.collaborations.mutations import CollaborationsMutation
from hub.api.collaborations.queries import CollaborationsQuery
from hub.api.collaborations.subscriptions import CollaborationsSubscription
from hub.api.collaborations.types import Collaboration
from hub.api.community.mutations import CommunityMutation
from hub.api.compilations.history import EVENT_TYPES as HISTORY_EVENT_TYPES
from hub.api.compilations.mutations import (
    CompilationsMutation,
    CreateCompilationInput,
    UpdateCompilationInput,
)
from hub.api.compilations.queries import CompilationsQuery
from hub.api.compilations.types import Compilation
from hub.api.conversations.moderation import ModerationMutation, ModerationQuery
from hub.api.conversations.mutations import ConversationsMutation
from hub.api.conversations.types import Comment
from hub.api.errors import MaskUnexpectedErrors, tag_unexpected
from hub.api.federation import FederatedSchema
from hub.api.lineage.mutations import LineageMutation
from hub.api.media.mutations import MediaMutation
from hub.api.members.mutations import MembersMutation
from hub.api.members.queries import MembersQuery
from hub.api.members.set_subscription import SubscriptionMutation
from hub.api.members.types import Member
from hub.api.multiplex import SharedEventExecution
from hub.api.nodes import NodeQuery
from hub.api.notifications.mutations import NotificationsMutation
from hub.api.notifications.subscriptions import NotificationsSubscription
from hub.api.operation import PreparedOperation
from hub.api.realtime.subscriptions import RealtimeSubscription
from hub.api.records.mutations import CreateRecordInput, RecordsMutation, UpdateRecordInput
from hub.api.records.queries import RecordsQuery
from hub.api.records.types import Record
from hub.api.scalars import DATETIME, DECIMAL
from hub.api.suspension import RefuseSuspended
from hub.core.errors import ErrorCode
from hub.plugins import HubPlugins, PluginError

FEDERATION_VERSION = "2.11"

CORE_QUERIES: tuple[type, ...] = (NodeQuery, MembersQuery, RecordsQuery, ClassesQuery,
                                  CompilationsQuery, CollaborationsQuery, ModerationQuery)
CORE_MUTATIONS: tuple[type, ...] = (MembersMutation, RecordsMutation, LineageMutation,
                                    SubscriptionMutation, ClassesMutation, MediaMutation,
                                    CompilationsMutation, CollaborationsMutation,
                                    CollaborationImportsMutation, CollaborationCoverMutation,
                                    CommunityMutation, ConversationsMutation, ModerationMutation,
                                    NotificationsMutation)
CORE_SUBSCRIPTIONS: tuple[type, ...] = (RealtimeSubscription, CollaborationsSubscription,
                                         NotificationsSubscription)
CORE_TYPES: tuple[type, ...] = (Member, Record, Class, Compilation, Collaboration, Comment,
                                ErrorCode)
# The compilation history's event kinds: implementations of an interface are listed here.
CORE_TYPES += HISTORY_EVENT_TYPES


class HubSchema(FederatedSchema):
    """The federation schema; logs only unexpected errors (expected ones are the client's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Subscription payloads a group of subscribers shares are executed once for all
        # of them (hub/api/multiplex.py).
        kwargs.setdefault("execution_context_class", SharedEventExecution)
        super().__init__(*args, **kwargs)
        _speed_up_unions(self)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None,
    ) -> None:
        tag_unexpected(errors)


def _speed_up_unions(schema: HubSchema) -> None:
    """Resolve union members by the Python class of the value.

    Strawberry's generic union resolver tries every type of the schema in turn (~60 µs per
    object here: 20% of the feed's time with its `details` union). Our union members are
    plain Strawberry classes, so the class names the GraphQL type; anything else falls back
    to Strawberry's resolver.
    """
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLUnionType) or graphql_type.name.startswith("_"):
            continue
        members = {member.name for member in graphql_type.types}
        fallback = graphql_type.resolve_type

        def resolve(root: Any, info: Any, abstract: Any, *, _members: set[str] = members,
                    _fallback: Any = fallback) -> Any:
            definition = getattr(type(root), "__strawberry_definition__", None)
            if definition is not None and definition.name in _members:
                return definition.name
            return _fallback(root, info, abstract)

        graphql_type.resolve_type = resolve


_built: dict[tuple[Any, ...], HubSchema] = {}


def build_schema(plugins: HubPlugins) -> HubSchema:
    """The schema for this plugin set (built once per process, then reused). Settings that
    differ between hubs (limits, production mode) are read per request from the context."""
    signature = (
        tuple(sorted(plugins.media_types)),
        tuple(sorted(plugins.publishing_targets)),
        tuple(a.plugin for a in plugins.schema_additions),
    )
    if signature in _built:
        return _built[signature]
    if _built:
        raise RuntimeError(
            "this process already built the schema for another plugin set "
            f"({next(iter(_built))[0]}); start a new process for {signature[0]}"
        )
    schema = _assemble(plugins)
    _built[signature] = schema
    return schema


def _assemble(plugins: HubPlugins) -> HubSchema:
    if not plugins.media_types:
        raise PluginError("no media-type plugin is enabled; enable at least one (hub_writing…)")
    details_union: Any = Annotated[  # built from the plugins: a value, not a static type
        Union[tuple(m.details_type for m in plugins.media_types.values())],  # noqa: UP007
        strawberry.union("RecordDetails", description="Media-specific details of a record."),
    ]
    details_input = _one_of_input(plugins)
    _bind(Record, "details", details_union | None)
    _bind(CreateRecordInput, "details", details_input)
    _bind(UpdateRecordInput, "details", details_input | None)
    _bind_compilation_settings(plugins)

    queries = CORE_QUERIES + tuple(a.query for a in plugins.schema_additions if a.query)
    mutations = CORE_MUTATIONS + tuple(a.mutation for a in plugins.schema_additions if a.mutation)
    _refuse_collisions("Query", queries, plugins)
    _refuse_collisions("Mutation", mutations, plugins)
    extra_types = [t for a in plugins.schema_additions for t in a.types]
    return HubSchema(
        query=_root("Query", queries, "What can be read. Lists are Relay cursor connections "
                    "(`first`/`after` forward, `last`/`before` backward); objects you may not see "
                    "are null or absent, never an error."),
        mutation=_root("Mutation", mutations, "What can be changed. Each mutation takes one "
                       "`input` and answers a payload whose `errors` lists the expected problems "
                       "(nothing was written then). Most need a signed-in member "
                       "(Authorization: Bearer <token>; see `signUp` and `logIn`)."),
        subscription=_root("Subscription", CORE_SUBSCRIPTIONS, "Live changes over a WebSocket "
                           "(graphql-transport-ws). Each event has a `cursor`: subscribe again "
                           "with `after` set to the last one seen to resume without gaps."),
        types=[*CORE_TYPES, *(m.details_type for m in plugins.media_types.values()),
               *(t.settings_type for t in plugins.publishing_targets.values()), *extra_types],
        extensions=[
            MaskUnexpectedErrors,
            # Parsing (with the token cap), the limits, validation and the text check, once
            # per operation: the HTTP front door's preparation when it made one.
            PreparedOperation,
            # Suspended members read but do not write (hub/api/suspension.py).
            RefuseSuspended,
        ],
        federation_version=FEDERATION_VERSION,
        # Decimals in plain notation, parsed strictly (hub/compilations/scalars.py).
        config=StrawberryConfig(scalar_map={Decimal: DECIMAL, dt.datetime: DATETIME}),
    )


def _root(name: str, types: tuple[type, ...], description: str) -> type:
    """A root type merged from the slices' types, with its description."""
    merged = merge_types(name, types)
    get_object_definition(merged, strict=True).description = description
    return merged


def _one_of_input(plugins: HubPlugins) -> type:
    namespace: dict[str, Any] = {"__annotations__": {}}
    for media_type in plugins.media_types.values():
        namespace["__annotations__"][media_type.key] = media_type.input_type | None
        namespace[media_type.key] = strawberry.field(
            default=strawberry.UNSET, description=f"{media_type.label}: {media_type.description} "
            "Omitted for a record of another media type (exactly one member is given).",
        )
    cls = type("RecordDetailsInput", (), namespace)
    return strawberry.input(
        cls, one_of=True,
        description="Details of a record: exactly one member, named after its media type.",
    )


def _bind_compilation_settings(plugins: HubPlugins) -> None:
    """``Compilation.settings`` and ``Create``/``UpdateCompilationInput.settings`` from the publishing
    targets, like record details; with no target enabled they keep their stand-in types."""
    targets = list(plugins.publishing_targets.values())
    if not targets:
        return
    settings_union: Any = Annotated[  # built from the plugins: a value, not a static type
        Union[tuple(t.settings_type for t in targets)],  # noqa: UP007
        strawberry.union("CompilationSettings", description="Settings of a compilation's "
                         "publishing target."),
    ]
    namespace: dict[str, Any] = {"__annotations__": {}}
    for target in targets:
        namespace["__annotations__"][target.key] = target.settings_input_type | None
        namespace[target.key] = strawberry.field(
            default=strawberry.UNSET, description=f"{target.label}: {target.description} "
            "Omitted for another target (exactly one member is given).",
        )
    settings_input = strawberry.input(
        type("CompilationSettingsInput", (), namespace), one_of=True,
        description="Settings of a compilation: exactly one member, named after its target.",
    )
    _bind(Compilation, "settings", settings_union | None)
    _bind(CreateCompilationInput, "settings", settings_input | None)
    _bind(UpdateCompilationInput, "settings", settings_input | None)


def _bind(cls: type, field_name: str, annotation: Any) -> None:
    definition = get_object_definition(cls, strict=True)
    field = next(f for f in definition.fields if f.python_name == field_name)
    field.type_annotation = StrawberryAnnotation(annotation)
    # Keep the dataclass field in step, so introspection by Python tools agrees.
    for dataclass_field in dataclasses.fields(cls):
        if dataclass_field.name == field_name:
            dataclass_field.type = annotation


def _refuse_collisions(root: str, types: tuple[type, ...], plugins: HubPlugins) -> None:
    names = Counter(
        field.name for t in types for field in get_object_definition(t, strict=True).fields
    )
    duplicated = [name for name, count in names.items() if count > 1]
    if duplicated:
        owners = [a.plugin for a in plugins.schema_additions
                  if any(f.name in duplicated for t in (a.query, a.mutation) if t
                         for f in get_object_definition(t, strict=True).fields)]
        raise PluginError(
            f"{root} field(s) {', '.join(sorted(duplicated))} defined twice "
            f"(plugin {', '.join(repr(o) for o in owners) or '?'})"
        )


def printed_sdl(schema: HubSchema) -> str:
    """The subgraph SDL as ``_service { sdl }`` gives it (with the federation ``@link``)."""
    return schema.as_str() + "\n"
