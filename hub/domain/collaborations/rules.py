"""The read rules of collaborations, each declared once (hub/core/rules.py says how both the
executor and the compiled twins render them).

Who sees a collaboration — the one rule, applied by every read path (``collaboration``,
``collaborations``, ``node``, ``_entities``, ``Member.collaborations``, ``Record.contributions``):
a DRAFT is its owners' only; once opened (OPEN, CLOSED, COMPLETED, ARCHIVED) everyone sees it.
A contribution is seen wherever its collaboration is; the owners' reason for declining it is
shown to its contributor and the owners only. Its record follows the records' own rule
(hub/domain/records/rules.py): a record unpublished or deleted later shows as a tombstone,
its contributor still credited.
"""

from __future__ import annotations

from typing import Any

from hub.core.relay import decode_id
from hub.core.rules import EVERY_ROW, Condition, Filter, Key, Listing, Ordering, Table, of_viewer
from hub.core.search import checked_search
from hub.domain.lineage import rules as lineage
from hub.domain.lineage.rules import Walk, walk_cte
from hub.domain.members.rules import MEMBERS
from hub.domain.records import rules as records

STATUSES = ("DRAFT", "OPEN", "CLOSED", "COMPLETED", "ARCHIVED")
CONTRIBUTION_STATUSES = ("OFFERED", "SHORTLISTED", "ACCEPTED", "DECLINED", "WITHDRAWN")

# --- who sees what ------------------------------------------------------------------------------

OWNED = of_viewer("exists (select 1 from collaboration_owners {t}_own "
                  "where {t}_own.collaboration_id = {t}.id and {t}_own.member_id = {viewer})")
DRAFT = Condition("{t}.status = 'DRAFT'")
VISIBLE = ~DRAFT | OWNED  # collaboration visibility: the one place it is decided

# A contribution row ``{t}`` is seen where its collaboration is (the alias ``{t}_c``).
_COLLABORATION_SEEN = Condition(
    "exists (select 1 from collaborations {t}_c where {t}_c.id = {t}.collaboration_id and ("
    + VISIBLE.template.replace("{t}", "{t}_c") + "))")
CONTRIBUTION_VISIBLE = _COLLABORATION_SEEN
# The decline reason: for the contributor and the collaboration's owners.
_REASON_SEEN = of_viewer(
    "{t}.contributor_id = {viewer} or exists (select 1 from "
    "collaboration_owners {t}_ro where {t}_ro.collaboration_id = {t}.collaboration_id "
    "and {t}_ro.member_id = {viewer})")

# --- what rows carry ----------------------------------------------------------------------------

_OPEN_SLOTS = ("(select coalesce(sum(n.count - n.filled), 0) from collaboration_needs n "
               "where n.collaboration_id = {t}.id)")
# Auto-close on deadline, computed rather than written: an OPEN collaboration whose deadline
# has passed reads as CLOSED wherever it is read (both read paths, the filters, the writes'
# checks: they all read this expression), with no scheduled task and no window in which it
# is still OPEN. ``now()`` is the statement's transaction time. docs/collaborations.md says
# why this rather than a job that writes CLOSED.
PAST_DEADLINE = Condition("{t}.status = 'OPEN' and {t}.deadline <= now()")
STATUS = "case when " + PAST_DEADLINE.template + " then 'CLOSED' else {t}.status end"
COLLABORATIONS = Table("collaborations", (
    "id", "title", "brief", "brief_html", "deadline", "tags", "created_by",
    "created_at", "updated_at", "opened_at", "completed_at",
), {"status": STATUS, "open_slots": _OPEN_SLOTS})
COLUMNS = COLLABORATIONS.select("{t}")
COLUMNS_SEEN = COLUMNS + ", " + VISIBLE.template.join("()") + " as _visible"

STEPS = Table("collaboration_steps", (
    "id", "collaboration_id", "position", "title", "description", "deadline"))
NEEDS = Table("collaboration_needs", (
    "id", "step_id", "collaboration_id", "media_type", "skill", "count", "description", "filled",
), {"remaining": "{t}.count - {t}.filled"})
CONTRIBUTIONS = Table("contributions", (
    "id", "need_id", "collaboration_id", "record_id", "contributor_id", "note", "status",
    "created_at", "decided_at", "accepted_at", "withdrawn_at",
), {"credited": "{t}.accepted_at is not null"})
CONTRIBUTION_COLUMNS = (CONTRIBUTIONS.select("{t}") + ", (case when "
                        + _REASON_SEEN.template + " then {t}.reason end) as _reason")

# --- orders, filters, lists ---------------------------------------------------------------------

ORDERINGS = {
    "DEADLINE": Ordering((Key("{t}.deadline", "timestamptz"), Key("{t}.id", "bigint")), False),
    "NEWEST": Ordering((Key("{t}.created_at", "timestamptz"), Key("{t}.id", "bigint")), True),
    "MOST_NEEDED": Ordering((Key(_OPEN_SLOTS, "bigint"), Key("{t}.id", "bigint")), True),
}


def _label(value: str) -> str | None:
    return " ".join(value.split()).lower() or None


def _search(value: str) -> str | None:
    return (checked_search(value) or "").strip() or None


def _need_with(condition: str) -> str:
    return ("exists (select 1 from collaboration_needs {t}_n "
            f"where {{t}}_n.collaboration_id = {{t}}.id and {condition})")


FILTERS = {
    "status": Filter("(" + STATUS + ") = {p}", "text",
                     lambda value: getattr(value, "value", value)),
    "media_type": Filter(_need_with("{t}_n.media_type = {p}"), "text", _label),
    "skill": Filter(_need_with("{t}_n.skill = {p}"), "text", _label),
    "tag": Filter("{t}.tags @> array[{p}]::text[]", "text", _label),
    "search": Filter("{t}.search @@ (select websearch_to_tsquery('english', {p}))", "text",
                     _search),
    "needs_open": Filter("(" + _need_with("{t}_n.filled < {t}_n.count") + ") = {p}", "boolean"),
}

# Open calls and the rest: every collaboration but drafts (your drafts are on your page).
LISTED = Listing(source="collaborations {t}", columns=COLUMNS, where=~DRAFT,
                 orderings=ORDERINGS, filters=FILTERS)


def _role(value: Any) -> str:
    return str(getattr(value, "value", value))


# Member.collaborations(role:): those the member owns or contributed to, newest first.
BY_MEMBER = Listing(
    source="collaboration_members {t}_m join collaborations {t} on {t}.id = {t}_m.collaboration_id",
    columns=COLUMNS, where=VISIBLE, parent="{t}_m.member_id",
    orderings={"NEWEST": ORDERINGS["NEWEST"]},
    filters={"role": Filter("{t}_m.role = {p}", "text", _role)},
)

_CONTRIBUTION_ORDERINGS = {
    "NEWEST": Ordering((Key("{t}.created_at", "timestamptz"), Key("{t}.id", "bigint")), True),
    "OLDEST": Ordering((Key("{t}.created_at", "timestamptz"), Key("{t}.id", "bigint")), False),
}
_CONTRIBUTION_FILTERS = {
    "status": Filter("{t}.status = {p}", "text", lambda value: getattr(value, "value", value)),
}


def _contributions(parent: str) -> Listing:
    return Listing(source="contributions {t}", columns=CONTRIBUTION_COLUMNS,
                   where=CONTRIBUTION_VISIBLE, parent=parent,
                   orderings=_CONTRIBUTION_ORDERINGS, filters=_CONTRIBUTION_FILTERS)


OF_COLLABORATION = _contributions("{t}.collaboration_id")
OF_NEED = _contributions("{t}.need_id")
OF_RECORD = _contributions("{t}.record_id")  # Record.contributions

# Lists shown whole (bounded by the writes): steps in order, needs in order, owners, credits.
POSITION = Ordering((Key("{t}.position", "bigint"), Key("{t}.id", "bigint")), False)
BY_ID = Ordering((Key("{t}.id", "bigint"),), False)
STEPS_OF = Listing(source="collaboration_steps {t}", columns=STEPS.select("{t}"),
                   where=EVERY_ROW, parent="{t}.collaboration_id", orderings={"LISTED": POSITION})
NEEDS_OF = Listing(source="collaboration_needs {t}", columns=NEEDS.select("{t}"),
                   where=EVERY_ROW, parent="{t}.step_id", orderings={"LISTED": BY_ID})
OWNERS_OF = Listing(
    source="collaboration_owners {t}_o join members {t} on {t}.id = {t}_o.member_id",
    columns=MEMBERS.select("{t}"), where=EVERY_ROW, parent="{t}_o.collaboration_id",
    orderings={"ADDED": Ordering((Key("{t}_o.added_at", "timestamptz"),
                                  Key("{t}.id", "bigint")), False)},
)
# Credits, through lineage (the lineage slice's walk, hub/domain/lineage/rules.py): every
# member with a contribution ever accepted (withdrawn ones keep their credit), and every author
# of an ancestor of an accepted record or of a result, as ``Record.contributors`` credits
# them (tombstones too, up to the lineage's MAX_DEPTH generations). Accepted contributors come
# first, in order of first acceptance; then those credited through lineage only, nearest
# generation first; ties by member id. The walk is correlated to one collaboration
# (``{t}_c``), so a read walks only that collaboration's records.
_CREDIT_ROOTS = ("select {t}_ka.record_id from contributions {t}_ka "
                 "where {t}_ka.collaboration_id = {t}_c.id and {t}_ka.accepted_at is not null "
                 "union select {t}_kx.record_id from collaboration_results {t}_kx "
                 "where {t}_kx.collaboration_id = {t}_c.id")
_CREDITED = (
    "collaborations {t}_c cross join lateral (with recursive "
    + walk_cte("_up", Walk.ANCESTORS, _CREDIT_ROOTS, str(lineage.MAX_DEPTH))
    + " select {t}_kc.member_id, min({t}_kc.accepted_at) as first_accepted, "
      "min({t}_kc.depth) as depth from ("
      "select {t}_kk.contributor_id as member_id, {t}_kk.accepted_at, 0 as depth "
      "from contributions {t}_kk "
      "where {t}_kk.collaboration_id = {t}_c.id and {t}_kk.accepted_at is not null "
      "union all select {t}_kr.author_id, null::timestamptz, _up.depth "
      "from _up join records {t}_kr on {t}_kr.id = _up.id"
      ") {t}_kc group by {t}_kc.member_id) {t}_k "
    "join members {t} on {t}.id = {t}_k.member_id"
)
CREDITS_OF = Listing(
    source=_CREDITED, columns=MEMBERS.select("{t}"), where=EVERY_ROW, parent="{t}_c.id",
    orderings={"CREDITED": Ordering((Key("{t}_k.first_accepted", "timestamptz"),
                                     Key("{t}_k.depth", "bigint"),
                                     Key("{t}.id", "bigint")), False)},
)
# Results of a completed collaboration, in order; each record with ``_visible``.
RESULTS_OF = Listing(
    source="collaboration_results {t}_x join records {t} on {t}.id = {t}_x.record_id",
    columns=records.COLUMNS_SEEN, where=EVERY_ROW, parent="{t}_x.collaboration_id",
    orderings={"LISTED": Ordering((Key("{t}_x.position", "bigint"),
                                   Key("{t}.id", "bigint")), False)},
)


def collaboration_pk(value: Any) -> int:
    return decode_id(value, "Collaboration")
