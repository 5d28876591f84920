"""The benchmark: the hub, PostGraphile and the limit on ONE database, in ONE run.

    python bench/run.py --records 200000                # embedded PostgreSQL in bench/.data
    python bench/run.py --database-url postgresql://…   # or HUB_DATABASE_URL

Steps: install what is missing (wrk from Debian, PostGraphile with ``npm ci`` in bench/), start
or reach PostgreSQL, migrate, seed with ``recordhub seed --scale N`` unless the database
already holds exactly N records (and their classes) from an earlier run, (re)create
PostGraphile's schema (bench/postgraphile/schema.sql), start the three servers on 127.0.0.1,
check that each answers every operation without errors, then for each operation and server: a
warm-up, then a timed ``wrk`` run (bench/wrk/graphql.lua) over a few hundred request bodies
with varied variables. Also: SQL statements per operation in the hub (one request through an
in-process hub, counting ``hub.db.statements``), and the time of the designated record's
50-generation descendants and its deepest descendant's ancestors through the hub. Writes
bench/results/<time>.json and the table (with the machine and the command line) into
bench/README.md between the results markers. Every process it starts, it stops.

``--cache`` adds, for the feed and the record page, the hub's response cache: the same request
variables sent as anonymous GETs (bench/wrk/graphql.lua in its get mode), so after the first
of each the answers come from the instance's cache; reported in a table of its own, with the hit rate read
from ``/metrics``, beside (never mixed into) the uncached numbers.

``--baseline REF`` adds a fourth server, the hub as it was at a git commit (checked out as a
detached worktree in bench/.refs/, run with the same interpreter and the same database), so a
change is measured before and after in the same run; ``--rounds N`` repeats each timed run N
times, alternating the servers, and keeps each server's median, so a load that drifts during the
run falls on both sides alike.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
README = BENCH / "README.md"
START_MARK, END_MARK = "<!-- results:start -->", "<!-- results:end -->"
SERVERS = ("hub", "postgraphile", "limit")
BASELINE = "before"  # the server name of ``--baseline REF``: the hub at an earlier commit
REFS = BENCH / ".refs"
BENCH_HANDLE = "bench_mutator"
BENCH_PASSWORD = "bench-mutator-password-1"
# update_profiles: this many members (bench_mutator_0…), each request signed in as one of them
# editing their own profile, so no two connections queue on one member's row or counter.
MANY_MEMBERS = 64
SEARCH_WORDS = ["harbor", "letters", "static", "orchard", "tides", "engines", "weather",
                "rivers", "mirrors", "signals", "quiet", "golden", "midnight", "velvet",
                "\"paper birds\"", "glass -summer", "hollow or restless"]


@dataclass(frozen=True)
class Operation:
    """One benchmarked operation: its document per server and its variables per request."""

    name: str
    hub: Path
    postgraphile: Path | None  # None: PostGraphile has no equivalent, it is not run
    variables: Callable[[Sample, str], list[dict[str, Any]]]  # (sample, server) -> bodies
    authenticated: bool = False
    # The limit builds the hub's exact JSON: the check compares their answers.
    same_as_limit: bool = False
    # Signed in as the seeded member with the most notifications (not the bench's own).
    as_inbox_member: bool = False
    # Each body signed in as its own member (Sample.member_tokens, in turn): sent by wrk as
    # "<token>\t<body>" lines (bench/wrk/graphql.lua's tokens mode).
    many_members: bool = False

    def runs_on(self, server: str) -> bool:
        return server != "postgraphile" or self.postgraphile is not None


@dataclass
class Sample:
    """Values the request bodies draw from, read from the seeded database."""

    record_pks: list[int]
    handles: list[str]
    class_slugs: list[str]
    collaboration_pks: list[int] = dataclasses.field(default_factory=list)
    member_pk: int = 0
    token: str = ""
    root_pk: int = 0
    leaf_pk: int = 0
    inbox_token: str = ""
    member_tokens: list[str] = dataclasses.field(default_factory=list)  # MANY_MEMBERS
    member_pks: list[int] = dataclasses.field(default_factory=list)  # in the same order

    def token_for(self, operation: Operation) -> str | None:
        """The token of a lone request (a many-members operation's first body is the first
        member's)."""
        if operation.as_inbox_member:
            return self.inbox_token
        if operation.many_members:
            return self.member_tokens[0]
        return self.token if operation.authenticated else None


def _gid(type_name: str, pk: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def _record_vars(sample: Sample, server: str) -> list[dict[str, Any]]:
    return [{"id": str(pk) if server == "postgraphile" else _gid("Record", pk)}
            for pk in sample.record_pks]


def _search_vars(sample: Sample, server: str) -> list[dict[str, Any]]:
    media = [None, None, "music", "film", "writing", "image"]
    return [{"text": word, "mediaType": kind} for word in SEARCH_WORDS for kind in media]


def _bio_vars(sample: Sample, server: str) -> list[dict[str, Any]]:
    bios = [{"bio": f"Benchmark bio number {n}: still making things."} for n in range(100)]
    if server == "postgraphile":
        return [{**bio, "id": str(sample.member_pk)} for bio in bios]
    return bios


def _many_bio_vars(sample: Sample, server: str) -> list[dict[str, Any]]:
    """Body ``n`` is member ``n % MANY_MEMBERS``'s (:func:`body_lines` pairs the tokens)."""
    bodies = []
    for n in range(2 * MANY_MEMBERS):
        bio = {"bio": f"Benchmark bio number {n}: still making things."}
        if server == "postgraphile":
            bio["id"] = str(sample.member_pks[n % MANY_MEMBERS])
        bodies.append(bio)
    return bodies


def _collaboration_vars(sample: Sample, server: str) -> list[dict[str, Any]]:
    return [{"id": _gid("Collaboration", pk)} for pk in sample.collaboration_pks]


def _open_calls_vars(sample: Sample, server: str) -> list[dict[str, Any]]:
    # Every open call, then narrowed by media type, by skill, and by words of the briefs and
    # needs (the scale seed's words: hub/seed/scale/collaborations.py).
    narrowed = [{"mediaType": kind} for kind in ("music", "writing", "image", "film")]
    narrowed += [{"skill": skill} for skill in ("lyrics", "piano")]
    narrowed += [{"search": words} for words in ("music", "words piece", "needs")]
    return [{}, *narrowed]


COLLABORATIONS = ROOT / "schema/operations/collaborations"

OPERATIONS = [
    Operation("feed", BENCH / "operations/feed.graphql", BENCH / "postgraphile/feed.graphql",
              lambda sample, server: [{"first": 50}]),
    Operation("record_page", BENCH / "operations/record_page_lineage.graphql",
              BENCH / "postgraphile/record_page_lineage.graphql", _record_vars),
    Operation("member_page", ROOT / "schema/operations/member_page.graphql",
              BENCH / "postgraphile/member_page.graphql",
              lambda sample, server: [{"handle": h} for h in sample.handles]),
    Operation("search", ROOT / "schema/operations/search.graphql",
              BENCH / "postgraphile/search.graphql", _search_vars),
    Operation("class_page", ROOT / "schema/operations/class_page.graphql",
              BENCH / "postgraphile/class_page.graphql",
              lambda sample, server: [{"slug": slug} for slug in sample.class_slugs]),
    Operation("update_profile", BENCH / "operations/update_profile.graphql",
              BENCH / "postgraphile/update_profile.graphql", _bio_vars, authenticated=True),
    # The same edit by 64 members at once, each their own (as real traffic is): no hot row.
    Operation("update_profiles", BENCH / "operations/update_profile.graphql",
              BENCH / "postgraphile/update_profile.graphql", _many_bio_vars,
              many_members=True),
    Operation("collaboration_page", COLLABORATIONS / "collaboration_page.graphql", None,
              _collaboration_vars, same_as_limit=True),
    Operation("open_calls", COLLABORATIONS / "open_calls.graphql", None, _open_calls_vars,
              same_as_limit=True),
    # Comments are on every other published record of the scale seed (even ids).
    Operation("record_comments", BENCH / "operations/record_comments.graphql", None,
              lambda sample, server: [{"id": _gid("Record", pk)} for pk in sample.record_pks
                                      if pk % 2 == 0]),
    Operation("inbox", BENCH / "operations/inbox.graphql", None,
              lambda sample, server: [{}], as_inbox_member=True),
    # The first page by FRESH (the stored discovery keys; PostGraphile has no such order).
    Operation("fresh_feed", BENCH / "operations/fresh_feed.graphql", None,
              lambda sample, server: [{"first": 20}], same_as_limit=True),
]
OPERATION_NAMES = {"feed": "BenchFeed", "record_page": "BenchRecordPage",
                   "member_page": "MemberPage", "search": "Search", "class_page": "ClassPage",
                   "update_profile": "BenchUpdateProfile",
                   "update_profiles": "BenchUpdateProfile",
                   "collaboration_page": "CollaborationPage", "open_calls": "OpenCalls",
                   "record_comments": "BenchRecordComments",
                   "inbox": "BenchInbox",
                   "fresh_feed": "BenchFreshFeed"}


# --- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT if self.name == "postgraphile"
                                     else signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start(name: str, command: list[str], env: dict[str, str], run_dir: Path,
          port: int) -> Server:
    log = run_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=ROOT)
    return Server(name, port, process, log)


def baseline_commit(ref: str) -> dict[str, str]:
    """The commit ``--baseline`` names, resolved once (sha and subject)."""
    done = subprocess.run(["git", "log", "-1", "--format=%H%n%s", ref], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    sha, subject = done.stdout.strip().split("\n", 1)
    return {"ref": ref, "sha": sha, "subject": subject}


def baseline_env(tree: Path) -> dict[str, str]:
    """What a hub at an earlier commit runs with: its own modules first on ``PYTHONPATH``, and
    the first-party plugins it does not have disabled (their entry points are the current
    checkout's, installed in this interpreter, and import names the baseline lacks)."""
    newer = sorted(p.name for p in (ROOT / "plugins").iterdir()
                   if (p / "__init__.py").exists() and not (tree / "plugins" / p.name).exists())
    return {"PYTHONPATH": f"{tree}{os.pathsep}{tree / 'plugins'}",
            "HUB_DISABLED_PLUGINS": ",".join(newer)}


def start_baseline(ref: str, env: dict[str, str], run_dir: Path) -> Server:
    """The hub at ``ref``, from a detached worktree in bench/.refs/<sha>, on the same database.

    Its own modules come first on ``PYTHONPATH`` (the hub and the first-party plugins), so the
    interpreter's editable install of the current checkout is not what runs. The baseline must
    be able to read the current schema: migrations only add, and it migrates nothing itself.
    """
    sha = baseline_commit(ref)["sha"]
    tree = REFS / sha
    if not tree.exists():
        REFS.mkdir(exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=ROOT,
                       check=True, capture_output=True)
    port = free_port()
    command = [sys.executable, "-m", "hub.cli", "serve", "--host", "127.0.0.1", "--port",
               str(port)]
    log = run_dir / f"{BASELINE}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=tree,
            env={**env, **baseline_env(tree)})
    return Server(BASELINE, port, process, log)


def median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median requests/s of a server's rounds (the others listed in it)."""
    ranked = sorted(results, key=lambda r: r["rps"])
    chosen = dict(ranked[(len(ranked) - 1) // 2])
    chosen["rounds_rps"] = [round(r["rps"], 1) for r in results]
    return chosen


async def wait_ready(session: aiohttp.ClientSession, server: Server, within: float = 90) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{server.log.read_text()[-3000:]}")
        with contextlib.suppress(aiohttp.ClientError, OSError):
            async with session.post(server.url, json={"query": "{ __typename }",
                                                      "operationName": "BenchFeed",
                                                      "variables": {"first": 1}}) as response:
                if response.status < 500:
                    return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer in {within:.0f} s:\n"
                       f"{server.log.read_text()[-3000:]}")


def ensure_tools(skip_postgraphile: bool) -> None:
    if shutil.which("wrk") is None:
        print("installing wrk (Debian package)…", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, timeout=600)
    if not skip_postgraphile and not (BENCH / "node_modules/.bin/postgraphile").exists():
        print("installing PostGraphile (npm ci in bench/)…", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True,
                       timeout=600)


# --- database ------------------------------------------------------------------------------------


async def database(args: argparse.Namespace) -> str:
    if args.database_url:
        return args.database_url
    from hub.core.db.embedded import ensure_database, start_embedded_server

    admin = start_embedded_server(args.data_dir)
    return await ensure_database(admin, "recordhub_bench")


async def prepare_data(dsn: str, args: argparse.Namespace, env: dict[str, str]) -> None:
    from hub.core.db.migrate import migrate

    await migrate(dsn)
    connection = await asyncpg.connect(dsn)
    try:
        count = await connection.fetchval("select count(*) from records")
        seeded_root = await connection.fetchval(
            "select count(*) from records where tags @> array['scale-lineage-root']")
        # A data set seeded before the scale seed made classes cannot serve class_page.
        has_classes = await connection.fetchval(
            "select exists (select 1 from classes where status = 'PUBLISHED')")
    finally:
        await connection.close()
    if count == args.records and seeded_root == 1 and has_classes and not args.reseed:
        print(f"reusing the {count} records already seeded", flush=True)
        return
    if count and not (args.reseed or not args.database_url):
        found = f"{count} records, not {args.records}" if count != args.records \
            else f"{count} records but no published classes (an older seed)"
        raise SystemExit(f"the database holds {found}: pass --reseed to replace its members "
                         "and records")
    command = [sys.executable, "-m", "hub.cli", "seed", "--scale", str(args.records)]
    if count:
        command.append("--force")
    print("$", " ".join(["recordhub", *command[3:]]), flush=True)
    # Nothing else runs meanwhile: blocking here is what we want (and shows the progress).
    subprocess.run(command, env=env, check=True, cwd=ROOT, timeout=3600)  # noqa: ASYNC221


async def read_sample(dsn: str, rng: random.Random) -> Sample:
    connection = await asyncpg.connect(dsn)
    try:
        # Record pages: published remixes (they have sources and ancestors), and some roots.
        remixes = await connection.fetch(
            """select r.id from record_sources s tablesample system (5) join records r
               on r.id = s.remix_id where r.status = 'PUBLISHED' and r.deleted_at is null
               limit 2000""")
        if len(remixes) < 50:
            remixes = await connection.fetch(
                """select distinct r.id from record_sources s join records r on r.id = s.remix_id
                   where r.status = 'PUBLISHED' and r.deleted_at is null limit 2000""")
        handles = await connection.fetch(
            "select handle from members where handle <> $1 order by random() limit 300",
            BENCH_HANDLE)
        # Class pages: what an anonymous visitor finds in the class listing.
        slugs = await connection.fetch(
            "select slug from classes where status = 'PUBLISHED' order by random() limit 300")
        root = await connection.fetchval(
            "select id from records where tags @> array['scale-lineage-root']")
        leaf = await connection.fetchval(
            "select id from records where tags @> array['scale-lineage-leaf']")
        # Collaboration pages: every state an anonymous visitor may see (drafts are not).
        collaborations = await connection.fetch(
            "select id from collaborations where status <> 'DRAFT' order by random() limit 300")
    finally:
        await connection.close()
    pks = sorted({row["id"] for row in remixes})
    rng.shuffle(pks)
    return Sample(record_pks=pks[:300], handles=[row["handle"] for row in handles],
                  class_slugs=[row["slug"] for row in slugs], root_pk=root, leaf_pk=leaf,
                  collaboration_pks=[row["id"] for row in collaborations])


async def postgraphile_schema(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute((BENCH / "postgraphile/schema.sql").read_text())
    finally:
        await connection.close()


# --- requests ------------------------------------------------------------------------------------


def body(operation: Operation, server: str, variables: dict[str, Any]) -> dict[str, Any]:
    document = operation.postgraphile if server == "postgraphile" else operation.hub
    assert document is not None, f"{operation.name} does not run on {server}"
    return {"query": document.read_text(), "operationName": OPERATION_NAMES[operation.name],
            "variables": variables}


async def post(session: aiohttp.ClientSession, url: str, payload: dict[str, Any],
               token: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json=payload, headers=headers) as response:
        return response.status, await response.read()


async def bench_member(session: aiohttp.ClientSession, hub_url: str) -> str:
    """Sign the benchmark's member up once (or log in on a later run); returns a token."""
    return await sign_up_or_in(session, hub_url, BENCH_HANDLE)


async def sign_up_or_in(session: aiohttp.ClientSession, hub_url: str, handle: str) -> str:
    """Sign ``handle`` up (the benchmark's password), or log in when it exists; a token."""
    sign_up = """mutation($input: SignUpInput!) { signUp(input: $input) {
                   token errors { code message } } }"""
    log_in = """mutation($input: LogInInput!) { logIn(input: $input) {
                  token errors { code message } } }"""
    _, raw = await post(session, hub_url, {"query": sign_up, "variables": {"input": {
        "handle": handle, "displayName": "Bench Mutator", "password": BENCH_PASSWORD}}})
    token = (json.loads(raw).get("data") or {}).get("signUp", {}).get("token")
    if token:
        return token
    _, raw = await post(session, hub_url, {"query": log_in, "variables": {"input": {
        "handle": handle, "password": BENCH_PASSWORD}}})
    token = (json.loads(raw).get("data") or {}).get("logIn", {}).get("token")
    if not token:
        raise RuntimeError(f"could not sign {handle} up or in: {raw[:500]!r}")
    return str(token)


async def many_members(session: aiohttp.ClientSession, hub_url: str, dsn: str,
                       ) -> tuple[list[str], list[int]]:
    """Sign the MANY_MEMBERS members up once (or log them in); their tokens and ids."""
    tokens = [await sign_up_or_in(session, hub_url, f"{BENCH_HANDLE}_{n}")
              for n in range(MANY_MEMBERS)]
    connection = await asyncpg.connect(dsn)
    try:
        ids = {row["handle"]: row["id"] for row in await connection.fetch(
            "select handle, id from members where handle like $1", f"{BENCH_HANDLE}\\_%")}
    finally:
        await connection.close()
    return tokens, [ids[f"{BENCH_HANDLE}_{n}"] for n in range(MANY_MEMBERS)]


async def inbox_member(session: aiohttp.ClientSession, hub_url: str, dsn: str) -> str:
    """Log in as the seeded member with the most notifications (seeded members share the demo
    password); returns a token."""
    from hub.seed.demo import DEMO_PASSWORD

    connection = await asyncpg.connect(dsn)
    try:
        handle = await connection.fetchval(
            "select m.handle from notifications n join members m on m.id = n.recipient_id "
            "group by m.handle order by count(*) desc, m.handle limit 1")
    finally:
        await connection.close()
    if handle is None:
        raise RuntimeError("no notifications in the database: seed it again (recordhub seed)")
    log_in = """mutation($input: LogInInput!) { logIn(input: $input) {
                  token errors { code message } } }"""
    _, raw = await post(session, hub_url, {"query": log_in, "variables": {"input": {
        "handle": handle, "password": DEMO_PASSWORD}}})
    token = (json.loads(raw).get("data") or {}).get("logIn", {}).get("token")
    if not token:
        raise RuntimeError(f"could not log in as {handle}: {raw[:500]!r}")
    return str(token)


async def check_answers(session: aiohttp.ClientSession, servers: dict[str, Server],
                        sample: Sample, operations: list[Operation]) -> dict[str, dict[str, int]]:
    """One request per operation (of those timed) and server; fails on any error. Returns
    response sizes."""
    sizes: dict[str, dict[str, int]] = {}
    for operation in operations:
        sizes[operation.name] = {}
        for name, server in servers.items():
            if not operation.runs_on(name):
                continue
            variables = operation.variables(sample, name)[0]
            token = sample.token_for(operation)
            status, raw = await post(session, server.url, body(operation, name, variables), token)
            answer = json.loads(raw)
            if status != 200 or answer.get("errors") or not answer.get("data"):
                raise RuntimeError(f"{name} {operation.name}: HTTP {status} {raw[:800]!r}")
            sizes[operation.name][name] = len(raw)
        if operation.same_as_limit and "hub" in servers and "limit" in servers:
            await same_answers(session, servers, sample, operation)
    return sizes


async def same_answers(session: aiohttp.ClientSession, servers: dict[str, Server],
                       sample: Sample, operation: Operation, bodies: int = 12) -> None:
    """The limit's answer is the hub's, to the JSON value, for the first ``bodies`` bodies."""
    for variables in operation.variables(sample, "hub")[:bodies]:
        answers = []
        for name in ("hub", "limit"):
            status, raw = await post(session, servers[name].url,
                                     body(operation, name, variables))
            answers.append((status, json.loads(raw)))
        if answers[0] != answers[1]:
            raise RuntimeError(f"hub and limit differ on {operation.name} {variables}:\n"
                               f"hub   {json.dumps(answers[0])[:1500]}\n"
                               f"limit {json.dumps(answers[1])[:1500]}")


# --- load ----------------------------------------------------------------------------------------


def wrk(url: str, bodies: Path, seconds: int, args: argparse.Namespace,
        token: str | None, mode: str = "post") -> dict[str, Any]:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s",
               "--timeout", "10s", "--latency", "-s", str(BENCH / "wrk" / "graphql.lua")]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    command += [url, "--", str(bodies), mode]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[6:])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors",
                                               "non_2xx", "timeouts", "graphql_errors"))
    return result


def body_lines(operation: Operation, server: str, sample: Sample) -> list[str]:
    """The lines of one operation's bodies file for wrk: JSON bodies, each prefixed with its
    member's token and a tab for a many-members operation (on PostGraphile too: the token is
    ignored there, the member is the body's ``id``)."""
    bodies = [json.dumps(body(operation, server, v)) for v in operation.variables(sample, server)]
    if not operation.many_members:
        return bodies
    tokens = sample.member_tokens
    return [f"{tokens[n % len(tokens)]}\t{line}" for n, line in enumerate(bodies)]


CACHED_OPERATIONS = ("feed", "record_page")
METRICS_TOKEN = "bench-metrics-token-0123456789"


def get_path(operation: Operation, variables: dict[str, Any]) -> str:
    """The GET request path of ``operation`` with ``variables`` (the hub's document)."""
    payload = body(operation, "hub", variables)
    return "/graphql?" + urllib.parse.urlencode({
        "query": payload["query"], "operationName": payload["operationName"],
        "variables": json.dumps(variables, separators=(",", ":"))})


async def cache_counts(session: aiohttp.ClientSession, server: Server) -> dict[str, float]:
    """The hub's response-cache hits and misses so far (from /metrics)."""
    async with session.get(f"{server.url.removesuffix('/graphql')}/metrics",
                           headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as response:
        text = await response.text()
    counts = {"hits": 0.0, "misses": 0.0}
    for line in text.splitlines():
        for name in counts:
            if line.startswith(f"hub_response_cache_{name}_total "):
                counts[name] = float(line.split()[1])
    return counts


async def cached_runs(session: aiohttp.ClientSession, hub: Server, sample: Sample,
                      operations: list[Operation], run_dir: Path, args: argparse.Namespace,
                      ) -> dict[str, dict[str, Any]]:
    """The feed and the record page as anonymous GETs through the hub's response cache."""
    results: dict[str, dict[str, Any]] = {}
    for operation in operations:
        if operation.name not in CACHED_OPERATIONS:
            continue
        paths = run_dir / f"hub-cached-{operation.name}.txt"
        paths.write_text("\n".join(get_path(operation, v)
                                   for v in operation.variables(sample, "hub")) + "\n")
        if args.warmup > 0:
            wrk(hub.url, paths, args.warmup, args, None, "get")
        before = await cache_counts(session, hub)
        result = wrk(hub.url, paths, args.duration, args, None, "get")
        after = await cache_counts(session, hub)
        hits, misses = (after[k] - before[k] for k in ("hits", "misses"))
        result["hit_rate"] = hits / (hits + misses) if hits + misses else 0.0
        results[operation.name] = result
        print(f"{operation.name:>15} {'hub (cache)':>12}: {result['rps']:8.0f} rps  "
              f"p50 {result['p50_us'] / 1000:6.1f} ms  p99 {result['p99_us'] / 1000:6.1f} ms  "
              f"hit rate {result['hit_rate']:.1%}  errors {result['errors']}", flush=True)
    return results


def profiler(server: Server, out: Path, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """py-spy sampling the hub for the timed run (``pip install py-spy``; needs ptrace)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return subprocess.Popen(
        [spy, "record", "--pid", str(server.process.pid), "--duration", str(args.duration),
         "--rate", "200", "--format", "raw", "--nonblocking", "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def hot_spots(collapsed: Path, top: int = 15) -> list[tuple[str, float]]:
    """The functions on the most sampled stacks (inclusive share), from py-spy's raw output."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in collapsed.read_text().splitlines() if collapsed.exists() else []:
        stack, _, count = line.rpartition(" ")
        total += int(count)
        for frame in {f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1]
                      + ")" for f in stack.split(";")}:
            inclusive[frame] = inclusive.get(frame, 0) + int(count)
    ranked = sorted(inclusive.items(), key=lambda kv: -kv[1])
    return [(frame, round(100 * n / total, 1)) for frame, n in ranked[:top]] if total else []


async def count_statements(dsn: str, sample: Sample, operations: list[Operation],
                           compiled: bool) -> dict[str, int]:
    """SQL statements per operation in the hub: one request each through an in-process hub (only
    the operations of this run: a many-members operation's tokens exist only when it is one)."""
    from aiohttp.test_utils import TestClient, TestServer

    from hub.core.config import Settings
    from hub.http.app import create_app, create_hub

    settings = Settings.from_env({"HUB_DATABASE_URL": dsn, "HUB_MUTATIONS_PER_MINUTE": "1000000",
                                  "HUB_COMPILED_QUERIES": "true" if compiled else "false"})
    hub = await create_hub(settings, run_migrations=False)
    counts: dict[str, int] = {}
    async with TestClient(TestServer(create_app(hub))) as client:
        for operation in operations:
            payload = body(operation, "hub", operation.variables(sample, "hub")[0])
            token = sample.token_for(operation)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            before = hub.db.statements
            response = await client.post("/graphql", json=payload, headers=headers)
            answer = await response.json()
            if answer.get("errors"):
                raise RuntimeError(f"hub {operation.name}: {answer['errors']}")
            counts[operation.name] = hub.db.statements - before
    return counts


async def lineage_times(session: aiohttp.ClientSession, hub: Server, sample: Sample,
                        dsn: str, runs: int, budget: float) -> dict[str, Any]:
    """Sequential timings of the 50-generation walks through the hub, and of the same walk's
    SQL alone (hub/lineage/store.py) for comparison."""
    from hub.domain.lineage import store

    results: dict[str, Any] = {}
    walks = [("descendants", "lineage_descendants.graphql", sample.root_pk, store.Walk.DESCENDANTS),
             ("ancestors", "lineage_ancestors.graphql", sample.leaf_pk, store.Walk.ANCESTORS)]
    connection = await asyncpg.connect(dsn)
    try:
        for name, document, pk, walk in walks:
            payload = {"query": (BENCH / "operations" / document).read_text(),
                       "variables": {"id": _gid("Record", pk)}}
            http, sql, entries, size = [], [], 0, 0
            deadline = time.monotonic() + budget
            for _ in range(runs):
                began = time.perf_counter()
                status, raw = await post(session, hub.url, payload)
                http.append(time.perf_counter() - began)
                answer = json.loads(raw)
                if status != 200 or answer.get("errors"):
                    raise RuntimeError(f"hub {name}: {raw[:500]!r}")
                entries, size = len(answer["data"]["record"][name]), len(raw)
                began = time.perf_counter()
                await store.walk_records(connection, [pk], walk, 50, 10_000)
                sql.append(time.perf_counter() - began)
                if time.monotonic() > deadline:
                    break
            results[name] = {"record_id": _gid("Record", pk), "entries": entries,
                             "response_bytes": size, "runs": len(http),
                             "http_ms": _percentiles(http), "sql_ms": _percentiles(sql)}
    finally:
        await connection.close()
    return results


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    if len(ms) == 1:
        return {"p50": round(ms[0], 1), "p99": round(ms[0], 1)}
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p99": round(cuts[98], 1)}


# --- report --------------------------------------------------------------------------------------


async def machine(dsn: str) -> dict[str, str]:
    connection = await asyncpg.connect(dsn)
    try:
        pg = await connection.fetchval("show server_version")
    finally:
        await connection.close()
    return {**_host(), "postgresql": pg}


def _host() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                .splitlines() if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                     .splitlines() if line.startswith("MemTotal"))

    def version(command: list[str]) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(command, capture_output=True, text=True, timeout=20)
            return (done.stdout or done.stderr).strip().splitlines()[0]
        return "?"

    postgraphile = json.loads((BENCH / "node_modules/postgraphile/package.json").read_text()
                              )["version"] if (BENCH / "node_modules/postgraphile").exists() \
        else "-"
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": f"{memory_kb / 2**20:.0f} GiB",
            "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}",
            "node": version(["node", "--version"]), "postgraphile": postgraphile,
            "wrk": version(["wrk", "--version"]).split(" [")[0]}


def markdown(report: dict[str, Any]) -> str:
    m, cfg = report["machine"], report["config"]
    lines = [
        f"Run {report['started']} — `{report['command']}`",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; PostgreSQL {m['postgresql']}; "
        f"Python {m['python']}; Node {m['node']} with PostGraphile {m['postgraphile']}; "
        f"{m['wrk']}; {m['os']}.",
        f"Data: {cfg['records']:,} records. Load: wrk, {cfg['connections']} connections, "
        f"{cfg['threads']} threads, {cfg['warmup']} s warm-up then {cfg['duration']} s per "
        "operation and server; requests/s (rps) and latency p50/p99 in ms.",
        "",
        "| operation | hub rps | p50 | p99 | PostGraphile rps | p50 | p99 | limit rps | p50 | p99 "
        "| hub/PostGraphile | hub/limit | hub SQL statements | errors (hub/PG/limit) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, row in report["operations"].items():
        cells = [name]
        for server in SERVERS:
            r = row.get(server)
            cells += ([f"{r['rps']:,.0f}", f"{r['p50_us'] / 1000:.1f}",
                       f"{r['p99_us'] / 1000:.1f}"] if r else ["-", "-", "-"])
        hub, pg, limit = (row.get(s) for s in SERVERS)
        cells.append(f"{hub['rps'] / pg['rps']:.2f}" if hub and pg else "-")
        cells.append(f"{hub['rps'] / limit['rps']:.2f}" if hub and limit else "-")
        cells.append(str(report["statements"].get(name, "-")))
        cells.append("/".join(str(row[s]["errors"]) if row.get(s) else "-" for s in SERVERS))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Response size in bytes of the first request (hub / PostGraphile / limit): "
              + "; ".join(f"{op} {'/'.join(str(sizes.get(s, '-')) for s in SERVERS)}"
                          for op, sizes in report["response_bytes"].items()) + "."]
    if report.get("baseline"):
        lines += ["", *before_after(report)]
    if report.get("cached"):
        lines += ["", "Response cache (`--cache`; apart from the uncached table above): the same "
                  "variables as anonymous GETs, answered from the hub instance's cache after "
                  "the first of each; no writes during the run.", "",
                  "| operation | hub cached rps | p50 | p99 | uncached rps | cached/uncached "
                  "| hit rate | errors |", "|---|---:|---:|---:|---:|---:|---:|---|"]
        for name, r in report["cached"].items():
            uncached = report["operations"].get(name, {}).get("hub")
            lines.append(
                f"| {name} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.1f} | "
                f"{r['p99_us'] / 1000:.1f} | "
                + (f"{uncached['rps']:,.0f} | {r['rps'] / uncached['rps']:.2f}" if uncached
                   else "- | -")
                + f" | {r['hit_rate']:.1%} | {r['errors']} |")
    if report.get("lineage"):
        lines += ["", "| lineage walk (through the hub, sequential) | entries | runs "
                  "| HTTP p50 ms | HTTP p99 ms | SQL alone p50 ms | SQL alone p99 ms |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for name, r in report["lineage"].items():
            lines.append(f"| {name} of {r['record_id']} (maxDepth 50) | {r['entries']:,} | "
                         f"{r['runs']} | {r['http_ms']['p50']} | {r['http_ms']['p99']} | "
                         f"{r['sql_ms']['p50']} | {r['sql_ms']['p99']} |")
    return "\n".join(lines)


def before_after(report: dict[str, Any]) -> list[str]:
    """The hub now beside the hub at ``--baseline``, per operation (same run, same database)."""
    base = report["baseline"]
    rounds = report["config"].get("rounds", 1)
    lines = [f"Before/after: `before` is the hub at {base['sha'][:7]} ({base['subject'][:90]}), "
             f"`after` the checkout that ran the benchmark; {rounds} alternating round(s) per "
             "operation, the median round shown (every round's rps in the results JSON).",
             "",
             "| operation | before rps | p50 | p99 | after rps | p50 | p99 | after/before rps "
             "| errors (before/after) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name, row in report["operations"].items():
        before, after = row.get(BASELINE), row.get("hub")
        if not (before and after):
            continue
        cells = [name]
        for r in (before, after):
            cells += [f"{r['rps']:,.0f}", f"{r['p50_us'] / 1000:.1f}", f"{r['p99_us'] / 1000:.1f}"]
        cells += [f"{after['rps'] / before['rps']:.2f}", f"{before['errors']}/{after['errors']}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def write_readme(table: str) -> None:
    text = README.read_text() if README.exists() else f"# Benchmark\n\n{START_MARK}\n{END_MARK}\n"
    if START_MARK not in text:
        text += f"\n{START_MARK}\n{END_MARK}\n"
    pattern = re.compile(re.escape(START_MARK) + ".*?" + re.escape(END_MARK), re.S)
    README.write_text(pattern.sub(lambda _m: f"{START_MARK}\n{table}\n{END_MARK}", text))


# --- main ----------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    run_dir = RESULTS / started.replace(":", "")
    run_dir.mkdir(parents=True, exist_ok=True)
    servers_wanted = [s for s in SERVERS if s in args.servers]
    operations_wanted = [op for op in OPERATIONS if op.name in args.operations]
    ensure_tools(skip_postgraphile="postgraphile" not in servers_wanted)
    dsn = await database(args)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATABASE_URL=dsn, HUB_DATA_DIR=str(args.data_dir), HUB_ENV="production",
               HUB_LOG_LEVEL="WARNING", HUB_MUTATIONS_PER_MINUTE="1000000",
               HUB_LOGIN_ATTEMPTS_PER_MINUTE="1000",  # update_profiles logs 64 members in
               HUB_SECRET_KEY="bench-secret-key-bench-secret-key-0123456789",
               HUB_METRICS_TOKEN=METRICS_TOKEN,
               HUB_COMPILED_QUERIES="false" if args.executor else "true")
    await prepare_data(dsn, args, env)
    if "postgraphile" in servers_wanted:
        await postgraphile_schema(dsn)
    sample = await read_sample(dsn, random.Random(args.seed))

    servers: dict[str, Server] = {}
    try:
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=120)) as session:
            for name in servers_wanted:
                port = free_port()
                if name == "hub":
                    command = [sys.executable, "-m", "hub.cli", "serve", "--host", "127.0.0.1",
                               "--port", str(port)]
                    if args.workers:
                        command += ["--workers", str(args.workers)]
                elif name == "postgraphile":
                    command = [str(BENCH / "node_modules/.bin/postgraphile"), "--connection", dsn,
                               "--schema", "bench_pgl", "--host", "127.0.0.1", "--port",
                               str(port), "--append-plugins",
                               "@graphile-contrib/pg-simplify-inflector", "--dynamic-json",
                               "--disable-query-log", "--max-pool-size", str(args.pool_size),
                               "--no-setof-functions-contain-nulls"]
                else:
                    command = [sys.executable, str(BENCH / "limit_server.py"), "--database-url",
                               dsn, "--port", str(port), "--pool-size", str(args.pool_size)]
                servers[name] = start(name, command, {**env, "NODE_ENV": "production"},
                                      run_dir, port)
            if args.baseline:
                servers[BASELINE] = start_baseline(args.baseline, env, run_dir)
            for server in servers.values():
                await wait_ready(session, server)
            if "hub" in servers:
                sample.token = await bench_member(session, servers["hub"].url)
                sample.inbox_token = await inbox_member(session, servers["hub"].url, dsn)
                if any(op.many_members for op in operations_wanted):
                    sample.member_tokens, sample.member_pks = await many_members(
                        session, servers["hub"].url, dsn)
            else:
                raise SystemExit("the hub must be among --servers (it signs the member up)")
            connection = await asyncpg.connect(dsn)
            try:
                sample.member_pk = await connection.fetchval(
                    "select id from members where handle = $1", BENCH_HANDLE)
            finally:
                await connection.close()

            print("checking every operation on every server…", flush=True)
            sizes = await check_answers(session, servers, sample, operations_wanted)
            statements = await count_statements(dsn, sample, operations_wanted,
                                              compiled=not args.executor)

            operations: dict[str, dict[str, Any]] = {}
            for operation in operations_wanted:
                operations[operation.name] = {}
                on = {name: server for name, server in servers.items()
                      if operation.runs_on(name)}
                for name in on:
                    (run_dir / f"{name}-{operation.name}.jsonl").write_text(
                        "\n".join(body_lines(operation, name, sample)) + "\n")
                runs: dict[str, list[dict[str, Any]]] = {name: [] for name in on}
                for _ in range(args.rounds):
                    for name, server in on.items():
                        bodies = run_dir / f"{name}-{operation.name}.jsonl"
                        token, mode = sample.token_for(operation), "post"
                        if operation.many_members:  # each line carries its member's token
                            token, mode = None, "tokens"
                        if args.warmup > 0:
                            wrk(server.url, bodies, args.warmup, args, token, mode)
                        spy = profiler(server, run_dir / f"hub-{operation.name}.collapsed",
                                       args) if args.profile and name == "hub" else None
                        result = wrk(server.url, bodies, args.duration, args, token, mode)
                        if spy is not None:
                            spy.wait(timeout=60)
                            result["profile"] = hot_spots(
                                run_dir / f"hub-{operation.name}.collapsed")
                        runs[name].append(result)
                        print(f"{operation.name:>15} {name:>12}: {result['rps']:8.0f} rps  "
                              f"p50 {result['p50_us'] / 1000:6.1f} ms  "
                              f"p99 {result['p99_us'] / 1000:6.1f} ms  "
                              f"errors {result['errors']}", flush=True)
                for name, results in runs.items():
                    operations[operation.name][name] = median_run(results)
            cached = (await cached_runs(session, servers["hub"], sample, operations_wanted,
                                        run_dir, args)) if args.cache else {}
            lineage = {}
            if "hub" in servers and args.lineage_runs > 0 and sample.root_pk:
                print("timing the designated lineage walks…", flush=True)
                lineage = await lineage_times(session, servers["hub"], sample, dsn,
                                              args.lineage_runs, args.lineage_budget)
    finally:
        for server in servers.values():
            server.stop()

    return {
        "started": started,
        "command": args.command_line,
        "config": {k: v for k, v in vars(args).items() if k not in ("command_line", "data_dir",
                                                                     "database_url")},
        "machine": await machine(dsn),
        "statements": statements,
        "response_bytes": sizes,
        "operations": operations,
        "lineage": lineage,
        "cached": cached,
        "baseline": baseline_commit(args.baseline) if args.baseline else None,
        "load_average": os.getloadavg(),
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000, help="data size (records)")
    parser.add_argument("--database-url", default=os.environ.get("HUB_DATABASE_URL"),
                        help="PostgreSQL to use (default: HUB_DATABASE_URL, else an embedded "
                        "server in --data-dir)")
    parser.add_argument("--data-dir", type=Path, default=BENCH / ".data")
    parser.add_argument("--reseed", action="store_true",
                        help="replace the members and records of a non-empty database")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--pool-size", type=int, default=10,
                        help="database pool of PostGraphile and the limit (the hub's default)")
    parser.add_argument("--workers", type=int, default=0,
                        help="hub worker processes (passed as serve --workers when > 0)")
    parser.add_argument("--servers", nargs="+", default=list(SERVERS), choices=SERVERS)
    parser.add_argument("--operations", nargs="+", default=[op.name for op in OPERATIONS],
                        choices=[op.name for op in OPERATIONS])
    parser.add_argument("--cache", action="store_true",
                        help="also run the feed and record page as anonymous GETs through the "
                        "hub's response cache (a table of its own)")
    parser.add_argument("--executor", action="store_true",
                        help="run the hub with HUB_COMPILED_QUERIES=false: every operation field "
                        "by field through graphql-core (to compare with compiled queries)")
    parser.add_argument("--lineage-runs", type=int, default=30)
    parser.add_argument("--lineage-budget", type=float, default=60,
                        help="seconds at most per lineage walk timing")
    parser.add_argument("--profile", action="store_true",
                        help="sample the hub with py-spy during each timed run and list its hot "
                        "spots in the results JSON (hub-<operation>.collapsed beside it)")
    parser.add_argument("--baseline", metavar="REF",
                        help="also run the hub as it was at this git commit (before/after table)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="timed runs per operation and server, alternating servers; the "
                        "median is reported")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-readme", action="store_true",
                        help="do not write the table into bench/README.md")
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["python", "bench/run.py", *argv])
    return args


def main() -> None:
    args = parse_args(sys.argv[1:])
    sys.path.insert(0, str(ROOT))
    report = asyncio.run(run(args))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{report['started'].replace(':', '')}.json"
    out.write_text(json.dumps(report, indent=2))
    table = markdown(report)
    print(table)
    if not args.no_readme:
        write_readme(table)
        print(f"\nwrote {out.relative_to(ROOT)} and the table into bench/README.md")


if __name__ == "__main__":
    main()
