"""CPU per request of the hub's read operations, now and at an earlier commit, in one run.

    python bench/cpu.py --database-url postgresql://… --baseline REF [--requests 500 --rounds 5]

``bench/run.py`` measures throughput under load, which a busy machine (other processes on the
same two cores) moves by tens of percent from one round to the next. This measures what a
change costs in the hub's own process, which a busy machine barely moves: each anonymous read
operation of bench/run.py is sent ``--requests`` times through an in-process hub (aiohttp's
test server, the database given), and the hub process's CPU time (``time.process_time``) per
request is recorded; the best of ``--rounds`` rounds is reported (interference only ever adds
time). The database's own CPU is not in it: bench/run.py's timed runs carry that.

The baseline runs in a child process from the detached worktree bench/run.py makes for
``--baseline`` (bench/.refs/<sha>), with its modules first on ``PYTHONPATH``; rounds alternate
between the two, so drift falls on both alike. Use a database seeded by bench/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REFS = BENCH / ".refs"  # as bench/run.py (which only the parent imports: a child measuring the
# baseline must import nothing of the current checkout; its PYTHONPATH names the baseline's tree)


async def measure(dsn: str, bodies: dict[str, list[dict[str, Any]]], requests: int,
                  ) -> dict[str, dict[str, float]]:
    """CPU and wall milliseconds per request of each operation, in this process's hub."""
    from aiohttp.test_utils import TestClient, TestServer

    try:  # the layout since the redesign
        from hub.core.config import Settings
        from hub.http.app import create_app, create_hub
    except ImportError:  # the layout before it (a --baseline)
        from hub.app import create_app, create_hub  # type: ignore[no-redef]
        from hub.config import Settings  # type: ignore[no-redef]
    settings = Settings.from_env({"HUB_DATABASE_URL": dsn, "HUB_ENV": "production",
                                  "HUB_SECRET_KEY": "bench-secret-key-bench-secret-key-0123",
                                  "HUB_LOG_LEVEL": "WARNING",
                                  "HUB_DISABLED_PLUGINS": os.environ.get("HUB_DISABLED_PLUGINS", "")})
    hub = await create_hub(settings, run_migrations=False)
    results: dict[str, dict[str, float]] = {}
    async with TestClient(TestServer(create_app(hub))) as client:
        for name, payloads in bodies.items():
            answers = [await (await client.post("/graphql", json=payload)).json()
                       for payload in payloads[:20]]  # warm: plans compiled, statements prepared
            errors = [answer["errors"] for answer in answers if answer.get("errors")]
            if errors:  # e.g. an operation a --baseline predates: reported as "—"
                print(f"{name}: not measured: {errors[0]}", file=sys.stderr)
                continue
            cpu, wall = time.process_time(), time.perf_counter()
            for n in range(requests):
                await (await client.post("/graphql", json=payloads[n % len(payloads)])).read()
            results[name] = {"cpu_ms": (time.process_time() - cpu) * 1000 / requests,
                             "wall_ms": (time.perf_counter() - wall) * 1000 / requests}
    return results


def child(args: argparse.Namespace) -> None:
    bodies = json.loads(Path(args.child).read_text())
    print(json.dumps(asyncio.run(measure(args.database_url, bodies, args.requests))))


def run_in(tree: Path | None, args: argparse.Namespace, bodies_file: Path,
           ) -> dict[str, dict[str, float]]:
    env = dict(os.environ)
    if tree is not None:
        from bench.run import baseline_env

        env.update(baseline_env(tree))
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "--database-url", args.database_url,
         "--requests", str(args.requests), "--child", str(bodies_file)],
        cwd=tree or BENCH.parent, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("HUB_DATABASE_URL"),
                        required="HUB_DATABASE_URL" not in os.environ)
    parser.add_argument("--baseline", metavar="REF", required=False)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    sys.path.insert(0, str(BENCH.parent))
    from bench.run import OPERATIONS, baseline_commit, body, read_sample

    reads = [op for op in OPERATIONS if not op.authenticated]
    sample = asyncio.run(read_sample(args.database_url, random.Random(7)))
    bodies = {op.name: [body(op, "hub", v) for v in op.variables(sample, "hub")]
              for op in reads}
    bodies_file = REFS / "cpu-bodies.json"
    REFS.mkdir(exist_ok=True)
    bodies_file.write_text(json.dumps(bodies))
    trees: dict[str, Path | None] = {"after": None}
    if args.baseline:
        sha = baseline_commit(args.baseline)["sha"]
        tree = REFS / sha
        if not tree.exists():
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha],
                           cwd=BENCH.parent, check=True, capture_output=True)
        trees = {"before": tree, "after": None}
    best: dict[str, dict[str, dict[str, float]]] = {side: {} for side in trees}
    for round_number in range(1, args.rounds + 1):
        for side, tree in trees.items():
            for name, measured in run_in(tree, args, bodies_file).items():
                kept = best[side].get(name)
                if kept is None or measured["cpu_ms"] < kept["cpu_ms"]:
                    best[side][name] = measured
        print(f"round {round_number}/{args.rounds} done", file=sys.stderr, flush=True)
    lines = ["| operation | " + " | ".join(f"{side} CPU ms/request" for side in trees)
             + (" | after/before |" if args.baseline else " |"),
             "|---|" + "---:|" * (len(trees) + (1 if args.baseline else 0))]
    for op in reads:
        measured = [best[side].get(op.name) for side in trees]
        cells = [f"{m['cpu_ms']:.2f}" if m else "—" for m in measured]
        if args.baseline:
            before, after = measured
            cells.append(f"{after['cpu_ms'] / before['cpu_ms']:.2f}" if before and after else "—")
        lines.append(f"| {op.name} | " + " | ".join(cells) + " |")
    if args.baseline:
        base = baseline_commit(args.baseline)
        lines.insert(0, f"`before` = {base['sha'][:7]}, `after` = the checkout; best of "
                        f"{args.rounds} alternating rounds of {args.requests} requests.\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
