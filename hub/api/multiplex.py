"""The execution side of multiplexed delivery (hub/realtime/multiplex.py): a subscription
event whose payload a group shares is executed once per (document, operation, variables), and
every subscription of the group sends that one result.

Strawberry executes a subscription's selection set for each payload its generator yields,
with the subscriber's own context. For a shared payload that would resolve the nested fields
(``record { author { handle } }``) once per subscriber; here the first execution is kept on
the payload and the others reuse it. The viewer is the group's (payloads are never shared
between viewers), so the result is the one each subscriber would have got.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from graphql import ExecutionResult, print_ast
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.realtime.multiplex import PREBUILT, SHARED_RESULTS, retrieve


class SharedEventExecution(StrawberryGraphQLCoreExecutionContext):
    """Executes shared subscription payloads once per document; everything else as usual."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        prebuilt = getattr(self.root_value, PREBUILT, None)
        if prebuilt is not None:  # the group's data, from a batched statement (hub/api/live/)
            return ExecutionResult(data=prebuilt, errors=None)
        results: dict[tuple[str, str], Any] | None = getattr(self.root_value, SHARED_RESULTS, None)
        if results is None:
            return super().execute_operation(serially)
        key = self._document_key()
        shared = results.get(key)
        if shared is None:
            shared = super().execute_operation(serially)
            if self.is_awaitable(shared):
                shared = asyncio.ensure_future(shared)
                shared.add_done_callback(retrieve)
            results[key] = shared
        # Shielded: one subscriber going away must not cancel the execution its group awaits.
        return asyncio.shield(shared) if isinstance(shared, asyncio.Future) else shared

    def _document_key(self) -> tuple[str, str]:
        loc = self.operation.loc
        document = loc.source.body if loc is not None else print_ast(self.operation)
        variables = orjson.dumps(self.variable_values, option=orjson.OPT_SORT_KEYS, default=repr)
        return f"{self.operation.name.value if self.operation.name else ''}\0{document}", \
            variables.decode()
