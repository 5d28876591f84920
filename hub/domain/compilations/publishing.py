"""Publishing: what blocks it (the hub's checks and the target's), rendering through the
target plugin, storing the files as content-addressed blobs, recording the publication.

Problems are public for a published compilation, so they never quote a record that is not
public: ``RECORD_UNAVAILABLE`` names the item's place, not its title, and a target's problems
about an unavailable item are dropped (the hub's problem already blocks it). Once approved, a
compilation publishes only the versions its review approved: an item whose record changed
since is ``CHANGED_SINCE_APPROVAL`` (hub/api/compilations/mutations/publication.py says what
publishing then does).

Files are blobs of the media slice (hub/media): stored once per content, kept while a
``publication_media`` row names them, downloadable at ``/publications/{sha256}/{name}``.
A publish that rolls back leaves no bytes behind (:func:`forget_unrecorded`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from hub.core.db import Executor
from hub.core.relay import encode_id
from hub.core.services import Services
from hub.domain.compilations import store, workflow
from hub.domain.compilations.snapshot import take_snapshot
from hub.domain.media import service as media_service
from hub.domain.media import store as media_store
from hub.domain.media.storage import get_storage
from hub.plugin_api import Artifact, CompilationSnapshot, Problem

_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _core_problems(context: Services, snapshot: CompilationSnapshot) -> list[Problem]:
    """What the hub itself refuses to publish, whatever the target."""
    target = context.plugins.publishing_targets.get(snapshot.target)
    problems = []
    if target is None:
        problems.append(Problem("TARGET_NOT_ENABLED", f"The publishing target "
                                f"{snapshot.target!r} is not enabled on this hub."))
    if not snapshot.items:
        problems.append(Problem("EMPTY", "The compilation has no items."))
    for item in snapshot.items:
        if not item.available:
            problems.append(Problem("RECORD_UNAVAILABLE", f"Item {item.position} was unpublished "
                                    "or deleted since it was added.", item.id))
        elif target and target.accepted_media_types and (
            item.media_type not in target.accepted_media_types
        ):
            problems.append(Problem(
                "WRONG_MEDIA_TYPE", f"Item {item.position} ({item.title!r}) is {item.media_type}; "
                f"{target.label} takes {', '.join(target.accepted_media_types)}.", item.id))
    return problems


async def problems_of(context: Services, snapshot: CompilationSnapshot) -> list[Problem]:
    problems = _core_problems(context, snapshot)
    if snapshot.target not in context.plugins.publishing_targets:
        return problems
    unavailable = {item.id for item in snapshot.items if not item.available}
    found = await context.plugins.call_owner(
        "hub_compilation_problems", snapshot.target, compilation=snapshot,
    )
    for problem in found or ():
        if not isinstance(problem, Problem):
            raise TypeError(f"plugin {context.plugins.publishing_targets[snapshot.target].plugin!r}: "
                            "hub_compilation_problems must return hub.Problem objects")
        if problem.item_id not in unavailable:  # it may quote what is no longer public
            problems.append(problem)
    return problems


CHANGED_SINCE_APPROVAL = "CHANGED_SINCE_APPROVAL"


async def changed_since_approval(ex: Executor, row: Any) -> list[Problem]:
    """One problem per item whose record changed after the compilation was approved (only
    for APPROVED and PUBLISHED compilations: before approval nothing is pinned)."""
    if row["status"] not in (workflow.APPROVED, workflow.PUBLISHED):
        return []
    return [Problem(
        CHANGED_SINCE_APPROVAL,
        f"Item {item['position']} (record {encode_id('Record', item['record_id'])}) changed "
        f"after approval (version {item['approved_version'] or '?'} → {item['version']}); the "
        "change needs a review.", encode_id("CompilationItem", item["item_id"]),
    ) for item in await store.changed_items(ex, row["id"])]


async def find_problems(context: Services, ex: Executor, row: Any) -> list[Problem]:
    problems = await problems_of(context, await take_snapshot(context, ex, row))
    return problems + await changed_since_approval(ex, row)


def _checked(artifacts: Any, target: str) -> list[Artifact]:
    if not artifacts or not all(isinstance(a, Artifact) for a in artifacts):
        raise TypeError(f"hub_render_compilation for {target!r} must return a non-empty list of "
                        "hub.Artifact objects")
    names = [a.name for a in artifacts]
    bad = [n for n in names if not _FILE_NAME.match(n)]
    if bad or len(set(names)) != len(names):
        raise TypeError(f"hub_render_compilation for {target!r}: artifact names must be plain, "
                        f"unique file names (got {names})")
    return list(artifacts)


async def render(context: Services, snapshot: CompilationSnapshot) -> list[Artifact]:
    artifacts = await context.plugins.call_owner(
        "hub_render_compilation", snapshot.target, compilation=snapshot
    )
    return _checked(artifacts, snapshot.target)


async def store_publication(
    context: Services, tx: Executor, row: Any, actor_id: int, written: list[str],
    base_url: str = "",
) -> Any:
    """Render the compilation, store its files and record the publication (a new version).
    Appends each blob this call put in storage to ``written`` (for clean-up on rollback).
    ``base_url`` (the hub's origin) makes the media URLs in the files absolute, so an
    editing program opening a timeline finds the media."""
    version = await store.next_version(tx, row["id"])
    snapshot = await take_snapshot(context, tx, row, with_bytes=True, version=version,
                                   base_url=base_url)
    artifacts = await render(context, snapshot)
    publication = await store.insert_publication(tx, row["id"], actor_id)
    key = encode_id("Publication", publication["id"])
    storage = get_storage(context.settings)
    for position, artifact in enumerate(artifacts, start=1):
        data = artifact.read()
        sha256 = hashlib.sha256(data).hexdigest()
        await media_store.lock_blob(tx, sha256)
        if not await media_store.blob_exists(tx, sha256) or not await storage.exists(sha256):
            await storage.put_bytes(sha256, data, artifact.mime_type)
            written.append(sha256)
        await media_store.insert_blob(tx, sha256, len(data), artifact.mime_type)
        await media_service.use_in_publication(tx, key, sha256, artifact.name)
        await store.insert_file(tx, publication["id"], position, artifact.name,
                                artifact.mime_type, len(data), sha256)
    return publication


async def forget_unrecorded(context: Services, written: list[str]) -> None:
    """After a publish's transaction: delete from storage the blobs it wrote whose row was
    rolled back, so a failed publish leaves no bytes behind."""
    storage = get_storage(context.settings)
    for sha256 in written:
        async with context.db.transaction() as tx:
            await media_store.lock_blob(tx, sha256)
            if not await media_store.blob_exists(tx, sha256):
                await storage.delete(sha256)
