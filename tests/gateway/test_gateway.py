"""The hub inside a real federated graph: composed with a foreign subgraph by the official
library, and queried through a real gateway that routes across both.

The Node harness is in tests/federation (see its README): ``billing.mjs`` is a subgraph no hub
code serves (it adds ``Member.invoices`` and ``Record.sales``), ``compose.mjs`` runs
``@apollo/composition``, ``gateway.mjs`` runs ``@apollo/gateway``. The hub is a real
``recordhub serve`` process, so the gateway reaches it over HTTP like a router would.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.api import CREATE_RECORD, PUBLISH_RECORD, SIGN_UP, Api
from tests.hubprocess import HubProcess, running_hub
from tests.paths import TESTS

FEDERATION_DIR = TESTS / "federation"
START_TIMEOUT = 60

if shutil.which("node") is None:
    pytest.skip("node is not installed: the federation tests need Node >= 20 "
                "(then run `cd tests/federation && npm ci`)", allow_module_level=True)
if not (FEDERATION_DIR / "node_modules" / "@apollo" / "gateway").is_dir():
    pytest.skip("tests/federation/node_modules is missing: run `cd tests/federation && npm ci`",
                allow_module_level=True)

RECORDS_WITH_SALES = """
{
  records(orderBy: TITLE, first: 10) {
    nodes { title author { handle } sales { id quantity amountCents } }
  }
}
"""
INVOICES_WITH_MEMBERS = """
{
  invoices {
    id amountCents currency
    member {
      handle displayName
      records(orderBy: TITLE) { nodes { title status sales { quantity } } }
    }
  }
}
"""


# --- Node subprocesses ------------------------------------------------------------------------


async def run_node(script: str, *args: str, stdin: str | None = None) -> str:
    """Run a harness script to completion; its stdout."""
    process = await asyncio.create_subprocess_exec(
        "node", script, *args, cwd=FEDERATION_DIR, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(
        process.communicate(stdin.encode() if stdin else None), START_TIMEOUT
    )
    assert process.returncode == 0, f"{script} exited with {process.returncode}:\n{err.decode()}"
    return out.decode()


@asynccontextmanager
async def node_server(script: str, *args: str, log: Path) -> AsyncIterator[str]:
    """Start a harness server with ``--port 0``; yields the URL from its READY line."""
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            "node", script, "--port", "0", *args, cwd=FEDERATION_DIR,
            stdout=asyncio.subprocess.PIPE, stderr=stderr,
        )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)).decode()
        assert line.startswith("READY "), f"{script} did not start:\n{read(log)}"
        yield line.split()[1]
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


def read(log: Path) -> str:
    return log.read_text(errors="replace")


async def compose(subgraphs: list[dict[str, str]]) -> dict[str, Any]:
    """``@apollo/composition`` over the subgraphs; ``{"errors", "hints", "supergraphSdl"}``."""
    return json.loads(await run_node("compose.mjs", stdin=json.dumps({"subgraphs": subgraphs})))


async def billing_sdl() -> str:
    return await run_node("billing.mjs", "--print-sdl")


async def post(session: aiohttp.ClientSession, url: str, query: str,
               token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json={"query": query}, headers=headers) as response:
        assert response.status == 200, await response.text()
        return await response.json()


# --- hub data ---------------------------------------------------------------------------------


async def sign_up(hub: HubProcess, handle: str) -> tuple[str, str]:
    """(member ID, token)."""
    body = await hub.gql(SIGN_UP, {"input": {
        "handle": handle, "displayName": handle.title(), "password": "correct horse battery"}})
    payload = body["data"]["signUp"]
    assert payload["errors"] == [], payload
    return payload["member"]["id"], payload["token"]


async def create_record(hub: HubProcess, token: str, title: str, *, publish: bool) -> str:
    body = await hub.gql(CREATE_RECORD, {"input": {
        "title": title, "details": {"writing": {"form": "POEM", "text": "A few words."}}}},
        token=token)
    record_id = body["data"]["createRecord"]["record"]["id"]
    if publish:
        published = await hub.gql(PUBLISH_RECORD, {"id": record_id}, token=token)
        assert published["data"]["publishRecord"]["errors"] == []
    return record_id


# --- tests ------------------------------------------------------------------------------------


async def test_the_hub_composes_with_a_foreign_subgraph(api: Api) -> None:
    hub_sdl = (await api.gql("{ _service { sdl } }"))["_service"]["sdl"]
    result = await compose([
        {"name": "hub", "url": "http://127.0.0.1:4001/graphql", "sdl": hub_sdl},
        {"name": "billing", "url": "http://127.0.0.1:4002/", "sdl": await billing_sdl()},
    ])
    assert result["errors"] == []
    assert result["hints"] == []
    supergraph = result["supergraphSdl"]
    # Both subgraphs contribute to the shared entities; demand control sees the pricing.
    for entity in ("Member", "Record"):
        header = supergraph.split(f"\ntype {entity} implements Node\n", 1)[1].split("{", 1)[0]
        assert '@join__type(graph: BILLING, key: "id")' in header
        assert '@join__type(graph: HUB, key: "id")' in header
    assert "invoices: [Invoice!]! @join__field(graph: BILLING)" in supergraph
    assert "sales: [Sale!]! @join__field(graph: BILLING)" in supergraph
    assert "@listSize(assumedSize: 20" in supergraph


async def test_a_gateway_joins_hub_and_billing_in_both_directions(
    database_url: str, tmp_path: Path,
) -> None:
    async with running_hub(database_url, tmp_path) as hub:
        ada_id, ada_token = await sign_up(hub, "ada")
        bob_id, _ = await sign_up(hub, "bob")
        harbor = await create_record(hub, ada_token, "Harbor", publish=True)
        tide = await create_record(hub, ada_token, "Tide", publish=True)
        draft = await create_record(hub, ada_token, "Unfinished", publish=False)
        fixture = tmp_path / "billing.json"
        fixture.write_text(json.dumps({
            "invoices": [
                {"id": "inv-1", "memberId": ada_id, "amountCents": 1200, "currency": "EUR"},
                {"id": "inv-2", "memberId": bob_id, "amountCents": 500, "currency": "USD"},
            ],
            "sales": [
                {"id": "sale-1", "recordId": harbor, "quantity": 2, "amountCents": 400},
                {"id": "sale-2", "recordId": harbor, "quantity": 1, "amountCents": 200},
                {"id": "sale-3", "recordId": draft, "quantity": 9, "amountCents": 900},
            ],
        }))
        hub_sdl = (await hub.gql("{ _service { sdl } }"))["data"]["_service"]["sdl"]

        async with node_server("billing.mjs", "--data", str(fixture),
                               log=tmp_path / "billing.log") as billing_url:
            result = await compose([
                {"name": "hub", "url": f"{hub.base_url}/graphql", "sdl": hub_sdl},
                {"name": "billing", "url": billing_url, "sdl": await billing_sdl()},
            ])
            assert result["errors"] == []
            supergraph = tmp_path / "supergraph.graphql"
            supergraph.write_text(result["supergraphSdl"])

            async with node_server("gateway.mjs", "--supergraph", str(supergraph),
                                   log=tmp_path / "gateway.log") as gateway_url, \
                    aiohttp.ClientSession() as session:
                await assert_records_to_sales(session, gateway_url)
                await assert_invoices_to_members_to_records(session, gateway_url, ada_token)
                await assert_node_is_the_hubs(session, gateway_url, tide)


async def assert_records_to_sales(session: aiohttp.ClientSession, gateway_url: str) -> None:
    """hub (records) -> billing (`Record.sales` by key)."""
    body = await post(session, gateway_url, RECORDS_WITH_SALES)
    assert body == {"data": {"records": {"nodes": [
        {"title": "Harbor", "author": {"handle": "ada"}, "sales": [
            {"id": "sale-1", "quantity": 2, "amountCents": 400},
            {"id": "sale-2", "quantity": 1, "amountCents": 200},
        ]},
        {"title": "Tide", "author": {"handle": "ada"}, "sales": []},
    ]}}}


async def assert_invoices_to_members_to_records(
    session: aiohttp.ClientSession, gateway_url: str, ada_token: str,
) -> None:
    """billing (invoices) -> hub (`_entities` Member, then records) -> billing (sales).

    The viewer's token goes through the gateway: the draft shows to its author only.
    """
    anonymous = await post(session, gateway_url, INVOICES_WITH_MEMBERS)
    assert anonymous == {"data": {"invoices": [
        {"id": "inv-1", "amountCents": 1200, "currency": "EUR", "member": {
            "handle": "ada", "displayName": "Ada", "records": {"nodes": [
                {"title": "Harbor", "status": "PUBLISHED", "sales": [{"quantity": 2},
                                                                     {"quantity": 1}]},
                {"title": "Tide", "status": "PUBLISHED", "sales": []},
            ]}}},
        {"id": "inv-2", "amountCents": 500, "currency": "USD", "member": {
            "handle": "bob", "displayName": "Bob", "records": {"nodes": []}}},
    ]}}

    as_ada = await post(session, gateway_url, INVOICES_WITH_MEMBERS, token=ada_token)
    ada_records = as_ada["data"]["invoices"][0]["member"]["records"]["nodes"]
    assert ada_records == [
        {"title": "Harbor", "status": "PUBLISHED", "sales": [{"quantity": 2}, {"quantity": 1}]},
        {"title": "Tide", "status": "PUBLISHED", "sales": []},
        {"title": "Unfinished", "status": "DRAFT", "sales": [{"quantity": 9}]},
    ]


async def assert_node_is_the_hubs(
    session: aiohttp.ClientSession, gateway_url: str, record_id: str,
) -> None:
    """`Query.node` belongs to the hub; entity fields of billing still join onto it."""
    body = await post(session, gateway_url, f"""
    {{ node(id: "{record_id}") {{ id ... on Record {{ title sales {{ id }} }} }} }}
    """)
    assert body == {"data": {"node": {"id": record_id, "title": "Tide", "sales": []}}}
