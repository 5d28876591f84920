"""Suspended members read but do not write: the one check, for every mutation of the hub.

Every mutation — the slices', the plugins', over HTTP or a WebSocket — is executed by the
schema, so this extension is the one place that sees them all: when the operation is a
mutation and the viewer's row (read with the bearer token, no extra statement) says the
member is suspended, nothing runs and the answer is the GraphQL error ``SUSPENDED``.
Queries and subscriptions go on as for anyone.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from hub.core.errors import Suspended


class RefuseSuspended(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        viewer = getattr(execution.context, "viewer_row", None)
        if (execution.operation_type is OperationType.MUTATION and viewer is not None
                and viewer.get("suspended_at") is not None):
            raise Suspended()
        yield
