"""``setSubscription``: an ADMIN sets a member's subscription (the rules are in
hub/domain/members/subscriptions.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.members.subscription import MemberSubscription
from hub.api.members.types import Member
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.relay import try_decode_id
from hub.domain.members import store as member_store
from hub.domain.members.subscriptions import (
    MAX_PLAN,
    SubscriptionStatus,
    apply_subscription,
    clean_change,
    subscription_event,
)

if TYPE_CHECKING:
    from hub.api.context import Context


@strawberry.input(description="Set a member's subscription (ADMIN only).")
class SetSubscriptionInput:
    member_id: strawberry.ID = strawberry.field(description="The member's global ID.")
    status: SubscriptionStatus = strawberry.field(description="The new status.")
    plan: str | None = strawberry.field(
        default=None, description=f"The plan's name (at most {MAX_PLAN} characters); omitted, "
        "null or empty: no plan."
    )
    current_period_end: dt.datetime | None = strawberry.field(
        default=None, description="When the paid period ends; null for open-ended."
    )


@strawberry.type(description="The member and their subscription after the change, or the "
                 "errors that stopped it.")
class SetSubscriptionPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if so.",
                                              directives=sized_list(MAX_USER_ERRORS))
    member: Member | None = strawberry.field(
        default=None, description="The member; null when `errors` is not empty.")
    subscription: MemberSubscription | None = strawberry.field(
        default=None, description="The stored subscription; null when `errors` is not empty."
    )


async def set_subscription(context: Context, input: SetSubscriptionInput) -> SetSubscriptionPayload:
    actor = context.require_viewer()
    if not context.is_admin:
        raise Forbidden("Only an admin can set subscriptions.")

    async def work(tx: Executor) -> Outcome:
        member_id = try_decode_id(input.member_id, "Member")
        rows = await member_store.members_by_ids(tx, [member_id]) if member_id else []
        if not rows:
            raise InputProblem(ErrorCode.NOT_FOUND, "No such member.", "memberId")
        change = clean_change(input.status, input.plan, input.current_period_end)
        row = await apply_subscription(tx, rows[0]["id"], change, "admin")
        return Outcome(
            {"member": Member.from_row(rows[0]), "subscription": MemberSubscription.from_row(row)},
            [subscription_event(rows[0]["id"], row, actor)],
        )

    return await run_mutation(context, SetSubscriptionPayload, work)


@strawberry.type
class SubscriptionMutation:
    @strawberry.mutation(description="Set a member's subscription status, plan and period end "
                         "(ADMIN only; billing plugins use the hub_billing_subscription hook).")
    async def set_subscription(
        self, info: Info,
        input: Annotated[SetSubscriptionInput,
                         strawberry.argument(description="The member and the new subscription.")],
    ) -> SetSubscriptionPayload:
        return await set_subscription(info.context, input)
