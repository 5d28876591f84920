"""The read rules of members, each declared once (hub/core/rules.py).

A member's public profile (handle, display name, bio, skills, role) is visible to everyone;
nothing about passwords or sessions is ever read through these declarations.
"""

from __future__ import annotations

from hub.core.rules import EVERY_ROW, Filter, Listing, Table, newest_first
from hub.core.search import checked_search

# ``suspended_at``: set while moderators suspend the member (they read but do not write).
MEMBERS = Table("members", ("id", "handle", "display_name", "bio", "skills", "role",
                            "created_at", "updated_at", "suspended_at"))
COLUMNS = MEMBERS.select("{t}")

ORDERINGS = {"NEWEST": newest_first()}


def _skill(value: str) -> str | None:
    return value.strip().lower() or None


def _search(value: str) -> str | None:
    return (checked_search(value) or "").strip() or None


FILTERS = {
    "skill": Filter("{t}.skills @> array[{p}]::text[]", "text", _skill),
    "search": Filter("{t}.search @@ (select websearch_to_tsquery('english', {p}))", "text",
                     _search),
}

# Everyone who signed up, newest first.
DIRECTORY = Listing(source="members {t}", columns=COLUMNS, where=EVERY_ROW, orderings=ORDERINGS,
                    filters=FILTERS)
