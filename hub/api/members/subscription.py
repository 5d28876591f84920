"""Member subscriptions: what pays for Class Projects (the hub has no ads).

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
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import asyncpg
import strawberry
from strawberry.types import Info

from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.members.types import Member
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.events import Event
from hub.core.loaders import RowsByIdLoader
from hub.core.relay import encode_id, try_decode_id
from hub.core.validation import clean_text
from hub.domain.members import store as member_store

if TYPE_CHECKING:
    from hub.api.context import Context

MAX_PLAN = 60
SOURCES = ("admin", "cli", "billing")


@strawberry.enum(description="Where a member's subscription stands.")
class SubscriptionStatus(enum.Enum):
    NONE = strawberry.enum_value("NONE", description="Never subscribed.")
    ACTIVE = strawberry.enum_value(
        "ACTIVE", description="Paid up: opens Class Projects until `currentPeriodEnd`.")
    PAST_DUE = strawberry.enum_value(
        "PAST_DUE", description="A payment failed; Class Projects are closed until it is paid.")
    CANCELED = strawberry.enum_value(
        "CANCELED", description="Ended by the member or the billing system.")


@strawberry.type(description="A member's subscription, which opens Class Projects.")
class MemberSubscription:
    status: SubscriptionStatus = strawberry.field(
        description="NONE (never subscribed), ACTIVE, PAST_DUE or CANCELED."
    )
    plan: str | None = strawberry.field(description="The plan's name, e.g. `monthly`.")
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


def counts_as_active(row: Any | None) -> bool:
    """The rule in this module's docstring."""
    if row is None or row["status"] != "ACTIVE":
        return False
    end = row["current_period_end"]
    return end is None or end > dt.datetime.now(dt.UTC)


# --- SQL and loading ----------------------------------------------------------------------------

COLUMNS = "s.member_id as id, s.status, s.plan, s.current_period_end, s.source, s.updated_at"


async def subscriptions_by_member_ids(ex: Executor, ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        f"select {COLUMNS} from subscriptions s where s.member_id = any($1::bigint[])", ids
    )


async def subscription_for_share(ex: Executor, member_id: int) -> asyncpg.Record | None:
    """The member's subscription, locked against concurrent changes until the transaction ends."""
    return await ex.fetchrow(
        f"select {COLUMNS} from subscriptions s where s.member_id = $1 for share", member_id
    )


class SubscriptionByMemberIdLoader(RowsByIdLoader[Any]):
    """Subscription rows by member id (None: the member never had one)."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await subscriptions_by_member_ids(self.db, ids)


async def viewer_subscription_active(context: Context) -> bool:
    """Whether the signed-in viewer's subscription counts as active (False when anonymous)."""
    if context.viewer_id is None:
        return False
    row = await context.loader(SubscriptionByMemberIdLoader).load(context.viewer_id)
    return counts_as_active(row)


# --- the one way to change a subscription ---------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionChange:
    status: SubscriptionStatus
    plan: str | None = None
    current_period_end: dt.datetime | None = None


def clean_change(
    status: SubscriptionStatus, plan: str | None, current_period_end: dt.datetime | None,
) -> SubscriptionChange:
    """Validate a change; :class:`InputProblem` names the field at fault."""
    cleaned_plan = clean_text(plan, "plan", max_length=MAX_PLAN) if plan else ""
    if current_period_end is not None and current_period_end.tzinfo is None:
        raise InputProblem(ErrorCode.INVALID_INPUT,
                           "currentPeriodEnd needs a time zone (e.g. 2030-01-01T00:00:00Z).",
                           "currentPeriodEnd")
    return SubscriptionChange(status, cleaned_plan or None, current_period_end)


async def apply_subscription(
    ex: Executor, member_id: int, change: SubscriptionChange, source: str,
) -> asyncpg.Record:
    """Store ``change`` as the member's subscription; returns the stored row."""
    assert source in SOURCES, source
    return await ex.fetchrow(
        f"""insert into subscriptions as s (member_id, status, plan, current_period_end, source)
            values ($1, $2, $3, $4, $5)
            on conflict (member_id) do update set
                status = excluded.status, plan = excluded.plan,
                current_period_end = excluded.current_period_end, source = excluded.source,
                updated_at = now()
            returning {COLUMNS}""",
        member_id, change.status.value, change.plan, change.current_period_end, source,
    )


def subscription_event(member_id: int, row: Any, actor: int | None) -> Event:
    return Event(
        kind="subscription.changed", subject=encode_id("Member", member_id),
        actor=encode_id("Member", actor) if actor else None,
        payload={"status": row["status"], "plan": row["plan"], "source": row["source"]},
    )


async def set_subscription_by_handle(
    ex: Executor, handle: str, change: SubscriptionChange, source: str,
) -> asyncpg.Record | None:
    """For ``recordhub set-subscription``: None when no member has ``handle``."""
    member = await member_store.member_by_handle(ex, handle)
    if member is None:
        return None
    return await apply_subscription(ex, member["id"], change, source)


# --- the billing hook ---------------------------------------------------------------------------


class BillingAnswerError(RuntimeError):
    """A billing plugin answered ``hub_billing_subscription`` with something unusable."""


def change_from_billing(answer: Any) -> SubscriptionChange:
    """Turn a ``hub_billing_subscription`` answer into a change (see the hookspec)."""
    if not isinstance(answer, dict) or "status" not in answer:
        raise BillingAnswerError(f"hub_billing_subscription must return a dict with a status, "
                                 f"got {answer!r}")
    try:
        status = SubscriptionStatus(str(answer["status"]).upper())
    except ValueError:
        raise BillingAnswerError(f"hub_billing_subscription: unknown status "
                                 f"{answer['status']!r}") from None
    end = answer.get("current_period_end")
    if isinstance(end, str):
        end = dt.datetime.fromisoformat(end)
    if end is not None and (not isinstance(end, dt.datetime) or end.tzinfo is None):
        raise BillingAnswerError("hub_billing_subscription: current_period_end must be an "
                                 "aware datetime or ISO 8601 text with a time zone")
    plan = answer.get("plan")
    return SubscriptionChange(status, str(plan)[:MAX_PLAN] if plan else None, end)


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


# --- GraphQL ------------------------------------------------------------------------------------


@strawberry.input(description="Set a member's subscription (ADMIN only).")
class SetSubscriptionInput:
    member_id: strawberry.ID = strawberry.field(description="The member's global ID.")
    status: SubscriptionStatus = strawberry.field(description="The new status.")
    plan: str | None = strawberry.field(
        default=None, description=f"The plan's name (at most {MAX_PLAN} characters)."
    )
    current_period_end: dt.datetime | None = strawberry.field(
        default=None, description="When the paid period ends; null for open-ended."
    )


@strawberry.type(description="The member and their subscription after the change, or the "
                 "errors that stopped it.")
class SetSubscriptionPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if so.",
                                              directives=sized_list(MAX_USER_ERRORS))
    member: Member | None = strawberry.field(default=None, description="The member.")
    subscription: MemberSubscription | None = strawberry.field(
        default=None, description="The stored subscription."
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
