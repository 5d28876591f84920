"""The read rules of records, each declared once (hub/core/rules.py says how both the executor
and the compiled twins render them).

Who sees a record — the one rule, applied by every read path (``record``, ``records``,
``node``/``nodes``, ``Member.records``, ``_entities``, lineage, credits, subscriptions):
a PUBLISHED record is visible to everyone; a DRAFT or UNPUBLISHED record to its author only;
a deleted record (a tombstone) to no one. Where a record you may not see is linked (a source,
a credit), it shows as a tombstone: its author credited, its content hidden.
"""

from __future__ import annotations

from typing import Any

from hub.core.relay import decode_id
from hub.core.rules import Condition, Filter, Key, Listing, Ordering, Table, of_viewer
from hub.core.search import checked_search
from hub.domain.records import discovery

PUBLISHED = Condition("{t}.status = 'PUBLISHED'")
OWN = of_viewer("{t}.author_id = {viewer}")
DELETED = Condition("{t}.deleted_at is not null")

NAMEABLE = PUBLISHED | OWN  # may be named in a write (a deleted one is then refused as such)
VISIBLE = ~DELETED & NAMEABLE  # record visibility: the one place it is decided

# What a record row carries wherever it is read (tombstone: a deleted record, for everyone).
RECORDS = Table("records", (
    "id", "author_id", "media_type", "title", "description", "tags", "license", "status",
    "details", "version", "created_at", "updated_at", "published_at", "deleted_at",
), {"tombstone": "{t}.deleted_at is not null"})
COLUMNS = RECORDS.select("{t}")
# … and where it may be a record the viewer may not see, whether they may.
COLUMNS_SEEN = COLUMNS + ", " + VISIBLE.template.join("()") + " as _visible"

ORDERINGS = {
    "NEWEST": Ordering((Key("{t}.created_at", "timestamptz"), Key("{t}.id", "bigint")), True),
    "OLDEST": Ordering((Key("{t}.created_at", "timestamptz"), Key("{t}.id", "bigint")), False),
    "TITLE": Ordering((Key("lower({t}.title)", "text"), Key("{t}.id", "bigint")), False),
    # Discovery without a popularity race (hearts per viewer; the least seen first).
    "FRESH": discovery.FRESH,
    "UNDERSEEN": discovery.UNDERSEEN,
}


def _member_id(value: Any) -> int:
    return decode_id(value, "Member")


def _collaboration_id(value: Any) -> int:
    return decode_id(value, "Collaboration")


def _tag(value: str) -> str | None:
    return value.strip().lower() or None


def _search(value: str) -> str | None:
    return (checked_search(value) or "").strip() or None


FILTERS = {
    "media_type": Filter("{t}.media_type = {p}", "text", lambda value: value or None),
    "author": Filter("{t}.author_id = {p}", "bigint", _member_id),
    "tag": Filter("{t}.tags @> array[{p}]::text[]", "text", _tag),
    # Contributed to a collaboration: an ACCEPTED contribution (not one offered, declined or
    # withdrawn). A collaboration still a DRAFT lists nothing: it is its owners' only, and it
    # has no accepted contributions anyway (contributions are offered once it is open). The
    # tables are named here, not imported: the collaborations slice builds on this one.
    "collaboration": Filter(
        "exists (select 1 from contributions {t}_kc join collaborations {t}_kk "
        "on {t}_kk.id = {t}_kc.collaboration_id where {t}_kc.record_id = {t}.id "
        "and {t}_kc.collaboration_id = {p} and {t}_kc.status = 'ACCEPTED' "
        "and {t}_kk.status <> 'DRAFT')", "bigint", _collaboration_id),
    # A subquery: evaluated once, also in a generic plan (which would otherwise parse the
    # search text again for every candidate row).
    "search": Filter("{t}.search @@ (select websearch_to_tsquery('english', {p}))", "text",
                     _search),
}

# The feed: published records only (your own drafts are on your member page). A page in a
# discovery order joins the stored values (discovery.JOIN, through its Ordering).
FEED = Listing(source="records {t}", columns=COLUMNS, where=VISIBLE & PUBLISHED,
               orderings=ORDERINGS, filters=FILTERS)
# A member's records: drafts too, when the viewer is that member.
BY_AUTHOR = Listing(source="records {t}", columns=COLUMNS, where=VISIBLE,
                    parent="{t}.author_id", orderings=ORDERINGS)
