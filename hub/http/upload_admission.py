"""Who may send a multipart upload, decided before a byte of its body is read.

An upload's body goes to disk as it arrives (hub/media/upload.py), so every reason to refuse
one that is known from its headers is checked first, and the body of a refused request is
never read:

* no signed-in viewer: ``401 UNAUTHENTICATED`` (every mutation that takes files needs one);
* a declared ``Content-Length`` over ``HUB_MAX_UPLOAD_REQUEST_BYTES``: ``413
  UPLOAD_TOO_LARGE`` (a body without a length is counted while it streams, and stopped at the
  same cap);
* as many uploads in progress as ``HUB_UPLOADS_PER_MEMBER`` for this member, or
  ``HUB_UPLOADS_PER_ADDRESS`` from this client address: ``429 TOO_MANY_UPLOADS`` with
  ``Retry-After``.

The counts of uploads in progress are kept in each hub process (unlike the rate limits, which
count in PostgreSQL: hub/core/ratelimit.py): behind a load balancer of N processes a member may
have up to N times as many uploads in progress. Each upload is also a mutation, counted by the
shared per-member limit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from aiohttp import web

from hub.core.config import Settings
from hub.domain.media.upload import UploadRefused, request_too_large

RETRY_AFTER_SECONDS = 5


class UploadGate:
    """The uploads in progress in this process, by member and by client address."""

    def __init__(self) -> None:
        self.by_member: Counter[int] = Counter()
        self.by_address: Counter[str] = Counter()

    def admit(
        self, request: web.Request, member_id: int | None, settings: Settings,
    ) -> AbstractContextManager[None]:
        """A context manager that holds this upload's place while the request is served;
        raises :class:`UploadRefused` (status, code, message) when it may not start."""
        if member_id is None:
            raise UploadRefused(
                401, "Uploads need a signed-in member: send `Authorization: Bearer <token>`. "
                "The file was not read.", code="UNAUTHENTICATED",
                headers={"WWW-Authenticate": 'Bearer realm="recordhub"'})
        declared = request.content_length
        if declared is not None and declared > settings.max_upload_request_bytes:
            raise UploadRefused(413, request_too_large(settings.max_upload_request_bytes,
                                                       declared), code="UPLOAD_TOO_LARGE")
        address = request.remote or "unknown"
        if self.by_member[member_id] >= settings.uploads_per_member:
            raise _too_many(f"You already have {self.by_member[member_id]} upload(s) in "
                            f"progress, the most the hub takes at once per member "
                            f"(HUB_UPLOADS_PER_MEMBER={settings.uploads_per_member})")
        if self.by_address[address] >= settings.uploads_per_address:
            raise _too_many(f"{self.by_address[address]} upload(s) from your address are in "
                            f"progress, the most the hub takes at once per address "
                            f"(HUB_UPLOADS_PER_ADDRESS={settings.uploads_per_address})")
        return self._held(member_id, address)

    @contextmanager
    def _held(self, member_id: int, address: str) -> Iterator[None]:
        self.by_member[member_id] += 1
        self.by_address[address] += 1
        try:
            yield
        finally:
            _release(self.by_member, member_id)
            _release(self.by_address, address)

    @property
    def in_progress(self) -> int:
        return sum(self.by_member.values())


def _release(counter: Counter[Any], key: Any) -> None:
    # A count that drops to zero goes: members and addresses done uploading hold no memory.
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]


def _too_many(reason: str) -> UploadRefused:
    return UploadRefused(429, f"{reason}. Send this file when one has finished.",
                         code="TOO_MANY_UPLOADS",
                         headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
