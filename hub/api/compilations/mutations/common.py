"""What every compilation mutation shares: who may change a compilation, the payload that
shows it, and the status-change event.

Only EDITORs and ADMINs work on compilations; anyone else gets FORBIDDEN. An EDITOR creates a
compilation (as a DRAFT) and joins its editors team; the team (and ADMINs) change it and add
editors (who must be EDITORs or ADMINs themselves). Every change writes a history entry; every
failure leaves the database as it was (hub/api/mutations.py).
"""

from __future__ import annotations

from typing import Any

import strawberry

from hub.api.compilations.types import Compilation
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.core.db import Executor
from hub.core.events import Event
from hub.core.relay import encode_id
from hub.domain.compilations import service


@strawberry.input(description="Names a compilation.")
class CompilationIdInput:
    id: strawberry.ID = strawberry.field(description="The compilation.")


@strawberry.type(description="The compilation after the mutation, or the errors that stopped it.")
class CompilationPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written.",
                                              directives=sized_list(MAX_USER_ERRORS))
    compilation: Compilation | None = strawberry.field(
        default=None, description="The compilation after the change; null when `errors` is not empty.")


def require_editorial(context: Context) -> int:
    """The viewer's id if they are an EDITOR or ADMIN; FORBIDDEN otherwise."""
    viewer = context.require_viewer()
    service.require_editorial(context.viewer_role)
    return viewer


async def require_team(tx: Executor, context: Context, row: Any) -> int:
    """The viewer's id if they are on the compilation's editors team (or ADMIN)."""
    viewer = require_editorial(context)
    await service.require_team(tx, row, viewer, context.is_admin)
    return viewer


def status_event(context: Context, row: Any, previous: str) -> Event:
    """``compilation.status_changed`` for subscriptions and the ``hub_event`` hook."""
    return Event("compilation.status_changed", encode_id("Compilation", row["id"]),
                 context.viewer_global_id,
                 {"status": row["status"], "previousStatus": previous, "target": row["target"]})


def payload(context: Context, row: Any, **more: Any) -> dict[str, Any]:
    """The payload fields showing the compilation ``row`` (and ``more``)."""
    return {"compilation": Compilation.from_row(row, context), **more}
