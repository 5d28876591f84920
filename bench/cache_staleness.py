"""How long another instance serves a stale cached answer after a write is acknowledged.

Starts two ``recordhub serve`` processes on one PostgreSQL database. A member's page is read
anonymously by GET on instance B (so B keeps it in its response cache); then, each round, the
member changes their bio on instance A, and as soon as A acknowledges the mutation the client
reads the page from B again and again (each read is a cache hit, or the statement after an
invalidation) until it shows the new bio. The time from A's acknowledgement to B's first fresh
answer is the staleness window (an upper bound: it includes that last read's own round trip):
the commit's NOTIFY reaching B's listener, its read of the event, and the cache emptied.
(Instance A itself is never stale: it empties its cache at the commit, before answering.)

    python bench/cache_staleness.py                # embedded PostgreSQL, 200 rounds
    HUB_DATABASE_URL=postgresql://… python bench/cache_staleness.py --rounds 1000

Bounded: the defaults finish in seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.events import fresh_database, percentile  # noqa: E402
from hub.core.db.embedded import start_embedded_server  # noqa: E402
from tests.hubprocess import HubProcess, running_hub  # noqa: E402

SIGN_UP = """mutation($h: String!) { signUp(input: {handle: $h, displayName: $h,
  password: "correct horse battery"}) { token } }"""
UPDATE_BIO = "mutation($b: String!) { updateProfile(input: {bio: $b}) { errors { code } } }"
MEMBER = "query Bio($h: String!) { member(handle: $h) { bio } }"


async def bio_on(hub: HubProcess, handle: str) -> tuple[str | None, str]:
    """The bio as ``hub`` answers an anonymous GET, and the answer's Cache-Control."""
    params = {"query": MEMBER, "variables": orjson.dumps({"h": handle}).decode()}
    async with hub.session.get(f"{hub.base_url}/graphql", params=params,
                               headers={"GraphQL-Require-Preflight": "1"}) as response:
        body = orjson.loads(await response.read())
        return body["data"]["member"]["bio"], response.headers.get("Cache-Control", "")


async def one_round(a: HubProcess, b: HubProcess, token: str, n: int, within: float,
                    ) -> tuple[float, int]:
    """(ms from A's acknowledgement to B's first fresh answer, B's stale answers meanwhile)."""
    bio = f"bio {n}"
    answer = await a.gql(UPDATE_BIO, {"b": bio}, token=token)
    acknowledged = time.perf_counter()
    assert (answer.get("data") or {}).get("updateProfile", {}).get("errors") == [], answer
    stale = 0
    while (await bio_on(b, "bench"))[0] != bio:
        stale += 1
        if time.perf_counter() - acknowledged > within:
            raise RuntimeError(f"instance B still stale after {within}s")
    return (time.perf_counter() - acknowledged) * 1000, stale


async def run(args: argparse.Namespace, database_url: str, tmp: Path) -> dict[str, Any]:
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    # Many profile changes a minute: the default mutation limit would refuse them.
    quiet = {"HUB_LOG_LEVEL": "WARNING", "HUB_MUTATIONS_PER_MINUTE": "1000000"}
    async with running_hub(database_url, tmp / "a", **quiet) as a, \
            running_hub(database_url, tmp / "b", **quiet) as b:
        token = (await a.gql(SIGN_UP, {"h": "bench"}))["data"]["signUp"]["token"]
        _, cache_control = await bio_on(b, "bench")
        assert cache_control.startswith("public"), f"B does not cache: {cache_control!r}"
        windows: list[float] = []
        stale_reads = stale_rounds = 0
        for n in range(args.rounds):
            await bio_on(b, "bench")  # B keeps the current answer
            window, stale = await one_round(a, b, token, n, args.within)
            windows.append(window)
            stale_reads += stale
            stale_rounds += stale > 0
    return {"rounds": args.rounds, "stale_reads": stale_reads, "stale_rounds": stale_rounds,
            "p50": percentile(windows, 50), "p99": percentile(windows, 99),
            "max": max(windows), "mean": statistics.fmean(windows)}


def report(result: dict[str, Any]) -> None:
    table = Table(title="Response cache: instance B stale after a write acknowledged by A")
    for column in ("rounds", "rounds with a stale read on B", "stale reads on B",
                   "p50 ms", "p99 ms", "max ms", "mean ms"):
        table.add_column(column, justify="right")
    table.add_row(str(result["rounds"]), str(result["stale_rounds"]), str(result["stale_reads"]),
                  f"{result['p50']:.2f}",
                  f"{result['p99']:.2f}", f"{result['max']:.2f}", f"{result['mean']:.2f}")
    Console().print(table)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="writes on A, each read on B")
    parser.add_argument("--within", type=float, default=10.0,
                        help="seconds B may stay stale before the run fails")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recordhub-bench-") as tmp:
        admin = os.environ.get("HUB_DATABASE_URL") or start_embedded_server(
            Path(tmp) / "pg", delete_on_exit=True)
        database_url = await fresh_database(admin)
        report(await run(args, database_url, Path(tmp)))


if __name__ == "__main__":
    asyncio.run(main())
