"""Member subscriptions: what pays for Class Projects (the hub has no ads).

The rules and the store are in hub/domain/members/subscriptions.py;
the ``setSubscription`` mutation is in hub/api/members/set_subscription.py.

A member's subscription has a ``status`` (NONE, ACTIVE, PAST_DUE, CANCELED), an optional
``plan`` label and an optional ``currentPeriodEnd``. It *counts as active* when the status is
ACTIVE and the period has not ended (an ACTIVE subscription without an end date is open-ended,
e.g. complimentary). Three ways set it, all through :func:`apply_subscription`:

* the ``setSubscription`` mutation (ADMINs only);
* the ``recordhub set-subscription HANDLE STATUS`` command;
* a billing plugin's ``hub_billing_subscription`` hook, consulted by ``enroll`` when the
  member's stored subscription does not count as active (see hub/hookspecs.py).

Visibility: ``Member.subscription`` is shown to the member themself and to ADMINs; it is null
for everyone else (what someone pays for is private).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import strawberry

from hub.core.relay import encode_id
from hub.domain.members.subscriptions import (
    MAX_PLAN,
    SubscriptionByMemberIdLoader,
    SubscriptionStatus,
    apply_subscription,
    change_from_billing,
    counts_as_active,
    subscription_event,
    subscription_for_share,
)

if TYPE_CHECKING:
    from hub.api.context import Context

# Re-exported: the classes slice reads them from here.
__all__ = [
    "MAX_PLAN",
    "MemberSubscription",
    "SubscriptionStatus",
    "counts_as_active",
    "refresh_from_billing",
    "subscription_for_share",
    "viewer_subscription_active",
]

# The domain's enum, registered as the GraphQL enum (Strawberry's idiom for an existing Enum).
strawberry.enum(SubscriptionStatus, description="Where a member's subscription stands.")
_STATUS_DESCRIPTIONS = {
    SubscriptionStatus.NONE: "Never subscribed.",
    SubscriptionStatus.ACTIVE: "Paid up: opens Class Projects until `currentPeriodEnd`.",
    SubscriptionStatus.PAST_DUE: "A payment failed; Class Projects are closed until it is paid.",
    SubscriptionStatus.CANCELED: "Ended by the member or the billing system.",
}
for _value in SubscriptionStatus.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = _STATUS_DESCRIPTIONS[SubscriptionStatus(_value.value)]


@strawberry.type(description="A member's subscription, which opens Class Projects.")
class MemberSubscription:
    status: SubscriptionStatus = strawberry.field(
        description="NONE (never subscribed), ACTIVE, PAST_DUE or CANCELED."
    )
    plan: str | None = strawberry.field(description="The plan's name, e.g. `monthly`; null "
                                        "when none was set.")
    current_period_end: dt.datetime | None = strawberry.field(
        description="When the paid period ends; null for an open-ended subscription."
    )
    is_active: bool = strawberry.field(
        description="True when the status is ACTIVE and the period has not ended: what "
        "enrolling in classes and reading their lessons need."
    )

    @classmethod
    def from_row(cls, row: Any | None) -> MemberSubscription:
        if row is None:
            return cls(status=SubscriptionStatus.NONE, plan=None, current_period_end=None,
                       is_active=False)
        return cls(
            status=SubscriptionStatus(row["status"]), plan=row["plan"],
            current_period_end=row["current_period_end"], is_active=counts_as_active(row),
        )


async def viewer_subscription_active(context: Context) -> bool:
    """Whether the signed-in viewer's subscription counts as active (False when anonymous)."""
    if context.viewer_id is None:
        return False
    row = await context.loader(SubscriptionByMemberIdLoader).load(context.viewer_id)
    return counts_as_active(row)


async def refresh_from_billing(context: Context, member_id: int, handle: str) -> bool:
    """Ask the billing plugins about a member whose subscription does not count as active;
    store their answer (in its own transaction) and say whether it counts as active now."""
    answer = await context.plugins.first(
        "hub_billing_subscription", member_id=encode_id("Member", member_id), handle=handle,
    )
    if answer is None:
        return False
    from hub.realtime import outbox

    change = change_from_billing(answer)
    async with context.db.transaction() as tx:
        row = await apply_subscription(tx, member_id, change, "billing")
        await outbox.write(tx, [subscription_event(member_id, row, None)])
    context.forget_loaded()
    return counts_as_active(row)
