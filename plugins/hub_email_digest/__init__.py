"""hub_email_digest: each member's daily notifications digest as one email, over SMTP.

A first-party plugin that uses only the public hooks (``hub_notify``), like a third-party one.

Configuration (environment, read for each digest, so no restart is needed in tests):

* ``HUB_SMTP_HOST``: the SMTP server; unset means the plugin is idle (digests stay unsent).
* ``HUB_SMTP_PORT``: its port (default 25).
* ``HUB_SMTP_FROM``: the sender address (default ``recordhub@localhost``).

Each message goes to the address the member gave (``setNotificationEmail``), lists the items
newest first, and carries the hub's one-click unsubscribe link in its text and in the
``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers (RFC 8058), so mail clients offer
an unsubscribe button that needs no sign-in. When and to whom digests are sent, and the
member's per-kind email preferences, are the hub's (``hub_notify``'s docstring).
"""

from __future__ import annotations

import os
from email.message import EmailMessage

import aiosmtplib

from hub import Digest, hookimpl

DEFAULT_PORT = 25
DEFAULT_FROM = "recordhub@localhost"
TIMEOUT_SECONDS = 30.0


class DigestMailError(RuntimeError):
    """The configuration is wrong."""


def _settings() -> tuple[str, int, str] | None:
    host = os.environ.get("HUB_SMTP_HOST", "").strip()
    if not host:
        return None
    raw_port = os.environ.get("HUB_SMTP_PORT", "").strip()
    try:
        port = int(raw_port) if raw_port else DEFAULT_PORT
    except ValueError:
        raise DigestMailError(f"HUB_SMTP_PORT: {raw_port!r} is not a port number") from None
    if not 0 < port < 65536:
        raise DigestMailError(f"HUB_SMTP_PORT: {port} is not a port number")
    return host, port, os.environ.get("HUB_SMTP_FROM", "").strip() or DEFAULT_FROM


def message(digest: Digest, sender: str) -> EmailMessage:
    """The digest as an email (plain text)."""
    mail = EmailMessage()
    count = len(digest.items) + digest.more
    mail["Subject"] = f"recordhub: {count} new notification{'s' if count != 1 else ''}"
    mail["From"] = sender
    mail["To"] = digest.address
    mail["List-Unsubscribe"] = f"<{digest.unsubscribe_url}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    lines = [f"Hello {digest.display_name},", "", "Since your last digest:", ""]
    lines += [f"* {item.text} ({item.occurred_at:%Y-%m-%d %H:%M} UTC)" for item in digest.items]
    if digest.more:
        lines.append(f"* … and {digest.more} more in your inbox.")
    lines += ["", "Stop these emails (one click, no sign-in):", digest.unsubscribe_url]
    mail.set_content("\n".join(lines) + "\n")
    return mail


@hookimpl
async def hub_notify(digest: Digest) -> bool | None:
    settings = _settings()
    if settings is None:
        return None  # not configured: the hub keeps the digest for the next run
    host, port, sender = settings
    await aiosmtplib.send(message(digest, sender), hostname=host, port=port,
                          timeout=TIMEOUT_SECONDS, start_tls=False, use_tls=False)
    return True
