"""A small client for tests: GraphQL operations in, JSON out, through the real HTTP app."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from aiohttp.test_utils import TestClient

from hub.http.app import Hub

SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { token member { id handle role } errors { field message code } }
}
"""

CREATE_RECORD = """
mutation Create($input: CreateRecordInput!) {
  createRecord(input: $input) {
    record { id title status version mediaType author { handle } }
    errors { field message code }
  }
}
"""

PUBLISH_RECORD = """
mutation Publish($id: ID!) {
  publishRecord(input: {id: $id}) { record { id status } errors { field message code } }
}
"""


@dataclass
class Member:
    id: str
    handle: str
    token: str


class Api:
    def __init__(self, client: TestClient, hub: Hub) -> None:
        self.client = client
        self.hub = hub

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        return response.status, await response.json()

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
    ) -> dict[str, Any]:
        """Run an operation that must succeed without GraphQL errors; returns ``data``."""
        status, body = await self.post(query, variables, token=token)
        assert status == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def errors(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
    ) -> list[dict[str, Any]]:
        """Run an operation that must fail with GraphQL errors; returns them."""
        _, body = await self.post(query, variables, token=token)
        assert body.get("errors"), body
        return body["errors"]

    def statements(self) -> int:
        return self.hub.db.statements

    def allow_cost(self, max_cost: int) -> None:
        """Raise this hub's cost limit, for a test about something else whose operation is
        priced above the default (lists are priced at their caps, hub/limits.py)."""
        settings = self.hub.settings
        self.hub.settings = replace(settings, security=replace(settings.security,
                                                               max_cost=max_cost))

    @contextlib.contextmanager
    def executor_only(self) -> Iterator[None]:
        """Answer every operation field by field (compiled queries off, hub/compiled), e.g. to
        count the executor's statements for an operation the compiled path would answer."""
        compiled, self.hub.compiled = self.hub.compiled, None
        try:
            yield
        finally:
            self.hub.compiled = compiled

    async def sign_up(self, handle: str, role: str | None = None) -> Member:
        data = await self.gql(SIGN_UP, {"input": {
            "handle": handle, "displayName": handle.title(), "password": "correct horse battery",
        }})
        payload = data["signUp"]
        assert payload["errors"] == [], payload
        if role:
            await self.hub.db.execute("update members set role = $2 where handle = $1", handle, role)
        return Member(payload["member"]["id"], handle, payload["token"])

    async def create_record(
        self, member: Member, title: str = "Untitled", *, details: dict[str, Any] | None = None,
        publish: bool = False, **fields: Any,
    ) -> dict[str, Any]:
        data = await self.gql(CREATE_RECORD, {"input": {
            "title": title,
            "details": details or {"writing": {"form": "POEM", "text": "A few words."}},
            **fields,
        }}, token=member.token)
        payload = data["createRecord"]
        assert payload["errors"] == [], payload
        record = payload["record"]
        if publish:
            published = await self.gql(PUBLISH_RECORD, {"id": record["id"]}, token=member.token)
            assert published["publishRecord"]["errors"] == []
            record = {**record, "status": "PUBLISHED"}
        return record
