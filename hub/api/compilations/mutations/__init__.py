"""The Mutation fields of compilations, one module per entity (Saleor's
``graphql/<domain>/mutations/<entity>.py``), each with its inputs and payloads beside it:

* compilation.py — ``createCompilation``, ``updateCompilation``, ``deleteCompilation``,
  ``addCompilationEditor``, ``removeCompilationEditor``;
* item.py — ``addCompilationItem``, ``moveCompilationItem``, ``updateCompilationItem``,
  ``removeCompilationItem``;
* review.py — ``submitCompilation``, ``approveCompilation``, ``returnCompilation``,
  ``archiveCompilation``;
* publication.py — ``publishCompilation``;
* payout.py — ``proposePayout``, ``commentOnPayout``, ``finalizePayout``;
* common.py — permissions, the compilation payload, the status event.

The services they call (checks, locks, transitions) are hub/domain/compilations/service.py;
permissions are in common.py's docstring.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from hub.api.compilations.mutations.common import CompilationIdInput, CompilationPayload
from hub.api.compilations.mutations.compilation import (
    AddCompilationEditorInput,
    CreateCompilationInput,
    DeleteCompilationPayload,
    RemoveCompilationEditorInput,
    UpdateCompilationInput,
    add_editor,
    create_compilation,
    delete_compilation,
    remove_editor,
    update_compilation,
)
from hub.api.compilations.mutations.item import (
    AddCompilationItemInput,
    CompilationItemIdInput,
    CompilationItemPayload,
    MoveCompilationItemInput,
    UpdateCompilationItemInput,
    add_item,
    move_item,
    remove_item,
    update_item,
)
from hub.api.compilations.mutations.payout import (
    CommentOnPayoutInput,
    PayoutIdInput,
    PayoutPayload,
    ProposePayoutInput,
    comment_on_payout,
    finalize_payout,
    propose_payout,
)
from hub.api.compilations.mutations.publication import PublishCompilationPayload, publish
from hub.api.compilations.mutations.review import (
    AddReviewCommentInput,
    AssignReviewerInput,
    ReturnCompilationInput,
    ReviewCommentInput,
    add_review_comment,
    assign_reviewer,
    change_status,
)

__all__ = ["CompilationsMutation", "CreateCompilationInput", "UpdateCompilationInput"]


@strawberry.type
class CompilationsMutation:
    @strawberry.mutation(description="Create a compilation (EDITORs and ADMINs); you join its "
                         "editors team.")
    async def create_compilation(
        self, info: Info,
        input: Annotated[CreateCompilationInput, strawberry.argument(
            description="The new compilation's title, target, settings and credit rules.")],
    ) -> CompilationPayload:
        return await create_compilation(info.context, input)

    @strawberry.mutation(description="Add an EDITOR or ADMIN to a compilation's editors team.")
    async def add_compilation_editor(
        self, info: Info,
        input: Annotated[AddCompilationEditorInput, strawberry.argument(
            description="The compilation and the EDITOR or ADMIN to add to its team.")],
    ) -> CompilationPayload:
        return await add_editor(info.context, input)

    @strawberry.mutation(description="Append a published record to a DRAFT compilation.")
    async def add_compilation_item(
        self, info: Info,
        input: Annotated[AddCompilationItemInput, strawberry.argument(
            description="The DRAFT compilation, the published record, its note and weight.")],
    ) -> CompilationItemPayload:
        return await add_item(info.context, input)

    @strawberry.mutation(description="Move an item of a DRAFT compilation to another place.")
    async def move_compilation_item(
        self, info: Info,
        input: Annotated[MoveCompilationItemInput, strawberry.argument(
            description="The item and its new 1-based position.")],
    ) -> CompilationItemPayload:
        return await move_item(info.context, input)

    @strawberry.mutation(description="Remove an item from a DRAFT compilation.")
    async def remove_compilation_item(
        self, info: Info,
        input: Annotated[CompilationItemIdInput, strawberry.argument(
            description="The item to remove.")],
    ) -> CompilationItemPayload:
        return await remove_item(info.context, input)

    @strawberry.mutation(description="Submit a DRAFT for review (IN_REVIEW).")
    async def submit_compilation(
        self, info: Info,
        input: Annotated[CompilationIdInput, strawberry.argument(
            description="The DRAFT compilation to submit for review.")],
    ) -> CompilationPayload:
        return await change_status(info.context, input.id, "submit")

    @strawberry.mutation(description="Approve a compilation IN_REVIEW (an editor other than the "
                         "one who submitted it); pins the version of every item's record.")
    async def approve_compilation(
        self, info: Info,
        input: Annotated[CompilationIdInput, strawberry.argument(
            description="The compilation IN_REVIEW to approve.")],
        comments: Annotated[list[ReviewCommentInput] | None, strawberry.argument(
            description="Review comments sent with the approval, per item or on the whole "
            "compilation (stored with it, all or nothing); null or omitted: none.")] = None,
    ) -> CompilationPayload:
        return await change_status(info.context, input.id, "approve", comments=comments)

    @strawberry.mutation(description="Send a compilation IN_REVIEW or APPROVED back to DRAFT, "
                         "with a reason.")
    async def return_compilation(
        self, info: Info,
        input: Annotated[ReturnCompilationInput, strawberry.argument(
            description="The compilation and why it goes back to DRAFT.")],
    ) -> CompilationPayload:
        return await change_status(info.context, input.id, "return", input.reason,
                                   input.comments)

    @strawberry.mutation(description="Ask an editor of the compilation's team, other than the "
                         "submitter, to review it (while IN_REVIEW); it shows in their review "
                         "queue (`viewer { reviewQueue }`).")
    async def assign_reviewer(
        self, info: Info,
        input: Annotated[AssignReviewerInput, strawberry.argument(
            description="The compilation IN_REVIEW and the editor to review it.")],
    ) -> CompilationPayload:
        return await assign_reviewer(info.context, input)

    @strawberry.mutation(description="Write a review comment on a compilation IN_REVIEW or on "
                         "one of its items (its editors team); read by the team only. "
                         "Comments can also be sent with approveCompilation and "
                         "returnCompilation.")
    async def add_review_comment(
        self, info: Info,
        input: Annotated[AddReviewCommentInput, strawberry.argument(
            description="The compilation, the item (or none) and the comment.")],
    ) -> CompilationPayload:
        return await add_review_comment(info.context, input)

    @strawberry.mutation(description="Render an APPROVED (or already PUBLISHED) compilation "
                         "through its target and publish it as a new version; fails with its "
                         "problems listed while it has any. An item's record changed since "
                         "approval sends an APPROVED compilation back to IN_REVIEW "
                         "(CHANGED_SINCE_APPROVAL).")
    async def publish_compilation(
        self, info: Info,
        input: Annotated[CompilationIdInput, strawberry.argument(
            description="The APPROVED (or PUBLISHED) compilation to publish.")],
    ) -> PublishCompilationPayload:
        return await publish(info.context, input)

    @strawberry.mutation(description="Archive a compilation (its publications stay).")
    async def archive_compilation(
        self, info: Info,
        input: Annotated[CompilationIdInput, strawberry.argument(
            description="The compilation to archive.")],
    ) -> CompilationPayload:
        return await change_status(info.context, input.id, "archive")

    @strawberry.mutation(description="Freeze the credit split of a pool as a payout proposal, "
                         "open for comments until its window closes.")
    async def propose_payout(
        self, info: Info,
        input: Annotated[ProposePayoutInput, strawberry.argument(
            description="The PUBLISHED compilation and the pool of money to share.")],
    ) -> PayoutPayload:
        return await propose_payout(info.context, input)

    @strawberry.mutation(description="Comment on an open payout proposal (editors and the "
                         "members credited).")
    async def comment_on_payout(
        self, info: Info,
        input: Annotated[CommentOnPayoutInput, strawberry.argument(
            description="The open proposal and the comment.")],
    ) -> PayoutPayload:
        return await comment_on_payout(info.context, input)

    @strawberry.mutation(description="Finalize a payout proposal after its window closed "
                         "(an editor other than the one who proposed it); it becomes "
                         "immutable.")
    async def finalize_payout(
        self, info: Info,
        input: Annotated[PayoutIdInput, strawberry.argument(
            description="The proposal to finalize.")],
    ) -> PayoutPayload:
        return await finalize_payout(info.context, input)

    @strawberry.mutation(description="Change a DRAFT compilation's title, description or target "
                         "settings: the fields given change, the others stay (but `settings`, "
                         "when given, replaces the settings whole). `expectedVersion` guards "
                         "against overwriting another editor's change: on CONFLICT nothing is "
                         "written and the payload's `compilation` is the current one. Writes a "
                         "history entry naming the fields changed.")
    async def update_compilation(
        self, info: Info,
        input: Annotated[UpdateCompilationInput, strawberry.argument(
            description="The DRAFT compilation, the version you edited and the fields to "
            "change.")],
    ) -> CompilationPayload:
        return await update_compilation(info.context, input)

    @strawberry.mutation(description="Change an item of a DRAFT compilation: its weight, its "
                         "note, or both (the fields given change, the others stay). On CONFLICT "
                         "(a stale `expectedVersion`) nothing is written and the payload's "
                         "`compilation` is the current one.")
    async def update_compilation_item(
        self, info: Info,
        input: Annotated[UpdateCompilationItemInput, strawberry.argument(
            description="The item, the compilation's version you edited, and the fields to "
            "change.")],
    ) -> CompilationItemPayload:
        return await update_item(info.context, input)

    @strawberry.mutation(description="Remove a member from a compilation's editors team (the "
                         "team and ADMINs; you may remove yourself). The last editor cannot "
                         "leave (LAST_EDITOR).")
    async def remove_compilation_editor(
        self, info: Info,
        input: Annotated[RemoveCompilationEditorInput, strawberry.argument(
            description="The compilation and the editor to remove from its team.")],
    ) -> CompilationPayload:
        return await remove_editor(info.context, input)

    @strawberry.mutation(description="Delete a DRAFT compilation with its items and history "
                         "(its team and ADMINs). A compilation that left DRAFT is archived "
                         "instead (ARCHIVE_INSTEAD): its history and publications stay.")
    async def delete_compilation(
        self, info: Info,
        input: Annotated[CompilationIdInput, strawberry.argument(
            description="The DRAFT compilation to delete.")],
    ) -> DeleteCompilationPayload:
        return await delete_compilation(info.context, input.id)
