"""The read rules of compilations, each declared once (hub/core/rules.py says how both the
executor and the compiled twins render them).

Who sees a compilation — the one rule, applied by every read path (``compilation``,
``compilations``, ``node``/``nodes``, ``_entities``, payout proposals, ``Member.payouts``):
a PUBLISHED or ARCHIVED compilation is visible to everyone, with its items, history,
publications, credit split and payout proposals (payouts are transparent by design); a DRAFT,
IN_REVIEW or APPROVED one is editorial work, visible to EDITORs and ADMINs only.
"""

from __future__ import annotations

from typing import Any

from hub.core.rules import (
    EVERY_ROW,
    Condition,
    Filter,
    Key,
    Listing,
    Ordering,
    Table,
    newest_first,
    of_viewer,
)

PUBLIC = Condition("{t}.status in ('PUBLISHED', 'ARCHIVED')")
# The viewer is an editor or an admin (their role, read with the row: one statement).
EDITORIAL_VIEWER = of_viewer(
    "exists (select from members {t}_v where {t}_v.id = {viewer} "
    "and {t}_v.role in ('EDITOR', 'ADMIN'))"
)
VISIBLE = PUBLIC | EDITORIAL_VIEWER  # compilation visibility: the one place it is decided
# The compilation's team: its editors, and the admins (what service.require_team checks), who
# alone read its editorial notes (hub/domain/conversations).
TEAM = of_viewer(
    "exists (select 1 from compilation_editors {t}_te where {t}_te.compilation_id = {t}.id "
    "and {t}_te.member_id = {viewer}) or exists (select 1 from members {t}_ta "
    "where {t}_ta.id = {viewer} and {t}_ta.role = 'ADMIN')"
)

# What a compilation row carries wherever it is read.
COMPILATIONS = Table("compilations", (
    "id", "title", "description", "target", "settings", "status", "lineage_share", "max_depth",
    "editors_percent", "payout_window_days", "created_by", "submitted_by", "created_at",
    "updated_at", "version", "assignee_id",
))
COLUMNS = COMPILATIONS.select("{t}")
# … and, where it is read by ID, whether the viewer may see it.
COLUMNS_SEEN = COLUMNS + ", " + VISIBLE.template.join("()") + " as _visible"

ORDERINGS = {"NEWEST": newest_first()}


def _status(value: Any) -> str | None:
    return getattr(value, "value", value) or None


FILTERS = {
    "status": Filter("{t}.status = {p}", "text", _status),
    "target": Filter("{t}.target = {p}", "text", lambda value: value or None),
}

# ``compilations``: every visible compilation, newest first.
LISTING = Listing(source="compilations {t}", columns=COLUMNS, where=VISIBLE,
                  orderings=ORDERINGS, filters=FILTERS)

# An item of a compilation, in its place (``Compilation.items``).
ITEMS = Table("compilation_items", (
    "id", "compilation_id", "record_id", "position", "note", "weight", "approved_version",
    "created_at",
), {"added_at": "{t}.created_at"})

# A step of a compilation's history (``Compilation.history``, oldest first).
HISTORY = Table("compilation_history", (
    "id", "compilation_id", "actor_id", "action", "from_status", "to_status", "reason", "at",
    "details",
))

# The lists of a compilation, paged (``itemConnection``, ``historyConnection``,
# ``publicationConnection``). Whoever sees the compilation sees all of them: no rule of their
# own.
ITEM_PAGES = Listing(
    source="compilation_items {t}", columns=ITEMS.select("{t}"), where=EVERY_ROW,
    parent="{t}.compilation_id",
    orderings={"POSITION": Ordering((Key("{t}.position", "bigint"), Key("{t}.id", "bigint")),
                                    False)},
)
HISTORY_PAGES = Listing(
    source="compilation_history {t}", columns=HISTORY.select("{t}"), where=EVERY_ROW,
    parent="{t}.compilation_id",
    orderings={"OLDEST": Ordering((Key("{t}.id", "bigint"),), False)},
)
# A publication with its files, as a JSON array in the order the target rendered them.
PUBLICATIONS = Table("publications", ("id", "compilation_id", "version", "published_by",
                                      "published_at"), {"files": """coalesce((
    select jsonb_agg(jsonb_build_object('name', {t}_f.name, 'mime_type', {t}_f.mime_type,
                                        'size', {t}_f.size, 'sha256', {t}_f.sha256)
                     order by {t}_f.position)
    from publication_files {t}_f where {t}_f.publication_id = {t}.id), '[]')"""})
PUBLICATION_PAGES = Listing(
    source="publications {t}", columns=PUBLICATIONS.select("{t}"), where=EVERY_ROW,
    parent="{t}.compilation_id",
    orderings={"NEWEST": Ordering((Key("{t}.version", "bigint"),), True)},
)

# Who may read a member's payouts, over the member's row: the member themself and ADMINs
# (the executor's twin of it: hub/api/compilations/payouts.py, sees_payouts_of).
READS_PAYOUTS = Condition("{t}.id is not distinct from {viewer}") | Condition(
    "exists (select from members {t}_pv where {t}_pv.id = {viewer} and {t}_pv.role = 'ADMIN')")

# A member's payout lines, each with its proposal's columns (``Member.payoutsConnection``),
# newest proposal first. Who may read them is decided once for the member (READS_PAYOUTS), not
# per row; ``Member.payouts`` lists the same lines.
PAYOUT_LINES_OF_MEMBER = Listing(
    source="payout_lines {t} join payout_proposals {t}_p on {t}_p.id = {t}.proposal_id",
    columns=("{t}.proposal_id, {t}.member_id, {t}.amount_minor, {t}.share, {t}.breakdown, "
             "{t}_p.id, {t}_p.compilation_id, {t}_p.status, {t}_p.pool_minor, {t}_p.currency, "
             "{t}_p.created_at, {t}_p.window_closes_at, {t}_p.finalized_at"),
    where=EVERY_ROW, parent="{t}.member_id",
    orderings={"NEWEST": Ordering((Key("{t}.proposal_id", "bigint"),), True)},
)

# A payout proposal as every read path carries it (``Compilation.payoutProposalsConnection``,
# ``node``, the mutations' payloads): the frozen ``rules`` and who proposed or finalized it
# stay internal.
PROPOSALS = Table("payout_proposals", (
    "id", "compilation_id", "status", "pool_minor", "currency", "created_at",
    "window_closes_at", "finalized_at",
))
# A comment on a payout proposal.
COMMENTS = Table("payout_comments", ("id", "proposal_id", "author_id", "body", "created_at"))

# The payout lists, paged. Payouts are transparent: whoever reaches a proposal (through a
# compilation they see, or as a member reading their own payouts) sees all its lines and
# comments, so none of these has a rule of its own; ``payoutProposals``, ``lines`` and
# ``comments`` (deprecated) list the same rows.
# ``Compilation.payoutProposalsConnection``: newest first.
PROPOSAL_PAGES = Listing(
    source="payout_proposals {t}", columns=PROPOSALS.select("{t}"), where=EVERY_ROW,
    parent="{t}.compilation_id",
    orderings={"NEWEST": Ordering((Key("{t}.id", "bigint"),), True)},
)
# ``PayoutProposal.linesConnection``: largest amount first, then by member (ascending: the
# negated id keeps one direction for the keyset's row comparison). Each line carries its
# proposal's currency, in which its amount is shown.
LINE_PAGES = Listing(
    source="payout_lines {t} join payout_proposals {t}_p on {t}_p.id = {t}.proposal_id",
    columns=("{t}.proposal_id, {t}.member_id, {t}.amount_minor, {t}.share, {t}.breakdown, "
             "{t}_p.currency"),
    where=EVERY_ROW, parent="{t}.proposal_id",
    orderings={"LARGEST": Ordering((Key("{t}.amount_minor", "bigint"),
                                    Key("-{t}.member_id", "bigint")), True)},
)
# ``PayoutProposal.commentsConnection``: oldest first.
COMMENT_PAGES = Listing(
    source="payout_comments {t}", columns=COMMENTS.select("{t}"), where=EVERY_ROW,
    parent="{t}.proposal_id",
    orderings={"OLDEST": Ordering((Key("{t}.id", "bigint"),), False)},
)
