"""An operation prepared once: parsed, measured against the limits, validated and its text
checked — before either the compiled path or the executor runs it.

The HTTP front door (hub/http/view.py) prepares each request's operation here and hands the same
:class:`Prepared` to the compiled path (which plans from its document) and, when that path
declines, to the executor: the schema's :class:`PreparedOperation` extension takes the document
and the verdicts from the request's context instead of parsing and validating again. Operations
that do not come through the front door (WebSocket messages, tests executing the schema) are
prepared by the same extension, with the same function.

What the text of an operation settles whatever its variables is kept with its parsed document
(:class:`_Document`, one cache entry per text): validation's verdict, which operation runs for
each operation name, its variables' coercion for the small scalar values a page is usually sent
with, and what other layers derive from the text (``Prepared.derived``: the compiled plan). A
repeated request is then a few dictionary lookups before its statement.

The order is the executor's: a document that does not parse (or has more than MAX_TOKENS
tokens) stops there; an operation beyond a limit is refused before validation; a valid one is
refused when one of its strings cannot be text. :class:`Operations` counts the parses,
validations, limit checks and coercions it does (``counts``), so a test can see that a request
is prepared once.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    specified_rules,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from hub.api.limits import (
    INTROSPECTION_CACHE_SIZE,
    MAX_TOKENS,
    Measures,
    _introspection_key,
    _introspection_results,
    check,
    chosen_operation,
    coerce_variables,
    measure,
)
from hub.api.text_check import unfit_text_error
from hub.core.config import Security
from hub.core.errors import CodedError

# Documents (with their verdicts, coercions and derived plans) kept per schema, by their text.
CACHE_SIZE = 512
VALIDATION_RULES = tuple(specified_rules)
# Coercions remembered per operation (of variables that are all short scalars: see _scalar_key).
COERCIONS_PER_OPERATION = 64
LONGEST_REMEMBERED_STRING = 256
_MISSING = object()


@dataclass
class Counts:
    """Work done (cache misses included, cache hits not): what a test reads."""

    parsed: int = 0
    validated: int = 0
    measured: int = 0
    coerced: int = 0


@dataclass
class Prepared:
    """One request's operation and every verdict reached before running it. ``refusal`` is
    the first problem found (a parse error, a limit, validation errors, unfit text), as the
    errors the executor reports; empty when the operation may run."""

    query: str
    operation_name: str | None
    variables: dict[str, Any] | None
    document: DocumentNode | None = None
    measures: Measures | None = None
    # The variables coerced as execution coerces them (hub/api/limits.py:coerce_variables);
    # None when they do not coerce. Read by the limits and the compiled path's binding, and
    # shared with other requests that sent the same values: never changed.
    variable_values: Any = None
    # Raised before validation (a parse error, a limit, introspection switched off).
    raised: GraphQLError | CodedError | None = None
    # Validation's verdict: its errors, or the unfit-text error, or [] (the operation may run).
    errors: list[GraphQLError] = field(default_factory=list)
    # What other layers derive from this operation's text alone, keyed by who derived it (the
    # compiled path's plan, hub/api/compiled): shared by every request with the same text and
    # operation name, and dropped with the parsed document.
    derived: weakref.WeakKeyDictionary[Any, Any] | None = None

    @property
    def runnable(self) -> bool:
        return self.raised is None and not self.errors

    def serves(self, query: str | None, operation_name: str | None,
               variables: dict[str, Any] | None) -> bool:
        """Whether this preparation is of that execution's operation (the executor checks
        before reusing it)."""
        return (query == self.query and operation_name == self.operation_name
                and (variables is self.variables or variables == self.variables))


@dataclass
class _Chosen:
    """One operation name asked of a document: the operation that runs (None when there is no
    single one: validation words it), the coercions of its variables remembered, and what is
    derived from it (``Prepared.derived``)."""

    operation: OperationDefinitionNode | None
    coercions: LRUCache[tuple[Any, ...], Any] = field(
        default_factory=lambda: LRUCache(maxsize=COERCIONS_PER_OPERATION))
    derived: weakref.WeakKeyDictionary[Any, Any] = field(
        default_factory=weakref.WeakKeyDictionary)


@dataclass
class _Document:
    """A parsed document and what its text settles: validation's verdict (None until
    validated) and, per operation name that names one of its operations, a :class:`_Chosen`."""

    document: DocumentNode
    verdict: list[GraphQLError] | None = None
    chosen: dict[str | None, _Chosen] = field(default_factory=dict)

    def choose(self, operation_name: str | None) -> _Chosen:
        # (A name that is no string, `{"operationName": {}}`, picks nothing; the executor
        # words it.)
        if not isinstance(operation_name, str | None):
            return _Chosen(None)
        known = self.chosen.get(operation_name)
        if known is None:
            known = _Chosen(chosen_operation(self.document, operation_name))
            # Kept only for a name that picks an operation: other names cannot grow the entry.
            if known.operation is not None:
                self.chosen[operation_name] = known
        return known


class Operations:
    """The preparations of one schema: its documents cache, and the counts."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.counts = Counts()
        self._documents: LRUCache[str, _Document] = LRUCache(maxsize=CACHE_SIZE)

    def __len__(self) -> int:
        """How many documents are kept."""
        return len(self._documents)

    def prepare(self, query: str, operation_name: str | None, variables: dict[str, Any] | None,
                security: Security | None) -> Prepared:
        """Parse, measure (when ``security`` is given), validate and check the text of one
        operation; the verdicts are on the returned :class:`Prepared`."""
        prepared = Prepared(query, operation_name, variables)
        try:
            known = self._parse(query)
        except GraphQLError as error:
            prepared.raised = error
            return prepared
        prepared.document = known.document
        chosen = known.choose(operation_name)
        prepared.derived = chosen.derived
        prepared.variable_values = self._coerced(chosen, variables)
        if security is not None:
            self.counts.measured += 1
            prepared.measures = measure(self.schema, prepared.document, variables, operation_name,
                                        prepared.variable_values)
            if prepared.measures is not None:
                try:
                    if prepared.measures.introspection and not security.introspection:
                        raise CodedError("Introspection is disabled on this hub.",
                                         code="INTROSPECTION_DISABLED")
                    check(prepared.measures, security)
                except CodedError as error:
                    prepared.raised = error
                    return prepared
        prepared.errors = self._validate(known)
        if not prepared.errors:
            unfit = unfit_text_error(prepared.document, chosen.operation, variables)
            if unfit is not None:
                prepared.errors = [unfit]
        return prepared

    def _parse(self, query: str) -> _Document:
        known = self._documents.get(query)
        if known is None:
            self.counts.parsed += 1
            known = self._documents[query] = _Document(parse(query, max_tokens=MAX_TOKENS))
        return known

    def _validate(self, known: _Document) -> list[GraphQLError]:
        if known.verdict is None:
            self.counts.validated += 1
            known.verdict = validate_document(self.schema, known.document, VALIDATION_RULES)
        return known.verdict

    def _coerced(self, chosen: _Chosen, variables: dict[str, Any] | None) -> Any:
        """The variables coerced (hub/api/limits.py:coerce_variables), remembered for the
        short scalar values most requests send: coercion is a pure function of the operation
        and the values, and costs more than the rest of a repeated request's preparation."""
        if chosen.operation is None or not isinstance(variables or {}, dict):
            return None
        key = _scalar_key(variables)
        if key is not None:
            remembered = chosen.coercions.get(key, _MISSING)
            if remembered is not _MISSING:
                return remembered
        self.counts.coerced += 1
        coerced = coerce_variables(self.schema, chosen.operation, variables)
        if key is not None:
            chosen.coercions[key] = coerced
        return coerced


def _scalar_key(variables: dict[str, Any] | None) -> tuple[Any, ...] | None:
    """A key for variables that are all short strings, integers, booleans or nulls (each with
    its type: ``1`` and ``true`` coerce differently); None for any other value."""
    if not variables:
        return ()
    key = []
    for name, value in variables.items():
        kind = type(value)
        # (Floats are left out: 0.0 and -0.0 are one key but two values.)
        if not (value is None or kind is int or kind is bool
                or (kind is str and len(value) <= LONGEST_REMEMBERED_STRING)):
            return None
        key.append((name, kind, value))
    return tuple(key)


_operations: weakref.WeakKeyDictionary[GraphQLSchema, Operations] = weakref.WeakKeyDictionary()


def operations_of(schema: GraphQLSchema) -> Operations:
    """The :class:`Operations` of ``schema`` (one per schema, shared by every hub using it)."""
    operations = _operations.get(schema)
    if operations is None:
        operations = _operations[schema] = Operations(schema)
    return operations


class PreparedOperation(SchemaExtension):
    """The executor's parsing and validation: the front door's :class:`Prepared` when the
    request's context carries one for this operation (``context.prepared``), else a
    preparation made here. Replaces Strawberry's MaxTokensLimiter, ParserCache and
    ValidationCache, and runs the limits and the text check in the same single pass."""

    prepared: Prepared | None = None

    def _prepared(self) -> Prepared:
        if self.prepared is not None:
            return self.prepared
        execution = self.execution_context
        context = execution.context
        given = getattr(context, "prepared", None)
        if isinstance(given, Prepared) and given.serves(execution.query, execution.operation_name,
                                                        execution.variables):
            self.prepared = given
        else:
            settings = getattr(context, "settings", None)
            self.prepared = operations_of(execution.schema._schema).prepare(
                execution.query or "", execution.operation_name, execution.variables,
                settings.security if settings is not None else None,
            )
        return self.prepared

    def on_parse(self) -> Iterator[None]:
        prepared = self._prepared()
        if prepared.document is None and prepared.raised is not None:
            raise prepared.raised  # Strawberry reports it as the parse error
        self.execution_context.graphql_document = prepared.document
        yield

    def on_validate(self) -> Iterator[None]:
        prepared = self._prepared()
        if prepared.raised is not None:
            raise prepared.raised
        # Set (even to []): Strawberry validates only when nothing has.
        self.execution_context.pre_execution_errors = list(prepared.errors)
        yield

    def on_execute(self) -> Iterator[None]:
        """Pure introspection without aliases is answered from a per-schema cache."""
        prepared = self._prepared()
        key = None
        if prepared.measures is not None:
            key = _introspection_key(prepared.document, prepared.query, prepared.variables,
                                    prepared.operation_name, prepared.measures)
        if key is None:
            yield
            return
        execution = self.execution_context
        cache = _introspection_results.setdefault(
            execution.schema, LRUCache(maxsize=INTROSPECTION_CACHE_SIZE)
        )
        cached = cache.get(key)
        if cached is not None:
            execution.result = ExecutionResult(data=cached, errors=None)
        yield
        result = execution.result
        if cached is None and result is not None and not getattr(result, "errors", None):
            cache[key] = result.data
