"""An operation prepared once: parsed, measured against the limits, validated and its text
checked — before either the compiled path or the executor runs it.

The HTTP front door (hub/http/view.py) prepares each request's operation here and hands the same
:class:`Prepared` to the compiled path (which plans from its document) and, when that path
declines, to the executor: the schema's :class:`PreparedOperation` extension takes the document
and the verdicts from the request's context instead of parsing and validating again. Operations
that do not come through the front door (WebSocket messages, tests executing the schema) are
prepared by the same extension, with the same function.

The order is the executor's: a document that does not parse (or has more than MAX_TOKENS
tokens) stops there; an operation beyond a limit is refused before validation; a valid one is
refused when one of its strings cannot be text. :class:`Operations` counts the parses,
validations and limit checks it does (``counts``), so a test can see that a request is prepared
once.
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
    measure,
    variable_values,
)
from hub.api.text_check import unfit_text_error
from hub.core.config import Security
from hub.core.errors import CodedError

# Documents and validation verdicts kept per schema, by the document's text.
CACHE_SIZE = 512
VALIDATION_RULES = tuple(specified_rules)


@dataclass
class Counts:
    """Work done (cache misses included, cache hits not): what a test reads."""

    parsed: int = 0
    validated: int = 0
    measured: int = 0


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
    # The variables coerced as execution coerces them (hub/api/limits.py:variable_values);
    # None when they do not coerce. Read by the limits and the compiled path's binding.
    variable_values: Any = None
    # Raised before validation (a parse error, a limit, introspection switched off).
    raised: GraphQLError | CodedError | None = None
    # Validation's verdict: its errors, or the unfit-text error, or [] (the operation may run).
    errors: list[GraphQLError] = field(default_factory=list)

    @property
    def runnable(self) -> bool:
        return self.raised is None and not self.errors

    def serves(self, query: str | None, operation_name: str | None,
               variables: dict[str, Any] | None) -> bool:
        """Whether this preparation is of that execution's operation (the executor checks
        before reusing it)."""
        return (query == self.query and operation_name == self.operation_name
                and (variables is self.variables or variables == self.variables))


class Operations:
    """The preparations of one schema: its parse and validation caches, and the counts."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.counts = Counts()
        self._documents: LRUCache[str, DocumentNode] = LRUCache(maxsize=CACHE_SIZE)
        self._verdicts: LRUCache[str, list[GraphQLError]] = LRUCache(maxsize=CACHE_SIZE)

    def prepare(self, query: str, operation_name: str | None, variables: dict[str, Any] | None,
                security: Security | None) -> Prepared:
        """Parse, measure (when ``security`` is given), validate and check the text of one
        operation; the verdicts are on the returned :class:`Prepared`."""
        prepared = Prepared(query, operation_name, variables)
        try:
            prepared.document = self._parse(query)
        except GraphQLError as error:
            prepared.raised = error
            return prepared
        prepared.variable_values = variable_values(self.schema, prepared.document, variables,
                                                   operation_name)
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
        prepared.errors = self._validate(query, prepared.document)
        if not prepared.errors:
            unfit = unfit_text_error(prepared.document, operation_name, variables)
            if unfit is not None:
                prepared.errors = [unfit]
        return prepared

    def _parse(self, query: str) -> DocumentNode:
        document = self._documents.get(query)
        if document is None:
            self.counts.parsed += 1
            document = self._documents[query] = parse(query, max_tokens=MAX_TOKENS)
        return document

    def _validate(self, query: str, document: DocumentNode) -> list[GraphQLError]:
        verdict = self._verdicts.get(query)
        if verdict is None:
            self.counts.validated += 1
            verdict = self._verdicts[query] = validate_document(self.schema, document,
                                                                VALIDATION_RULES)
        return verdict


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
