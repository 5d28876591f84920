"""Event delivery latency across hub instances, under load.

Starts two ``recordhub serve`` processes on one PostgreSQL database. Subscribers on instance
A hold ``recordPublished`` subscriptions (graphql-transport-ws), or ``remixCreated`` ones of
one record (``--subscription``); publishers on instance B create and publish records
concurrently (with ``remixCreated``, each a remix of that record). Latency is measured per
delivered (subscriber, event) pair, from the event's ``occurredAt`` (taken in the mutation,
before its commit) to its arrival at the subscriber: commit, NOTIFY, the listener's read, the
visibility check and the WebSocket send. Both hubs and the client share one clock (one machine).

    python bench/events.py                 # embedded PostgreSQL in a temporary directory
    HUB_DATABASE_URL=postgresql://… python bench/events.py --records 500 --subscribers 50
    python bench/events.py --subscribers 100 --signed-in 10   # 10 viewers of their own
    python bench/events.py --subscription remixCreated  # remixes of one record instead

Bounded: defaults finish in well under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from hub.core.db.embedded import start_embedded_server, with_database  # noqa: E402
from hub.core.db.migrate import migrate  # noqa: E402
from tests.hubprocess import HubProcess, running_hub  # noqa: E402
from tests.realtime_client import WsClient  # noqa: E402

SUBSCRIPTIONS = {
    "recordPublished": "subscription { recordPublished { cursor occurredAt record { id } } }",
    "remixCreated": "subscription($of: ID) { remixCreated(of: $of) { cursor occurredAt "
                    "remix { id } source { id } } }",
}
SIGN_UP = """mutation($h: String!) { signUp(input: {handle: $h, displayName: $h,
  password: "correct horse battery"}) { token } }"""
CREATE = """mutation($t: String!, $sources: [ID!]) { createRecord(input: {title: $t,
  details: {writing: {form: POEM, text: "bench"}}, sources: $sources}) { record { id } } }"""
CONNECT_AT_ONCE = 50
PUBLISH = "mutation($id: ID!) { publishRecord(input: {id: $id}) { errors { code } } }"


async def fresh_database(admin_url: str) -> str:
    name = f"hub_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'create database "{name}"')
    finally:
        await connection.close()
    url = with_database(admin_url, name)
    await migrate(url)
    return url


async def publisher(hub: HubProcess, token: str, count: int, prefix: str,
                    sources: list[str] | None = None) -> None:
    for n in range(count):
        created = await hub.gql(CREATE, {"t": f"{prefix}-{n}", "sources": sources or []},
                                token=token)
        await hub.gql(PUBLISH, {"id": created["data"]["createRecord"]["record"]["id"]}, token=token)


async def connect_all(hub: HubProcess, tokens: list[str], count: int) -> list[WsClient]:
    """``count`` sockets, opened CONNECT_AT_ONCE at a time (one by one takes minutes at 1,000s);
    the first ``len(tokens)`` signed in with those tokens."""
    url = f"{hub.base_url}/graphql"
    payloads = [{"token": token} for token in tokens] + [{}] * (count - len(tokens))
    clients: list[WsClient] = []
    for start in range(0, count, CONNECT_AT_ONCE):
        clients += await asyncio.gather(*(WsClient.connect(hub.session, url, payload)
                                          for payload in payloads[start:start + CONNECT_AT_ONCE]))
    return clients


async def collect(ws: WsClient, op: str, field: str, expected: int,
                  latencies: list[float]) -> None:
    for _ in range(expected):
        message = await ws.next(op, within=60)
        arrived = dt.datetime.now(dt.UTC)
        occurred = dt.datetime.fromisoformat(message["payload"]["data"][field]["occurredAt"])
        latencies.append((arrived - occurred).total_seconds() * 1000)


def resident_kb(pid: int) -> int:
    """The resident memory of process ``pid`` in KB (Linux), 0 where it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines()
                 if line.startswith("VmRSS:")), 0)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, database_url: str, tmp: Path) -> dict[str, Any]:
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    # Every socket comes from this one loopback address: lift the per-address cap above them.
    quiet = {"HUB_LOG_LEVEL": "WARNING",
             "HUB_MAX_CONNECTIONS_PER_ADDRESS": str(max(64, args.subscribers + 64))}
    async with running_hub(database_url, tmp / "a", **quiet) as hub_a, \
            running_hub(database_url, tmp / "b", **quiet) as hub_b:
        tokens = [(await hub_b.gql(SIGN_UP, {"h": f"bench{n}"}))["data"]["signUp"]["token"]
                  for n in range(args.publishers)]
        # The first --signed-in subscribers each sign in as a member of their own (one payload
        # group per viewer, hub/realtime/multiplex.py); the rest are anonymous (one group).
        viewers = [(await hub_b.gql(SIGN_UP, {"h": f"reader{n}"}))["data"]["signUp"]["token"]
                   for n in range(min(args.signed_in, args.subscribers))]
        # remixCreated: remixes of one published record (each publish is one remix event).
        sources: list[str] | None = None
        variables: dict[str, Any] = {}
        if args.subscription == "remixCreated":
            source = await hub_b.gql(CREATE, {"t": "source", "sources": []}, token=tokens[0])
            sources = [source["data"]["createRecord"]["record"]["id"]]
            await hub_b.gql(PUBLISH, {"id": sources[0]}, token=tokens[0])
            variables = {"of": sources[0]}
        memory_before = resident_kb(hub_a.pid)
        clients = await connect_all(hub_a, viewers, args.subscribers)
        ops = [await client.subscribe(SUBSCRIPTIONS[args.subscription], variables)
               for client in clients]
        await asyncio.sleep(0.5 + args.subscribers / 1000)
        # What the idle sockets and their subscriptions added to instance A (rough: the
        # allocator's noise is spread over them).
        per_socket_kb = (resident_kb(hub_a.pid) - memory_before) / max(1, args.subscribers)
        per_publisher = args.records // args.publishers
        total = per_publisher * args.publishers
        latencies: list[float] = []
        started = time.perf_counter()
        collectors = [asyncio.create_task(collect(c, op, args.subscription, total, latencies))
                      for c, op in zip(clients, ops, strict=True)]
        await asyncio.gather(*(publisher(hub_b, token, per_publisher, f"p{n}", sources)
                               for n, token in enumerate(tokens)))
        await asyncio.gather(*collectors)
        elapsed = time.perf_counter() - started
        for client in clients:
            await client.close()
    return {"events": total, "deliveries": len(latencies), "seconds": elapsed,
            "per_socket_kb": per_socket_kb,
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "max": max(latencies), "mean": statistics.fmean(latencies)}


def report(args: argparse.Namespace, result: dict[str, Any]) -> None:
    table = Table(title=f"{args.subscription} delivery latency, instance B (mutations) → "
                  "instance A (subscribers)")
    for column in ("records", "publishers", "subscribers", "signed in", "deliveries", "events/s",
                   "p50 ms", "p99 ms", "max ms", "KB/socket on A"):
        table.add_column(column, justify="right")
    table.add_row(str(result["events"]), str(args.publishers), str(args.subscribers),
                  str(args.signed_in),
                  str(result["deliveries"]), f"{result['events'] / result['seconds']:.0f}",
                  f"{result['p50']:.1f}", f"{result['p99']:.1f}", f"{result['max']:.1f}",
                  f"{result['per_socket_kb']:.1f}")
    Console().print(table)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200, help="records published in total")
    parser.add_argument("--publishers", type=int, default=8, help="concurrent publishers on B")
    parser.add_argument("--subscribers", type=int, default=20, help="subscribers on A")
    parser.add_argument("--signed-in", type=int, default=0,
                        help="how many of the subscribers sign in (each as its own member)")
    parser.add_argument("--subscription", choices=sorted(SUBSCRIPTIONS), default="recordPublished",
                        help="what the subscribers follow (remixCreated: remixes of one record)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recordhub-bench-") as tmp:
        admin = os.environ.get("HUB_DATABASE_URL") or start_embedded_server(
            Path(tmp) / "pg", delete_on_exit=True)
        database_url = await fresh_database(admin)
        report(args, await run(args, database_url, Path(tmp)))


if __name__ == "__main__":
    asyncio.run(main())
