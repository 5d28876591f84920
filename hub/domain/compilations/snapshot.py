"""What plugins and the credit split see of a compilation, read in one place.

:func:`take_snapshot` builds the read-only :class:`~hub.compilations.api.CompilationSnapshot`
a publishing target receives; :func:`credit_inputs` the inputs of the pure credit split.
Both read through the given executor, so inside a mutation they see the transaction's state.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from hub.core.db import Executor
from hub.core.numbers import plain
from hub.core.relay import encode_id
from hub.core.services import Services
from hub.domain.compilations import credits, store
from hub.domain.media import store as media_store
from hub.domain.media.storage import get_storage
from hub.domain.media.urls import media_path
from hub.plugin_api import CompilationSnapshot, Contributor, ItemSnapshot, MediaFileSnapshot

# Credits name every ancestor this close (payment may stop earlier, at the rules' max depth).
CREDIT_DEPTH = credits.MAX_DEPTH
# Media bytes handed to a renderer per file, at most (larger files are listed without bytes).
MAX_RENDER_BYTES = 20 * 1024 * 1024
# What a publication says in place of a record's title when the record is not public (the
# lineage picture's word for a tombstone).
REMOVED_TITLE = "[removed]"


def available(row: Any) -> bool:
    """Public: published and not deleted. Publications are public, so whatever they show
    of a record follows this rule."""
    return row["status"] == "PUBLISHED" and row["deleted_at"] is None


async def _lineage(ex: Executor, record_ids: list[int], depth: int) -> tuple[
    dict[int, list[int]], dict[int, Any],
]:
    edges = await store.lineage_of(ex, record_ids, depth) if record_ids else []
    sources: dict[int, list[int]] = defaultdict(list)
    for edge in edges:
        sources[edge["remix_id"]].append(edge["source_id"])
    every = sorted({*record_ids, *(e["source_id"] for e in edges)})
    authors = {row["id"]: row for row in await store.record_authors(ex, every)} if every else {}
    return dict(sources), authors


def _contributors(record_id: int, sources: dict[int, list[int]], authors: dict[int, Any]) -> tuple[
    Contributor, ...,
]:
    """The record's author and its ancestors' authors, each member once at the nearest depth
    (breadth first, so the first time a member turns up is their nearest). A record that is
    not public (say its author's own draft) credits its author under :data:`REMOVED_TITLE`."""
    found: dict[int, Contributor] = {}
    level, seen, depth = [record_id], {record_id}, 0
    while level and depth <= CREDIT_DEPTH:
        following = []
        for rid in level:
            author = authors[rid]
            title = author["title"] if available(author) else REMOVED_TITLE
            found.setdefault(author["author_id"], Contributor(
                author["handle"], author["display_name"], depth, title))
            for source in sorted(sources.get(rid, ())):
                if source not in seen:
                    seen.add(source)
                    following.append(source)
        level, depth = following, depth + 1
    return tuple(found.values())


async def _media(
    context: Services, ex: Executor, record_ids: list[int], with_bytes: bool, base_url: str,
) -> dict[int, list[MediaFileSnapshot]]:
    """The files of ``record_ids`` (public records only: their files are public, so each gets
    its plain download URL, absolute under ``base_url`` when given)."""
    files: dict[int, list[MediaFileSnapshot]] = defaultdict(list)
    if not record_ids:
        return files
    storage = get_storage(context.settings)
    for row in await media_store.media_of_records(ex, record_ids):
        data = None
        if with_bytes and row["size"] <= MAX_RENDER_BYTES:
            data = b"".join([chunk async for chunk in storage.read(row["sha256"], 0, row["size"])])
        files[row["record_id"]].append(MediaFileSnapshot(
            filename=row["filename"], mime_type=row["mime_type"], size=row["size"],
            sha256=row["sha256"], metadata=dict(row["metadata"] or {}), data=data,
            url=base_url + media_path(context.settings, row["sha256"], public=True),
        ))
    return files


async def take_snapshot(
    context: Services, ex: Executor, row: Any, *, with_bytes: bool = False, version: int = 1,
    base_url: str = "",
) -> CompilationSnapshot:
    """``base_url`` (the hub's origin as the client reached it, e.g. ``https://hub.example``)
    makes the media files' URLs absolute; without it they are paths."""
    items = await store.item_records(ex, row["id"])
    record_ids = [item["record_id"] for item in items]
    sources, authors = await _lineage(ex, record_ids, CREDIT_DEPTH)
    media = await _media(context, ex, [i["record_id"] for i in items if available(i)], with_bytes,
                         base_url)
    editors = await store.editors_of(ex, [row["id"]])
    editor_names = await _display_names(ex, [e["member_id"] for e in editors])
    return CompilationSnapshot(
        id=encode_id("Compilation", row["id"]), title=row["title"],
        description=row["description"], target=row["target"], settings=dict(row["settings"]),
        editors=tuple(editor_names), version=version,
        items=tuple(ItemSnapshot(
            id=encode_id("CompilationItem", item["item_id"]), position=item["position"],
            note=item["note"], weight=plain(item["weight"].normalize()),
            record_id=encode_id("Record", item["record_id"]), title=item["title"],
            description=item["description"], media_type=item["media_type"],
            details=dict(item["details"]), license=item["license"],
            author_handle=item["handle"], author_display_name=item["display_name"],
            available=available(item),
            contributors=_contributors(item["record_id"], sources, authors),
            media=tuple(media.get(item["record_id"], ())),
        ) for item in items),
    )


async def _display_names(ex: Executor, member_ids: list[int]) -> list[str]:
    if not member_ids:
        return []
    rows = await ex.fetch("select id, display_name from members where id = any($1::bigint[])",
                          member_ids)
    names = {r["id"]: r["display_name"] for r in rows}
    return [names[m] for m in member_ids]


def rules_of(row: Any, editor_ids: list[int]) -> credits.Rules:
    """The compilation's credit rules; the editors' percent is a categorical credit."""
    categorical: tuple[credits.CategoricalCredit, ...] = ()
    if row["editors_percent"] > 0:
        categorical = (credits.CategoricalCredit(
            "editors", Decimal(row["editors_percent"]), tuple(editor_ids)),)
    return credits.Rules(lineage_share=Decimal(row["lineage_share"]), max_depth=row["max_depth"],
                         categorical=categorical)


async def credit_inputs(ex: Executor, row: Any) -> tuple[
    list[credits.CreditItem], credits.Lineage, credits.Rules,
]:
    """The split's inputs for a compilation."""
    items = await store.item_records(ex, row["id"])
    record_ids = [item["record_id"] for item in items]
    sources, authors = await _lineage(ex, record_ids, row["max_depth"])
    editors = [e["member_id"] for e in await store.editors_of(ex, [row["id"]])]
    credit_items = [credits.CreditItem(i["item_id"], i["record_id"], Decimal(i["weight"]))
                    for i in items]
    lineage = credits.Lineage({rid: a["author_id"] for rid, a in authors.items()}, sources)
    return credit_items, lineage, rules_of(row, editors)
