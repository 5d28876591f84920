"""Thousands of live subscribers on two hub instances: delivery latency, hub CPU and memory
per idle socket.

For each size, two fresh ``recordhub serve`` processes share one PostgreSQL database; the
subscribers' sockets are spread over both (graphql-transport-ws, one ``recordPublished``
subscription each), opened from this one process (bench/wsclient.py: an asyncio protocol per
socket, no task, that only looks for ``occurredAt`` in each frame: the client must not be the
bottleneck; its CPU is reported too).
Then, in turn:

* **idle**: the hubs' resident memory before and after the sockets opened (per socket, with
  the allocator's noise spread over them) and their CPU over ``--idle`` seconds of silence;
* **steady publishing**: a member on instance B creates and publishes a record ``--rate`` times
  a second for ``--seconds``; latency is measured per delivered (socket, event), from the
  event's ``occurredAt`` (taken in the mutation, before its commit) to its arrival here, and
  the hubs' CPU over the run.

    python bench/sockets.py --sizes 100,1000,5000,10000
    HUB_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/sockets.py

Every socket comes from 127.0.0.1: the hubs are started with their per-address connection
cap raised above the size (HUB_MAX_CONNECTIONS_PER_ADDRESS, for the bench only; the default
stays 64), and this script raises its own open-files limit to the hard limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from events import CREATE, PUBLISH, SIGN_UP, fresh_database, percentile, resident_kb  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from wsclient import Subscriber  # noqa: E402

from hub.core.db.embedded import start_embedded_server  # noqa: E402
from tests.hubprocess import HubProcess, running_hub  # noqa: E402

SUBSCRIPTION = (b'{"id":"1","type":"subscribe","payload":{"query":"subscription { recordPublished '
                b'{ cursor occurredAt record { id title } } }"}}')
INIT = b'{"type":"connection_init","payload":{}}'
OPEN_AT_ONCE = 200
TICKS = os.sysconf("SC_CLK_TCK")


def raise_open_files() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the hubs inherit it
    return hard


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Sockets:
    """The subscribers: their sockets (bench/wsclient.py) and the latencies they measured."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.sockets: list[Subscriber] = []
        self.arrived = asyncio.Event()
        self.expected = 0

    def _arrived(self, latency: float) -> None:
        self.latencies.append(latency)
        if len(self.latencies) >= self.expected:
            self.arrived.set()

    async def open(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        _, subscriber = await loop.create_connection(
            lambda: Subscriber(host, port, INIT, SUBSCRIPTION, self._arrived), host, port)
        await asyncio.wait_for(subscriber.acked, 60)
        self.sockets.append(subscriber)

    async def received(self, count: int, within: float) -> None:
        """Until ``count`` deliveries arrived, or ``within`` seconds passed."""
        self.expected = count
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while len(self.latencies) < count:
                    self.arrived.clear()
                    await self.arrived.wait()

    def close(self) -> None:
        for subscriber in self.sockets:
            subscriber.close()


async def publish_steadily(hub: HubProcess, token: str, rate: float, seconds: float) -> int:
    """Create and publish a record ``rate`` times a second for ``seconds``; how many."""
    count = max(1, round(rate * seconds))

    async def one(n: int) -> None:
        created = await hub.gql(CREATE, {"t": f"steady-{n}"}, token=token)
        await hub.gql(PUBLISH, {"id": created["data"]["createRecord"]["record"]["id"]},
                      token=token)

    started = time.perf_counter()
    tasks = []
    for n in range(count):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    return count


async def measure(args: argparse.Namespace, database_url: str, tmp: Path, size: int,
                  ) -> dict[str, Any]:
    env = {"HUB_LOG_LEVEL": "WARNING",
           "HUB_MAX_CONNECTIONS_PER_ADDRESS": str(size + 64)}  # the bench's loopback only
    (tmp / f"a{size}").mkdir()
    (tmp / f"b{size}").mkdir()
    async with running_hub(database_url, tmp / f"a{size}", **env) as a, \
            running_hub(database_url, tmp / f"b{size}", **env) as b:
        token = (await b.gql(SIGN_UP, {"h": f"steady{size}"}))["data"]["signUp"]["token"]
        await publish_steadily(b, token, 5, 0.4)  # warms both hubs' first event up
        await asyncio.sleep(1)
        hubs = (a, b)
        before = sum(resident_kb(h.pid) for h in hubs)
        subscribers = Sockets()
        addresses = [urlsplit(h.base_url) for h in hubs]
        for start in range(0, size, OPEN_AT_ONCE):
            await asyncio.gather(*(
                subscribers.open(addresses[n % 2].hostname or "", addresses[n % 2].port or 0)
                for n in range(start, min(size, start + OPEN_AT_ONCE))))
        await asyncio.sleep(2 + size / 2000)  # the last subscriptions reach the listeners
        # This client's sockets are long-lived too: its own full collections (100 ms and more
        # at 10,000 sockets) must not delay the deliveries it times.
        gc.freeze()
        per_socket = (sum(resident_kb(h.pid) for h in hubs) - before) / size
        cpu = sum(cpu_seconds(h.pid) for h in hubs)
        await asyncio.sleep(args.idle)
        idle_cpu = (sum(cpu_seconds(h.pid) for h in hubs) - cpu) / args.idle
        cpu, started = sum(cpu_seconds(h.pid) for h in hubs), time.perf_counter()
        client = time.process_time()
        events = await publish_steadily(b, token, args.rate, args.seconds)
        await subscribers.received(events * size, within=60)
        elapsed = time.perf_counter() - started
        busy_cpu = (sum(cpu_seconds(h.pid) for h in hubs) - cpu) / elapsed
        client_cpu = (time.process_time() - client) / elapsed
        subscribers.close()
        gc.unfreeze()
    latencies = subscribers.latencies or [float("nan")]
    return {"size": size, "events": events, "deliveries": len(subscribers.latencies),
            "expected": events * size, "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "max": max(latencies),
            "per_socket_kb": per_socket, "idle_cpu": idle_cpu * 100, "busy_cpu": busy_cpu * 100,
            "client_cpu": client_cpu * 100,
            "load": os.getloadavg()[0]}


def report(args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    table = Table(title=f"recordPublished to N sockets on two hubs, {args.rate}/s for "
                  f"{args.seconds} s (CPU: both hubs, % of one core)")
    for column in ("subscribers", "events", "delivered", "p50 ms", "p99 ms", "max ms",
                   "KB/idle socket", "idle CPU %", "CPU % publishing", "client CPU %",
                   "load 1 min"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(str(r["size"]), str(r["events"]), f"{r['deliveries']}/{r['expected']}",
                      f"{r['p50']:.0f}", f"{r['p99']:.0f}", f"{r['max']:.0f}",
                      f"{r['per_socket_kb']:.1f}", f"{r['idle_cpu']:.1f}",
                      f"{r['busy_cpu']:.0f}", f"{r['client_cpu']:.0f}", f"{r['load']:.1f}")
    Console(width=150).print(table)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="subscriber counts, comma-separated")
    parser.add_argument("--rate", type=float, default=2.0, help="records published per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to publish")
    parser.add_argument("--idle", type=float, default=5.0, help="idle seconds measured")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    limit = raise_open_files()
    if max(sizes) + 256 > limit:
        parser.error(f"{max(sizes)} sockets need more open files than the hard limit {limit}")
    results = []
    with tempfile.TemporaryDirectory(prefix="recordhub-sockets-") as tmp:
        admin = os.environ.get("HUB_DATABASE_URL") or start_embedded_server(
            Path(tmp) / "pg", delete_on_exit=True)
        database_url = await fresh_database(admin)
        for size in sizes:
            results.append(await measure(args, database_url, Path(tmp), size))
            report(args, results[-1:])
    report(args, results)


if __name__ == "__main__":
    asyncio.run(main())
