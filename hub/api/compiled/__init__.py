"""Compiled queries: read-only operations answered by one SQL statement.

graphql-core executes a response field by field, a few microseconds each; a feed page has
thousands of fields. When every field an operation selects has an SQL twin (derived from the
type's table, or declared by the slice that owns the field in ``hub/api/<slice>/twins.py``),
:class:`CompiledQueries` turns the operation into one statement that builds the whole ``data``
object in PostgreSQL, and the HTTP front door (hub/http/view.py, hub/http/compiled.py)
returns it as it comes. It plans from the document the front door prepared
(hub/api/operation.py): nothing is parsed or validated here. Everything else — and any
request whose arguments the resolvers would refuse — goes through the ordinary executor,
which is the reference: tests/graphql_api/test_compiled.py runs every operation both ways
and compares the answers.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import DocumentNode, GraphQLSchema

from hub.api.compiled.derive import Report
from hub.api.compiled.plan import NotCompilable, Plan, compile_operation
from hub.api.operation import Prepared, operations_of

log = logging.getLogger("hub.api.compiled")
_UNPLANNED: Any = object()  # no plan made yet (None is a plan's absence: not compilable)


class CompiledQueries:
    """The plans of one schema. ``report`` is every field's twin (hub/api/twins.py).

    A plan is kept with the parsed document it was made from (``Prepared.derived``,
    hub/api/operation.py), so plans are as many as the documents the front door keeps, and a
    request finds its plan without hashing its text again."""

    def __init__(self, schema: GraphQLSchema, report: Report) -> None:
        self.schema = schema
        self.report = report
        self.registry = self.report.registry

    def plan(self, query: str, operation_name: str | None) -> Plan | None:
        """The plan of this operation, or None when the ordinary executor must answer (for
        callers without a prepared operation; the same caches as :meth:`plan_for`)."""
        return self.plan_for(operations_of(self.schema).prepare(query, operation_name, None, None))

    def plan_for(self, prepared: Prepared) -> Plan | None:
        """The plan of an operation the front door prepared (parsed, limited, validated: none
        of it is done again here), or None when the ordinary executor must answer."""
        if not prepared.runnable or prepared.document is None:
            return None  # the executor words the refusal
        kept = prepared.derived
        if kept is None:
            return self._compile(prepared.document, prepared.operation_name)
        plan: Plan | None = kept.get(self, _UNPLANNED)
        if plan is _UNPLANNED:
            plan = kept[self] = self._compile(prepared.document, prepared.operation_name)
        return plan

    def _compile(self, document: DocumentNode, operation_name: str | None) -> Plan | None:
        try:
            return compile_operation(self.schema, self.registry, document, operation_name)
        except NotCompilable as reason:
            log.debug("not compiled (%s): %s", reason, operation_name or "an operation")
            return None

    def statement(
        self, plan: Plan, variables: dict[str, Any], viewer_id: int | None,
        coerced: Any = None,
    ) -> tuple[str, list[Any]]:
        """The statement and parameters of one request; :class:`NotCompilable` when this
        request's arguments must go to the ordinary executor. ``coerced``: the variables
        as the front door coerced them, when it did (else coerced here)."""
        return plan.bind(self.schema, variables, viewer_id, coerced)
