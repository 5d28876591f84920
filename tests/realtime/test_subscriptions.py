"""Member subscriptions: setSubscription (admin), Member.subscription visibility, the
``recordhub set-subscription`` command and the ``hub_billing_subscription`` hook."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from click.testing import CliRunner

from hub import hookimpl
from hub.cli import main
from hub.plugins import HubPlugins
from tests.api import Api

SET_SUBSCRIPTION = """
mutation Set($input: SetSubscriptionInput!) {
  setSubscription(input: $input) {
    member { handle }
    subscription { status plan currentPeriodEnd isActive }
    errors { field message code }
  }
}
"""
SUBSCRIPTION_OF = """
query Of($handle: String!) { member(handle: $handle) { subscription { status plan isActive } } }
"""
ENROLL = """
mutation Enroll($classId: ID!) {
  enroll(input: {classId: $classId}) { enrollment { progress } errors { code } }
}
"""


def set_vars(member_id: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"input": {"memberId": member_id, "status": status, **extra}}


async def test_admin_sets_a_subscription_and_only_self_and_admins_see_it(api: Api) -> None:
    admin = await api.sign_up("boss", role="ADMIN")
    maya = await api.sign_up("maya")
    other = await api.sign_up("other")
    before = await api.gql(SUBSCRIPTION_OF, {"handle": "maya"}, token=maya.token)
    assert before == {"member": {"subscription": {"status": "NONE", "plan": None,
                                                  "isActive": False}}}

    data = await api.gql(SET_SUBSCRIPTION, set_vars(
        maya.id, "ACTIVE", plan=" monthly ", currentPeriodEnd="2099-01-31T00:00:00Z"),
        token=admin.token)
    assert data["setSubscription"] == {
        "member": {"handle": "maya"},
        "subscription": {"status": "ACTIVE", "plan": "monthly",
                         "currentPeriodEnd": "2099-01-31T00:00:00+00:00", "isActive": True},
        "errors": [],
    }
    mine = {"member": {"subscription": {"status": "ACTIVE", "plan": "monthly", "isActive": True}}}
    assert await api.gql(SUBSCRIPTION_OF, {"handle": "maya"}, token=maya.token) == mine
    assert await api.gql(SUBSCRIPTION_OF, {"handle": "maya"}, token=admin.token) == mine
    hidden = {"member": {"subscription": None}}
    assert await api.gql(SUBSCRIPTION_OF, {"handle": "maya"}, token=other.token) == hidden
    assert await api.gql(SUBSCRIPTION_OF, {"handle": "maya"}) == hidden


async def test_a_lapsed_period_does_not_count_as_active(api: Api) -> None:
    admin = await api.sign_up("boss", role="ADMIN")
    maya = await api.sign_up("maya")
    data = await api.gql(SET_SUBSCRIPTION, set_vars(
        maya.id, "ACTIVE", currentPeriodEnd="2001-01-01T00:00:00Z"), token=admin.token)
    assert data["setSubscription"]["subscription"]["isActive"] is False


async def test_set_subscription_refusals_write_nothing(api: Api) -> None:
    admin = await api.sign_up("boss", role="ADMIN")
    maya = await api.sign_up("maya")
    errors = await api.errors(SET_SUBSCRIPTION, set_vars(maya.id, "ACTIVE"), token=maya.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await api.errors(SET_SUBSCRIPTION, set_vars(maya.id, "ACTIVE"))
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"

    record = await api.create_record(maya, "Not a member")
    cases = [
        (set_vars(record["id"], "ACTIVE"), "memberId", "NOT_FOUND"),
        (set_vars(maya.id, "ACTIVE", plan="x" * 61), "plan", "TOO_LONG"),
        (set_vars(maya.id, "ACTIVE", currentPeriodEnd="2099-01-31T00:00:00"),
         "currentPeriodEnd", "INVALID_INPUT"),
    ]
    for variables, field, code in cases:
        data = await api.gql(SET_SUBSCRIPTION, variables, token=admin.token)
        assert [(e["field"], e["code"]) for e in data["setSubscription"]["errors"]] == [(field, code)]
        assert data["setSubscription"]["subscription"] is None
    assert await api.hub.db.fetchval("select count(*) from subscriptions") == 0


async def test_cli_set_subscription(api: Api, database_url: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    await api.sign_up("maya")
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(main, ["set-subscription", *args], catch_exceptions=False)

    # The command runs its own event loop, so it runs in a thread here.
    ok = await asyncio.to_thread(invoke, "MAYA", "active", "--plan", "yearly",
                                 "--until", "2099-12-31")
    assert ok.exit_code == 0, ok.output
    row = await api.hub.db.fetchrow("select status, plan, current_period_end, source "
                                    "from subscriptions")
    assert (row["status"], row["plan"], row["source"]) == ("ACTIVE", "yearly", "cli")
    assert row["current_period_end"].isoformat() == "2099-12-31T00:00:00+00:00"

    missing = await asyncio.to_thread(invoke, "ghost", "ACTIVE")
    assert missing.exit_code != 0 and "no member with handle 'ghost'" in missing.output
    bad = await asyncio.to_thread(invoke, "maya", "GOLD")
    assert bad.exit_code == 2


class Billing:
    """A billing plugin that knows about some handles."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    @hookimpl
    def hub_billing_subscription(self, member_id: str, handle: str) -> dict[str, Any] | None:
        self.asked.append((member_id, handle))
        return self.answers.get(handle)


async def published_class(api: Api) -> str:
    teacher = await api.sign_up("teacher")
    data = await api.gql("""mutation {
      createClass(input: {title: "Hooks 101", skill: "songwriting", level: BEGINNER}) {
        class { id } errors { code } } }""", token=teacher.token)
    class_id = data["createClass"]["class"]["id"]
    await api.gql("""mutation($id: ID!) { addLesson(input: {classId: $id, title: "One"}) {
      errors { code } } }""", {"id": class_id}, token=teacher.token)
    await api.gql("""mutation($id: ID!) { publishClass(input: {id: $id}) { errors { code } } }""",
                  {"id": class_id}, token=teacher.token)
    return class_id


async def test_hook_hub_billing_subscription(api: Api, plugins: HubPlugins) -> None:
    class_id = await published_class(api)
    paid = await api.sign_up("paid")
    unknown = await api.sign_up("unknown")
    lapsed = await api.sign_up("lapsed")
    billing = Billing({
        "paid": {"status": "active", "plan": "monthly", "current_period_end": "2099-01-01T00:00:00Z"},
        "lapsed": {"status": "PAST_DUE", "plan": "monthly"},
    })
    plugins.pm.register(billing, name="billing")
    try:
        ok = await api.gql(ENROLL, {"classId": class_id}, token=paid.token)
        no_answer = await api.gql(ENROLL, {"classId": class_id}, token=unknown.token)
        past_due = await api.gql(ENROLL, {"classId": class_id}, token=lapsed.token)
        mine = await api.gql(SUBSCRIPTION_OF, {"handle": "paid"}, token=paid.token)
    finally:
        plugins.pm.unregister(billing)
    assert ok["enroll"] == {"enrollment": {"progress": 0.0}, "errors": []}
    assert no_answer["enroll"] == past_due["enroll"] == {
        "enrollment": None, "errors": [{"code": "SUBSCRIPTION_REQUIRED"}]}
    assert billing.asked == [(paid.id, "paid"), (unknown.id, "unknown"), (lapsed.id, "lapsed")]
    assert mine == {"member": {"subscription": {"status": "ACTIVE", "plan": "monthly",
                                                "isActive": True}}}
    stored = await api.hub.db.fetch("select status, source from subscriptions order by member_id")
    assert [(r["status"], r["source"]) for r in stored] == [("ACTIVE", "billing"),
                                                          ("PAST_DUE", "billing")]


async def test_billing_is_not_asked_while_the_subscription_is_active(
    api: Api, plugins: HubPlugins,
) -> None:
    class_id = await published_class(api)
    admin = await api.sign_up("boss", role="ADMIN")
    paid = await api.sign_up("paid")
    await api.gql(SET_SUBSCRIPTION, set_vars(paid.id, "ACTIVE"), token=admin.token)
    billing = Billing({"paid": {"status": "CANCELED"}})
    plugins.pm.register(billing, name="billing")
    try:
        data = await api.gql(ENROLL, {"classId": class_id}, token=paid.token)
    finally:
        plugins.pm.unregister(billing)
    assert data["enroll"]["errors"] == []
    assert billing.asked == []


async def test_a_malformed_billing_answer_fails_the_request_and_stores_nothing(
    api: Api, plugins: HubPlugins,
) -> None:
    class_id = await published_class(api)
    maya = await api.sign_up("maya")
    billing = Billing({"maya": {"status": "GOLD"}})
    plugins.pm.register(billing, name="billing")
    try:
        errors = await api.errors(ENROLL, {"classId": class_id}, token=maya.token)
    finally:
        plugins.pm.unregister(billing)
    assert errors[0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert await api.hub.db.fetchval("select count(*) from subscriptions") == 0
    assert await api.hub.db.fetchval("select count(*) from enrollments") == 0
