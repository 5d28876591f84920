"""The daily email digest: the hub_notify hook and the first-party hub_email_digest plugin,
sending over SMTP to a real server on loopback (aiosmtpd), through the HTTP app.

A digest carries the notifications not yet emailed whose kinds the member keeps on for email,
written as the member may see them now; each email has a one-click unsubscribe link (and
RFC 8058 headers) served by the hub.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket
from collections.abc import Iterator
from email.message import Message
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hub.realtime.digest import Sent, run
from tests.api import Api, Member
from tests.notifications.test_notifications import HEART, PREFER, UNPUBLISH

SET_EMAIL = """
mutation Email($address: String) {
  setNotificationEmail(input: {address: $address}) { address errors { field code } }
}
"""
EMAIL = "query { viewer { notificationEmail } }"


class Inbox:
    """An aiosmtpd handler keeping every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("HUB_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HUB_SMTP_PORT", str(port))
    monkeypatch.setenv("HUB_SMTP_FROM", "digest@hub.example")
    try:
        yield inbox
    finally:
        controller.stop()


async def send_now(api: Api) -> Sent:
    """``recordhub digest --send-now``: every unsent notification, now."""
    for _ in range(50):  # the dispatcher's own run may hold the lock a moment
        sent = await run(api.hub.db.pool, api.hub.plugins, api.hub.settings,
                         since=dt.datetime.now(dt.UTC))
        if sent is not None:
            return sent
        await asyncio.sleep(0.1)
    raise AssertionError("the digest lock was never free")


async def with_address(api: Api, member: Member, address: str) -> None:
    data = await api.gql(SET_EMAIL, {"address": address}, token=member.token)
    assert data["setNotificationEmail"] == {"address": address, "errors": []}


def body(message: Message) -> str:
    part = message.get_body(("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


async def test_hook_hub_notify(api: Api, smtp: Inbox) -> None:
    """The digest (the first-party plugin's hub_notify) lists what the member may see, and
    goes once."""
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    await with_address(api, ada, "ada@example.org")
    song = await api.create_record(ada, "Harbor Lights", publish=True)
    await api.gql(HEART, {"id": song["id"]}, token=bob.token)
    remix = await api.create_record(bob, "Harbor Dub", publish=True, sources=[song["id"]])
    await api.gql(UNPUBLISH, {"id": remix["id"]}, token=bob.token)  # hidden from Ada since
    assert await send_now(api) == Sent(delivered=1, undelivered=0)
    (message,) = smtp.to("ada@example.org")
    assert message["From"] == "digest@hub.example"
    assert message["Subject"] == "recordhub: 2 new notifications"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = body(message)
    assert "1 member hearted “Harbor Lights”." in text
    assert "@bob remixed your record: a record no longer available." in text
    assert "Harbor Dub" not in text
    # Sent once: the next run has nothing for her.
    assert await send_now(api) == Sent(0, 0)
    assert len(smtp.messages) == 1


async def test_email_preferences_and_no_address_mean_no_email(api: Api, smtp: Inbox) -> None:
    ada, bob, cyd = (await api.sign_up("ada"), await api.sign_up("bob"),
                     await api.sign_up("cyd"))
    await with_address(api, ada, "ada@example.org")
    await api.gql(PREFER, {"input": {"kind": "RECORD_HEARTED", "inbox": True, "email": False}},
                  token=ada.token)
    for author in (ada, cyd):  # Cyd gave no address
        song = await api.create_record(author, f"{author.handle}'s song", publish=True)
        await api.gql(HEART, {"id": song["id"]}, token=bob.token)
    assert await send_now(api) == Sent(0, 0)
    assert smtp.messages == []
    # The heart is still in her inbox; only the email leaves it out.
    box = await api.gql("query { viewer { unreadNotificationCount } }", token=ada.token)
    assert box["viewer"]["unreadNotificationCount"] == 1


async def test_unsubscribing_is_one_click_and_needs_the_hubs_signature(
    api: Api, smtp: Inbox,
) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    await with_address(api, ada, "ada@example.org")
    songs = [await api.create_record(ada, f"Song {i}", publish=True) for i in range(2)]
    await api.gql(HEART, {"id": songs[0]["id"]}, token=bob.token)
    await send_now(api)
    (message,) = smtp.messages
    url = message["List-Unsubscribe"].strip("<>")
    assert url in body(message)
    path = url[url.index("/notifications/"):]
    # A link scanner's GET only shows the button; a forged token is refused.
    page = await api.client.get(path)
    assert page.status == 200 and "<form method=\"post\"" in await page.text()
    member, _, signature = path.partition("token=")[2].partition(".")
    forged = await api.client.post(f"/notifications/unsubscribe?token={int(member) + 1}."
                                   f"{signature}")
    assert forged.status == 400
    assert (await api.gql(EMAIL, token=ada.token))["viewer"]["notificationEmail"] == \
        "ada@example.org"
    done = await api.client.post(path)  # what the mail client's button sends
    assert done.status == 200 and "Unsubscribed" in await done.text()
    assert (await api.gql(EMAIL, token=ada.token))["viewer"]["notificationEmail"] is None
    await api.gql(HEART, {"id": songs[1]["id"]}, token=bob.token)
    assert await send_now(api) == Sent(0, 0)
    assert len(smtp.messages) == 1


async def test_addresses_are_checked_and_without_smtp_nothing_is_marked_sent(
    api: Api, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    for bad in ("", "ada", "ada@localhost", "a b@example.org", "x" * 250 + "@example.org"):
        data = await api.gql(SET_EMAIL, {"address": bad}, token=ada.token)
        assert data["setNotificationEmail"] == {
            "address": None, "errors": [{"field": "address", "code": "INVALID_INPUT"}]}
    assert await api.hub.db.fetchval("select count(*) from notification_emails") == 0
    await with_address(api, ada, "ada@example.org")
    song = await api.create_record(ada, "Harbor Lights", publish=True)
    await api.gql(HEART, {"id": song["id"]}, token=bob.token)
    monkeypatch.delenv("HUB_SMTP_HOST", raising=False)
    assert await send_now(api) == Sent(delivered=0, undelivered=1)
    assert await api.hub.db.fetchval(
        "select count(*) from notifications where emailed_at is null") == 1


async def test_operators_send_the_digest_now_from_the_command_line(
    api: Api, smtp: Inbox, database_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from hub.cli import main
    from tests.hubprocess import plugin_list

    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    await with_address(api, ada, "ada@example.org")
    song = await api.create_record(ada, "Harbor Lights", publish=True)
    await api.gql(HEART, {"id": song["id"]}, token=bob.token)
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HUB_DATA_DIR", str(api.hub.settings.data_dir))  # the same secret
    monkeypatch.setenv("HUB_PLUGINS", plugin_list())
    result = await asyncio.to_thread(CliRunner().invoke, main, ["digest", "--send-now"],
                                     catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1 digest(s) delivered" in result.output
    (message,) = smtp.to("ada@example.org")
    # Its link is the hub's: it unsubscribes her.
    url = message["List-Unsubscribe"].strip("<>")
    assert (await api.client.post(url[url.index("/notifications/"):])).status == 200
