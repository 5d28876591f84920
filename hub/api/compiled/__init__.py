"""Compiled queries: read-only operations answered by one SQL statement.

graphql-core executes a response field by field, a few microseconds each; a feed page has
thousands of fields. When every field an operation selects has an SQL twin (declared by the
slice that owns it, in ``hub/<slice>/compiled.py``), :class:`CompiledQueries` turns the
operation into one statement that builds the whole ``data`` object in PostgreSQL, and the
HTTP view (hub/compiled/http.py) returns it as it comes. Everything else — and any request
whose arguments the resolvers would refuse — goes through the ordinary executor, which is the
reference: tests/test_compiled.py runs every operation both ways and compares the answers.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from cachetools import LRUCache
from graphql import GraphQLError, GraphQLSchema, parse, validate

from hub.api.compiled.derive import Report, derive
from hub.api.compiled.plan import NotCompilable, Plan, compile_operation
from hub.api.limits import MAX_TOKENS
from hub.plugins import HubPlugins

log = logging.getLogger("hub.api.compiled")

# Plans kept, least recently used dropped first; keyed by the document's hash, so a document
# padded with a megabyte of comments costs 32 bytes of key, not a megabyte.
PLAN_CACHE_SIZE = 512


def twins(schema: GraphQLSchema, plugins: HubPlugins) -> Report:
    """Every field's SQL twin, or why it has none (hub/api/compiled/derive.py)."""
    from hub.api.records.twins import details_twins

    return derive(schema, extra=details_twins(schema, plugins))


class CompiledQueries:
    """The plans of one schema, cached by document text and operation name."""

    def __init__(self, schema: GraphQLSchema, plugins: HubPlugins) -> None:
        self.schema = schema
        self.report = twins(schema, plugins)
        self.registry = self.report.registry
        self._plans: LRUCache[tuple[bytes, str | None], Plan | None] = LRUCache(
            maxsize=PLAN_CACHE_SIZE
        )

    def plan(self, query: str, operation_name: str | None) -> Plan | None:
        """The plan of this operation, or None when the ordinary executor must answer."""
        key = (hashlib.sha256(query.encode("utf-8", "surrogatepass")).digest(), operation_name)
        if key in self._plans:
            return self._plans[key]  # a lookup marks it recently used
        plan = self._plans[key] = self._compile(query, operation_name)
        return plan

    def _compile(self, query: str, operation_name: str | None) -> Plan | None:
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError:
            return None
        if validate(self.schema, document):
            return None
        try:
            return compile_operation(self.schema, self.registry, document, operation_name)
        except NotCompilable as reason:
            log.debug("not compiled (%s): %s", reason, operation_name or query[:80])
            return None

    def statement(
        self, plan: Plan, variables: dict[str, Any], viewer_id: int | None,
    ) -> tuple[str, list[Any]]:
        """The statement and parameters of one request; :class:`NotCompilable` when this
        request's arguments must go to the ordinary executor."""
        return plan.bind(self.schema, variables, viewer_id)
