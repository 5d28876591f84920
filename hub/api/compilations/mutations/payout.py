"""``proposePayout``, ``commentOnPayout``, ``finalizePayout``: sharing money.

``proposePayout`` (PUBLISHED compilations) freezes a split; comments are open to the editors,
ADMINs and everyone with a line until the window closes (WINDOW_CLOSED after);
``finalizePayout`` needs the window closed (WINDOW_OPEN before) and an editor other than the
one who proposed it (OWN_PROPOSAL: four eyes, as for approval), and makes it immutable. The
window is 1 to 365 days.
"""

from __future__ import annotations

import strawberry

from hub.api.compilations.mutations.common import payload, require_editorial, require_team
from hub.api.compilations.payouts import MoneyInput, PayoutProposal, frozen_lines
from hub.api.compilations.types import Compilation, editorial
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.events import Event
from hub.core.relay import encode_id
from hub.core.validation import clean_text
from hub.domain.compilations import credits, service, store, workflow
from hub.domain.compilations.service import MAX_COMMENT
from hub.domain.compilations.snapshot import credit_inputs


@strawberry.input(description="Freezes a credit split of a pool as a payout proposal.")
class ProposePayoutInput:
    compilation_id: strawberry.ID = strawberry.field(description="A PUBLISHED compilation.")
    pool: MoneyInput = strawberry.field(description="The money to share.")


@strawberry.input(description="A comment on an open payout proposal.")
class CommentOnPayoutInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal.")
    body: str = strawberry.field(description=f"The comment (≤ {MAX_COMMENT:,} characters).")


@strawberry.input(description="Names a payout proposal.")
class PayoutIdInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal.")


@strawberry.type(description="The payout proposal after the mutation, or the errors.")
class PayoutPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written.",
                                              directives=sized_list(MAX_USER_ERRORS))
    proposal: PayoutProposal | None = strawberry.field(
        default=None, description="The proposal after the change; null when `errors` is not empty.")
    compilation: Compilation | None = strawberry.field(
        default=None, description="Its compilation; null when `errors` is not empty.")


def _money(pool: MoneyInput) -> credits.Money:
    try:
        return pool.parse()
    except credits.CreditError as error:
        code = ErrorCode.UNKNOWN_CURRENCY if (error.field or "").endswith("currency") else (
            ErrorCode.INVALID_MONEY)
        raise InputProblem(code, error.message, error.field) from None


async def propose_payout(context: Context, input: ProposePayoutInput) -> PayoutPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, input.compilation_id, "compilationId")
        viewer = await require_team(tx, context, row)
        money = _money(input.pool)
        if row["status"] != workflow.PUBLISHED:
            raise InputProblem(ErrorCode.INVALID_STATE, "Only a PUBLISHED compilation is paid "
                               f"out; this one is {row['status']}.", "compilationId")
        items, lineage, rules = await credit_inputs(tx, row)
        try:
            shares = credits.split(money.minor, items, lineage, rules)
        except credits.CreditError as error:
            raise InputProblem(ErrorCode.INVALID_INPUT, error.message, error.field) from None
        proposal = await store.insert_proposal(
            tx, compilation_id=row["id"], pool_minor=money.minor, currency=money.currency,
            rules={"lineageShare": str(rules.lineage_share), "maxDepth": rules.max_depth,
                   "editorsPercent": str(row["editors_percent"])},
            proposed_by=viewer, window_days=row["payout_window_days"],
        )
        await store.insert_lines(tx, proposal["id"], frozen_lines(shares, money))
        await store.add_history(tx, row["id"], viewer, "propose_payout", None, None,
                                f"{money.decimal()} {money.currency}")
        event = Event("payout.proposed", encode_id("PayoutProposal", proposal["id"]),
                      context.viewer_global_id, {"compilation": encode_id("Compilation", row["id"]),
                                                 "pool": money.decimal(),
                                                 "currency": money.currency})
        return Outcome(payload(context, row, proposal=PayoutProposal.from_row(proposal)), [event])

    return await run_mutation(context, PayoutPayload, work)


async def comment_on_payout(context: Context, input: CommentOnPayoutInput) -> PayoutPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row, proposal = await service.locked_proposal(tx, input.proposal_id)
        on_team = editorial(context) and (
            context.is_admin or await store.is_editor(tx, row["id"], viewer))
        if not on_team and not await store.has_line(tx, proposal["id"], viewer):
            raise Forbidden("Only the editors and the members credited can comment.")
        if proposal["status"] != "PROPOSED" or proposal["now"] >= proposal["window_closes_at"]:
            raise InputProblem(ErrorCode.WINDOW_CLOSED, "The comment window of this proposal "
                               "has closed.", "proposalId")
        body = clean_text(input.body, "body", max_length=MAX_COMMENT, required=True)
        await store.insert_comment(tx, proposal["id"], viewer, body)
        # Payouts are public: so are their comments (response caches hear of it).
        event = Event("payout.commented", encode_id("PayoutProposal", proposal["id"]),
                      context.viewer_global_id, {"compilation": encode_id("Compilation", row["id"])})
        return Outcome(payload(context, row, proposal=PayoutProposal.from_row(proposal)), [event])

    return await run_mutation(context, PayoutPayload, work)


async def finalize_payout(context: Context, input: PayoutIdInput) -> PayoutPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row, proposal = await service.locked_proposal(tx, input.proposal_id)
        viewer = await require_team(tx, context, row)
        if proposal["status"] != "PROPOSED":
            raise InputProblem(ErrorCode.INVALID_STATE, "The proposal is already final.",
                               "proposalId")
        if proposal["now"] < proposal["window_closes_at"]:
            raise InputProblem(ErrorCode.WINDOW_OPEN, "The comment window is open until "
                               f"{proposal['window_closes_at'].isoformat()}; finalize after it "
                               "closes.", "proposalId")
        if proposal["proposed_by"] == viewer:
            raise InputProblem(ErrorCode.OWN_PROPOSAL, "You proposed this payout; another "
                               "editor must finalize it.", "proposalId")
        final = await store.finalize_proposal(tx, proposal["id"], viewer)
        await store.add_history(tx, row["id"], viewer, "finalize_payout", None, None,
                                encode_id("PayoutProposal", proposal["id"]))
        event = Event("payout.finalized", encode_id("PayoutProposal", proposal["id"]),
                      context.viewer_global_id,
                      {"compilation": encode_id("Compilation", row["id"])})
        return Outcome(payload(context, row, proposal=PayoutProposal.from_row(final)), [event])

    return await run_mutation(context, PayoutPayload, work)
