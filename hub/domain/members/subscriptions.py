"""Member subscriptions, the rules and the store: what pays for Class Projects (the hub has no
ads). The GraphQL half (``Member.subscription``, ``setSubscription``) is in
hub/api/members/subscription.py.

A member's subscription has a ``status`` (NONE, ACTIVE, PAST_DUE, CANCELED), an optional
``plan`` label and an optional ``currentPeriodEnd``. It *counts as active* when the status is
ACTIVE and the period has not ended (an ACTIVE subscription without an end date is open-ended,
e.g. complimentary). Three ways set it, all through :func:`apply_subscription`:

* the ``setSubscription`` mutation (ADMINs only);
* the ``recordhub set-subscription HANDLE STATUS`` command;
* a billing plugin's ``hub_billing_subscription`` hook, consulted by ``enroll`` when the
  member's stored subscription does not count as active (see hub/hookspecs.py).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.events import Event
from hub.core.loaders import RowsByIdLoader
from hub.core.relay import encode_id
from hub.core.validation import clean_text
from hub.domain.members import store as member_store

MAX_PLAN = 60
SOURCES = ("admin", "cli", "billing")


class SubscriptionStatus(enum.Enum):
    NONE = "NONE"
    ACTIVE = "ACTIVE"
    PAST_DUE = "PAST_DUE"
    CANCELED = "CANCELED"


# The rule in this module's docstring, once, as SQL over a subscriptions row aliased ``{s}``:
# every read of a subscription here carries its verdict (column ``counts_as_active``), and the
# classes' lesson rule (hub/domain/classes/rules.py, SUBSCRIBED) embeds the same text.
COUNTS_AS_ACTIVE = ("({s}.status = 'ACTIVE' and ({s}.current_period_end is null "
                    "or {s}.current_period_end > now()))")


def counts_as_active(row: Any | None) -> bool:
    """The verdict of :data:`COUNTS_AS_ACTIVE` that every row read by this module carries
    (False for no subscription)."""
    return row is not None and bool(row["counts_as_active"])


# --- SQL and loading ----------------------------------------------------------------------------

COLUMNS = ("s.member_id as id, s.status, s.plan, s.current_period_end, s.source, s.updated_at, "
           + COUNTS_AS_ACTIVE.format(s="s") + " as counts_as_active")


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
