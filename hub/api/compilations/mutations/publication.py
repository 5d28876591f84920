"""``publishCompilation``: render a compilation through its target and publish a new version.

It fails with PUBLISHING_BLOCKED, one error per problem, while ``Compilation.problems`` is not
empty; otherwise it renders a new version, holding the items' records unchanged (a share lock)
until it commits, so what it renders is what was approved.

A record changed after approval (its version moved: an edit, a file attached) is the problem
CHANGED_SINCE_APPROVAL. Publishing an APPROVED compilation then fails with one
CHANGED_SINCE_APPROVAL error per changed item *and* sends the compilation back to IN_REVIEW
(``reopen``; the history names the records), so the change is reviewed and approved (which
pins the new versions) before anyone publishes it; that is the one failure that writes, and
its payload carries the compilation to show it. A PUBLISHED compilation cannot go back to
review (it is public): publishing it again is refused, nothing is written, and the
publications made stay as they were approved.
"""

from __future__ import annotations

from typing import Any

import strawberry

from hub.api.compilations.mutations.common import (
    CompilationIdInput,
    payload,
    require_editorial,
    require_team,
)
from hub.api.compilations.mutations.review import transition
from hub.api.compilations.types import Compilation, Publication
from hub.api.context import Context
from hub.api.errors import UserError, user_errors
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem, Problem
from hub.core.events import Event
from hub.core.relay import encode_id
from hub.domain.compilations import publishing, service, store, workflow


@strawberry.type(description="The published compilation and its new publication, or the errors "
                 "(one per problem) that blocked publishing.")
class PublishCompilationPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was published. Nothing "
                                               "was written either, except after "
                                               "CHANGED_SINCE_APPROVAL errors: the compilation "
                                               "went back to IN_REVIEW (see `compilation`).",
                                               directives=sized_list(MAX_USER_ERRORS))
    compilation: Compilation | None = strawberry.field(default=None, description="The result "
                                                       "(null when nothing was written).")
    publication: Publication | None = strawberry.field(default=None, description="The version "
                                                       "just published; null when `errors` is "
                                                       "not empty.")


def _problem_errors(problems: list[Any]) -> list[Problem]:
    return [
        Problem(field="items" if p.item_id else None, message=f"{p.code}: {p.message}",
                code=(ErrorCode.CHANGED_SINCE_APPROVAL
                        if p.code == publishing.CHANGED_SINCE_APPROVAL
                        else ErrorCode.PUBLISHING_BLOCKED))
        for p in problems
    ]


async def _reopen(tx: Executor, context: Context, row: Any) -> Outcome:
    """Send an APPROVED compilation whose records changed back to review (see the module
    docstring); the history says which records changed, from which version to which."""
    reason = await service.reopen_reason(tx, row)
    updated, event = await transition(tx, context, row, "reopen", reason)
    return Outcome(payload(context, updated), [event])


async def publish(context: Context, input: CompilationIdInput) -> PublishCompilationPayload:
    require_editorial(context)
    written: list[str] = []
    reopened: list[Problem] = []

    def answer(errors: list[UserError], **fields: Any) -> PublishCompilationPayload:
        # A reopen commits (and its payload shows the compilation) but publishes nothing.
        return PublishCompilationPayload(errors=errors or user_errors(reopened), **fields)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, input.id)
        await require_team(tx, context, row)
        if workflow.next_status("publish", row["status"]) is None:
            raise InputProblem(ErrorCode.INVALID_STATE, f"Cannot publish a compilation that is "
                               f"{row['status']}; it must be APPROVED first.")
        await store.lock_item_records(tx, row["id"])
        problems = await publishing.find_problems(context, tx, row)
        changed = any(p.code == publishing.CHANGED_SINCE_APPROVAL for p in problems)
        if changed and row["status"] == workflow.APPROVED:
            reopened.extend(_problem_errors(problems))
            return await _reopen(tx, context, row)
        if problems:
            raise InputProblem.many(_problem_errors(problems))
        origin = str(context.request.url.origin()) if context.request else ""
        publication = await publishing.store_publication(
            context, tx, row, context.require_viewer(), written, origin)
        updated, event = await transition(
            tx, context, row, "publish", f"version {publication['version']}",
            {"version": publication["version"], "target": row["target"]})
        published = Event("compilation.published", encode_id("Compilation", row["id"]),
                          context.viewer_global_id, {"version": publication["version"],
                                                     "target": row["target"]})
        rows = await store.publications_of(tx, [row["id"]])
        return Outcome(payload(context, updated, publication=Publication.from_row(
            rows[0], origin)),
            [event, published])

    try:
        return await run_mutation(context, answer, work)
    finally:
        await publishing.forget_unrecorded(context, written)
