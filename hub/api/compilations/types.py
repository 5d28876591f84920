"""GraphQL types of compilations: the compilation, its items, history, publications, credit
lines and payout proposals.

Who may see a compilation is declared once, in hub/domain/compilations/rules.py (``VISIBLE``),
and read here as the row's ``_visible``; the compiled twins (twins.py, declared beside each
field) render the same declarations. Changing one needs a place on its editors team (or
ADMIN), see hub/api/compilations/mutations.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.compilations import twins
from hub.api.compiled.derive import no_twin, twin
from hub.api.federation import UNCAPPED_LIST_SIZE, sized_list
from hub.api.nodes import node_resolver
from hub.api.relay import Connection, Node, connection_from_rows
from hub.core.errors import BadRequest
from hub.core.numbers import plain
from hub.core.relay import PageArgs, decode_id, encode_id, try_decode_id
from hub.core.rules import Table
from hub.domain.compilations import credits, loaders, rules
from hub.domain.compilations.service import MAX_ITEMS
from hub.domain.media.urls import publication_path

if TYPE_CHECKING:
    from hub.api.context import Context
    from hub.api.members.types import Member
    from hub.api.records.types import Record

MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]
RecordRef = Annotated["Record", strawberry.lazy("hub.api.records.types")]
EDITORIAL_ROLES = frozenset({"EDITOR", "ADMIN"})


@strawberry.enum(description="Where a compilation is in its editorial life.")
class CompilationStatus(enum.Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being assembled: items can be added, "
                                  "moved and removed. Visible to editors and admins only.")
    IN_REVIEW = strawberry.enum_value("IN_REVIEW", description="Submitted; waiting for an "
                                      "editor other than the submitter to approve or return "
                                      "it. Visible to editors and admins only.")
    APPROVED = strawberry.enum_value("APPROVED", description="Approved, with the version of "
                                     "every item's record pinned; ready to publish. Visible to "
                                     "editors and admins only.")
    PUBLISHED = strawberry.enum_value("PUBLISHED", description="Published to its target at "
                                      "least once; visible to everyone, with its items, "
                                      "history, publications and payouts.")
    ARCHIVED = strawberry.enum_value("ARCHIVED", description="Closed: no more changes; its "
                                     "publications stay. Visible to everyone.")


@strawberry.enum(description="Whether a payout proposal is still open for comments.")
class PayoutStatus(enum.Enum):
    PROPOSED = strawberry.enum_value("PROPOSED", description="Open for comments until its "
                                     "window closes; the amounts may still be replaced by a "
                                     "new proposal.")
    FINALIZED = strawberry.enum_value("FINALIZED", description="Finalized by an editor after "
                                      "the window closed: immutable, the amounts are owed.")


@strawberry.type(description="Stands in for the plugin union until the schema is assembled.")
class UnboundSettings:
    unbound: bool


# --- visibility ---------------------------------------------------------------------------------


def editorial(context: Context) -> bool:
    """Whether the viewer may do editorial work (create, review, publish compilations)."""
    return context.viewer_role in EDITORIAL_ROLES


@node_resolver("Compilation")
async def load_compilation(context: Context, pk: int) -> Compilation | None:
    row = await context.loader(loaders.CompilationByIdLoader).load(pk)
    return Compilation.from_row(row, context) if row is not None and row["_visible"] else None


async def _load_member(context: Context, pk: int | None) -> Member | None:
    from hub.api.members.types import load_member

    return await load_member(context, pk) if pk is not None else None


# --- money and credits --------------------------------------------------------------------------


@strawberry.input(description="An amount of money: a decimal in major units and an ISO 4217 "
                  "currency code, e.g. `{amount: \"1250.00\", currency: \"USD\"}`.")
class MoneyInput:
    amount: Decimal = strawberry.field(description="Positive, at most 10^12, with no more "
                                       "decimal places than the currency has (2 for USD).")
    currency: str = strawberry.field(description="ISO 4217 code (USD, EUR, GBP, JPY…).")

    def parse(self, field: str = "pool") -> credits.Money:
        return credits.parse_money(self.amount, self.currency, field)


@strawberry.type(description="An amount of money.")
class Money:
    amount: Decimal = strawberry.field(description="In major units with the currency's "
                                       "decimal places, e.g. `12.50` (none for JPY).")
    currency: str = strawberry.field(description="ISO 4217 code.")

    @classmethod
    def of(cls, minor: int, currency: str) -> Money:
        return cls(amount=credits.minor_to_decimal(minor, currency), currency=currency)


async def visible_title(context: Context, record_pk: int | None) -> str | None:
    """A record's title if the viewer may see the record, else None (a tombstone: deleted,
    unpublished, someone else's draft). Credits name the author, never hidden content."""
    from hub.domain.records.loaders import RecordByIdLoader

    if record_pk is None:
        return None
    row = await context.loader(RecordByIdLoader).load(record_pk)
    return row["title"] if row is not None and row["_visible"] else None


@strawberry.type(description="Where part of a member's credit comes from: an item's record at a "
                 "lineage depth (0: they wrote it; 1: a direct source…), or a categorical credit.")
class CreditPart:
    role: str = strawberry.field(description="`author` (depth 0), `source` (deeper), or the "
                                 "categorical credit's name (e.g. `editors`).")
    item_id: strawberry.ID | None = strawberry.field(description="The compilation item.")
    record_id: strawberry.ID | None = strawberry.field(description="The record credited "
                                                       "(given even when you may not see it).")
    depth: int | None = strawberry.field(description="Steps from the item's record.")
    amount: Decimal = strawberry.field(description="This part of the line's amount, in major "
                                       "units with the currency's places; the parts of a line "
                                       "add up to its amount exactly (largest remainder).")
    record_pk: strawberry.Private[int | None]

    @strawberry.field(description="The record's title; null when you may not see the record "
                      "(deleted, unpublished, someone else's draft): its author keeps the "
                      "credit, its content stays hidden.")
    async def record_title(self, info: Info) -> str | None:
        return await visible_title(info.context, self.record_pk)

    def to_json(self) -> dict[str, Any]:
        """What a frozen payout line stores: no title (read through visibility on display)."""
        return {"role": self.role, "itemId": self.item_id, "recordId": self.record_id,
                "depth": self.depth, "amount": format(self.amount, "f")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CreditPart:
        record_id = data.get("recordId")
        return cls(role=data["role"], item_id=data.get("itemId"), record_id=record_id,
                   depth=data.get("depth"), amount=Decimal(data["amount"]),
                   record_pk=try_decode_id(record_id, "Record") if record_id else None)


@strawberry.type(description="One member's line of a credit split or payout.")
class CreditLine:
    amount: Money = strawberry.field(description="What the member gets, rounded to minor units; "
                                     "the lines of a split add up to the pool exactly.")
    share: Decimal = strawberry.field(description="Their share of the pool to 6 decimal "
                                      "places (`0.250000`), rounded so that the shares of a "
                                      "split add up to 1 exactly (largest remainder).")
    breakdown: list[CreditPart] = strawberry.field(description="Which items, records and depths "
                                                   "the amount comes from; the parts add up to "
                                                   "the amount.",
                                                   directives=sized_list(UNCAPPED_LIST_SIZE))
    member_pk: strawberry.Private[int]

    @strawberry.field(description="The member credited.")
    async def member(self, info: Info) -> MemberRef:
        member = await _load_member(info.context, self.member_pk)
        assert member is not None, "payout lines reference members"
        return member


def credit_lines(shares: list[credits.CreditShare], pool: credits.Money) -> list[CreditLine]:
    """GraphQL lines for a computed split."""
    lines = []
    for share in shares:
        parts = [CreditPart(
            role=part.role,
            item_id=strawberry.ID(encode_id("CompilationItem", part.item_id)) if part.item_id else None,
            record_id=strawberry.ID(encode_id("Record", part.record_id)) if part.record_id else None,
            record_pk=part.record_id, depth=part.depth,
            amount=credits.minor_to_decimal(part.amount, pool.currency),
        ) for part in share.parts]
        lines.append(CreditLine(
            amount=Money.of(share.amount, pool.currency),
            share=Decimal(share.share_millionths).scaleb(-6),
            breakdown=parts, member_pk=share.member_id,
        ))
    return lines


def frozen_lines(
    shares: list[credits.CreditShare], money: credits.Money,
) -> list[tuple[int, int, str, Any]]:
    """Payout lines as stored: member, amount in minor units, share, and the breakdown with
    record IDs but no titles (read through the records' visibility when shown)."""
    lines = credit_lines(shares, money)
    return [(share.member_id, share.amount, plain(line.share),
             [p.to_json() for p in line.breakdown])
            for share, line in zip(shares, lines, strict=True)]


# --- items, history, problems, publications ------------------------------------------------------


@strawberry.type(description="A record in a compilation, at its place in the order.")
class CompilationItem(Node):
    table: ClassVar[Table] = rules.ITEMS  # the plain fields named like its columns
    id: strawberry.ID = strawberry.field(description="The item's opaque global ID.")
    position: int = strawberry.field(description="1-based place in the compilation.")
    note: str = strawberry.field(description="The editors' note on why it is here.")
    weight: Decimal = strawberry.field(description="Its weight in the credit split.",
                                       metadata=twin(twins.decimal("weight")))
    added_at: dt.datetime = strawberry.field(description="When it was added.")
    record_pk: strawberry.Private[int]

    @strawberry.field(description="The record; null if it is no longer visible to you "
                      "(unpublished or deleted since: see `Compilation.problems`).",
                      metadata=twin(twins.VisibleRecord()))
    async def record(self, info: Info) -> RecordRef | None:
        from hub.api.records.types import load_record

        return await load_record(info.context, self.record_pk)

    @classmethod
    def from_row(cls, row: Any) -> CompilationItem:
        return cls(id=strawberry.ID(encode_id("CompilationItem", row["id"])),
                   position=row["position"], note=row["note"],
                   weight=row["weight"].normalize(), added_at=row["created_at"],
                   record_pk=row["record_id"])


@strawberry.type(description="One step of a compilation's history: who did what, when.")
class HistoryEntry:
    table: ClassVar[Table] = rules.HISTORY  # the plain fields named like its columns
    action: str = strawberry.field(description="`create`, `submit`, `approve`, `return`, "
                                   "`reopen` (back to review: a record changed after "
                                   "approval), `publish`, `archive`, `add_item`, `move_item`, "
                                   "`remove_item`, `add_editor`, `propose_payout`, "
                                   "`finalize_payout`.")
    from_status: CompilationStatus | None = strawberry.field(description="Status before.")
    to_status: CompilationStatus | None = strawberry.field(description="Status after.")
    reason: str = strawberry.field(description="Why (a return's reason, the record an item "
                                   "holds, the records that changed…).")
    at: dt.datetime = strawberry.field(description="When.")
    actor_pk: strawberry.Private[int | None]

    @strawberry.field(description="The member who did it (the editor whose publish attempt "
                      "sent it back to review, for a `reopen`). Nullable in the schema; every "
                      "entry the hub writes names its actor.", metadata=twin(twins.ACTOR))
    async def actor(self, info: Info) -> MemberRef | None:
        return await _load_member(info.context, self.actor_pk)


@strawberry.type(description="Something that blocks publishing, found by the hub or the target.")
class CompilationProblem:
    code: str = strawberry.field(description="A stable word, e.g. `RECORD_UNAVAILABLE`, "
                                 "`WRONG_MEDIA_TYPE`, `TOO_LONG`, `TOO_SHORT`.")
    message: str = strawberry.field(description="A sentence for a person.")
    item_id: strawberry.ID | None = strawberry.field(description="The item at fault, if one is.")


@strawberry.type(description="A file of a publication.")
class PublicationFile:
    name: str = strawberry.field(description="File name, e.g. `book.epub`.")
    mime_type: str = strawberry.field(description="Its MIME type.")
    size: int = strawberry.field(description="Size in bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the bytes (lower-case hex).")
    url: str = strawberry.field(description="Where to download it (public, immutable).")


@strawberry.type(description="One published version of a compilation: the target's files.")
class Publication:
    version: int = strawberry.field(description="1 for the first publication, then 2, 3…")
    files: list[PublicationFile] = strawberry.field(description="The rendered files.",
                                                    directives=sized_list(UNCAPPED_LIST_SIZE))
    published_at: dt.datetime = strawberry.field(description="When it was published.")
    published_by_pk: strawberry.Private[int | None]

    @strawberry.field(description="The editor who published it.")
    async def published_by(self, info: Info) -> MemberRef | None:
        return await _load_member(info.context, self.published_by_pk)

    @classmethod
    def from_row(cls, row: Any, base_url: str) -> Publication:
        return cls(
            version=row["version"], published_at=row["published_at"],
            published_by_pk=row["published_by"],
            files=[PublicationFile(name=f["name"], mime_type=f["mime_type"], size=f["size"],
                                   sha256=f["sha256"],
                                   url=base_url + publication_path(f["sha256"], f["name"]))
                   for f in row["files"]],
        )


def _base_url(context: Context) -> str:
    return str(context.request.url.origin()) if context.request is not None else ""


# --- payouts ------------------------------------------------------------------------------------


@strawberry.type(description="A comment on a payout proposal.")
class PayoutComment:
    body: str = strawberry.field(description="The comment.")
    created_at: dt.datetime = strawberry.field(description="When it was written.")
    author_pk: strawberry.Private[int]

    @strawberry.field(description="Who wrote it.")
    async def author(self, info: Info) -> MemberRef | None:
        return await _load_member(info.context, self.author_pk)


@strawberry.type(description="A frozen credit split of a pool: PROPOSED (open for comments "
                 "until its window closes), then FINALIZED by an editor (immutable).")
class PayoutProposal(Node):
    id: strawberry.ID = strawberry.field(description="The proposal's opaque global ID.")
    status: PayoutStatus = strawberry.field(description="PROPOSED or FINALIZED.")
    pool: Money = strawberry.field(description="The money shared.")
    created_at: dt.datetime = strawberry.field(description="When it was proposed.")
    window_closes_at: dt.datetime = strawberry.field(description="Comments close, and "
                                                     "finalizing opens, at this time.")
    finalized_at: dt.datetime | None = strawberry.field(description="When it was finalized.")
    pk: strawberry.Private[int]
    compilation_pk: strawberry.Private[int]

    @strawberry.field(description="Every member's line, largest amount first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE))
    async def lines(self, info: Info) -> list[CreditLine]:
        rows = await info.context.loader(loaders.LinesByProposalIdLoader).load(self.pk)
        return [line_from_row(row, self.pool.currency) for row in rows]

    @strawberry.field(description="Comments, oldest first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE))
    async def comments(self, info: Info) -> list[PayoutComment]:
        rows = await info.context.loader(loaders.CommentsByProposalIdLoader).load(self.pk)
        return [PayoutComment(body=r["body"], created_at=r["created_at"], author_pk=r["author_id"])
                for r in rows]

    @strawberry.field(description="The compilation paid out.")
    async def compilation(self, info: Info) -> Compilation | None:
        return await load_compilation(info.context, self.compilation_pk)

    @classmethod
    def from_row(cls, row: Any) -> PayoutProposal:
        return cls(
            id=strawberry.ID(encode_id("PayoutProposal", row["id"])), pk=row["id"],
            status=PayoutStatus(row["status"]), pool=Money.of(row["pool_minor"], row["currency"]),
            created_at=row["created_at"], window_closes_at=row["window_closes_at"],
            finalized_at=row["finalized_at"], compilation_pk=row["compilation_id"],
        )


def line_from_row(row: Any, currency: str) -> CreditLine:
    return CreditLine(amount=Money.of(row["amount_minor"], currency), share=Decimal(row["share"]),
                      breakdown=[CreditPart.from_json(p) for p in row["breakdown"]],
                      member_pk=row["member_id"])


@node_resolver("PayoutProposal")
async def load_proposal(context: Context, pk: int) -> PayoutProposal | None:
    row = await context.loader(loaders.ProposalByIdLoader).load(pk)
    if row is None or await load_compilation(context, row["compilation_id"]) is None:
        return None
    return PayoutProposal.from_row(row)


@strawberry.type(description="What a member is owed from one payout proposal.")
class MemberPayout:
    line: CreditLine = strawberry.field(description="Their line: amount, share, breakdown.")
    proposal: PayoutProposal = strawberry.field(description="The proposal (its status says "
                                                "whether the amount is final).")


async def member_payouts(context: Context, member_pk: int) -> list[MemberPayout] | None:
    """``Member.payouts``: for the member themself and ADMINs; null for everyone else."""
    if context.viewer_id != member_pk and not context.is_admin:
        return None
    rows = await context.loader(loaders.LinesByMemberIdLoader).load(member_pk)
    proposals = await context.loader(loaders.ProposalByIdLoader).load_many(
        [row["proposal_id"] for row in rows])
    return [MemberPayout(line=line_from_row(row, proposal["currency"]),
                         proposal=PayoutProposal.from_row(proposal))
            for row, proposal in zip(rows, proposals, strict=True)]


# --- the compilation ----------------------------------------------------------------------------


@strawberry.federation.type(keys=["id"], description="An editorial team's ordered selection of "
                            "published records, reviewed and published to a target (a book, a "
                            "TV episode…), with a transparent credit split and payouts.")
class Compilation(Node):
    table: ClassVar[Table] = rules.COMPILATIONS  # the plain fields named like its columns
    id: strawberry.ID = strawberry.field(description="The compilation's opaque global ID.")
    title: str = strawberry.field(description="The compilation's title.")
    description: str = strawberry.field(description="What it is, for readers and reviewers.")
    target: str = strawberry.field(description="The publishing-target plugin's key (`book`…).")
    settings: UnboundSettings | None = strawberry.field(
        description="The target's settings; null while the target's plugin is disabled.",
        metadata=no_twin("the target plugin's settings type is read by the executor "
                         "(load_settings)"),
    )
    status: CompilationStatus = strawberry.field(description="DRAFT, IN_REVIEW, APPROVED, "
                                                 "PUBLISHED or ARCHIVED.")
    lineage_share: Decimal = strawberry.field(description="The share of an item's value that "
                                              "flows to its record's sources (0–1, default 0.5).",
                                              metadata=twin(twins.decimal("lineage_share")))
    max_depth: int = strawberry.field(description="How many lineage steps credit flows down.")
    editors_percent: Decimal = strawberry.field(description="Percent of a pool shared by the "
                                                "editors, off the top (default 0).",
                                                metadata=twin(twins.decimal("editors_percent")))
    payout_window_days: int = strawberry.field(description="Days a payout proposal stays open "
                                               "for comments before it can be finalized.")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")
    pk: strawberry.Private[int]
    row: strawberry.Private[Any]

    @strawberry.field(description="The editors team, the creator first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE), metadata=twin(twins.EDITORS))
    async def editors(self, info: Info) -> list[MemberRef]:
        rows = await info.context.loader(loaders.EditorsByCompilationIdLoader).load(self.pk)
        # Gathered, so the member loader batches the whole team (and every compilation's).
        members = await asyncio.gather(*(_load_member(info.context, r["member_id"]) for r in rows))
        return [m for m in members if m is not None]

    @strawberry.field(description="The items, in order.", directives=sized_list(MAX_ITEMS),
                      metadata=twin(twins.ITEMS))
    async def items(self, info: Info) -> list[CompilationItem]:
        rows = await info.context.loader(loaders.ItemsByCompilationIdLoader).load(self.pk)
        return [CompilationItem.from_row(row) for row in rows]

    @strawberry.field(description="What blocks publishing now, from the hub (records since "
                      "unpublished, no items) and the target plugin (wrong media types, too "
                      "long…). Empty when the compilation can be published.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("found at read time by the hub's checks and the target "
                                       "plugin's code (hub_compilation_problems)"))
    async def problems(self, info: Info) -> list[CompilationProblem]:
        from hub.domain.compilations.publishing import find_problems

        context: Context = info.context
        found = await find_problems(context, context.db, self.row)
        return [CompilationProblem(code=p.code, message=p.message,
                                   item_id=strawberry.ID(p.item_id) if p.item_id else None)
                for p in found]

    @strawberry.field(description="Every status change and edit, oldest first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE), metadata=twin(twins.HISTORY))
    async def history(self, info: Info) -> list[HistoryEntry]:
        rows = await info.context.loader(loaders.HistoryByCompilationIdLoader).load(self.pk)
        return [HistoryEntry(
            action=r["action"], reason=r["reason"], at=r["at"], actor_pk=r["actor_id"],
            from_status=CompilationStatus(r["from_status"]) if r["from_status"] else None,
            to_status=CompilationStatus(r["to_status"]) if r["to_status"] else None,
        ) for r in rows]

    @strawberry.field(description="Published versions, newest first; old versions stay.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("file URLs are absolute, built from the request's "
                                       "origin by the executor"))
    async def publications(self, info: Info) -> list[Publication]:
        rows = await info.context.loader(loaders.PublicationsByCompilationIdLoader).load(self.pk)
        base = _base_url(info.context)
        return [Publication.from_row(row, base) for row in rows]

    @strawberry.field(description="Payout proposals, newest first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("pools and lines are money in minor units, shown in the "
                                       "currency's places by the executor (credits.py)"))
    async def payout_proposals(self, info: Info) -> list[PayoutProposal]:
        rows = await info.context.loader(loaders.ProposalsByCompilationIdLoader).load(self.pk)
        return [PayoutProposal.from_row(row) for row in rows]

    @strawberry.field(description="A preview of how `pool` would be shared among everyone "
                      "credited (rules: docs/compilations.md). Nothing is stored.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("computed in Python by the credit split "
                                       "(hub/domain/compilations/credits.py); nothing is stored"))
    async def credit_split(
        self, info: Info,
        pool: Annotated[MoneyInput, strawberry.argument(
            description="The money to share, e.g. `{amount: \"1000.00\", currency: \"USD\"}`.")],
    ) -> list[CreditLine]:
        from hub.domain.compilations.snapshot import credit_inputs

        try:
            money = pool.parse()
        except credits.CreditError as error:
            raise BadRequest(error.message, field=error.field) from None
        items, lineage, rules = await credit_inputs(info.context.db, self.row)
        try:
            shares = credits.split(money.minor, items, lineage, rules)
        except credits.CreditError as error:
            raise BadRequest(error.message, field=error.field) from None
        return credit_lines(shares, money)

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, **_representation: Any,
    ) -> Compilation | None:
        return await load_compilation(info.context, decode_id(id, "Compilation"))

    @classmethod
    def from_row(cls, row: Any, context: Context) -> Compilation:
        from hub.api.compilations.settings import load_settings

        return cls(
            id=strawberry.ID(encode_id("Compilation", row["id"])), pk=row["id"], row=row,
            title=row["title"], description=row["description"], target=row["target"],
            settings=load_settings(context.plugins.publishing_targets.get(row["target"]),
                                   row["settings"]),
            status=CompilationStatus(row["status"]),
            lineage_share=row["lineage_share"].normalize(), max_depth=row["max_depth"],
            editors_percent=row["editors_percent"].normalize(),
            payout_window_days=row["payout_window_days"],
            created_at=row["created_at"], updated_at=row["updated_at"],
        )


def compilations_connection(
    context: Context, rows: list[Any], page: PageArgs, count: Any,
) -> Connection[Compilation]:
    return connection_from_rows(rows, page, rules.ORDERINGS["NEWEST"],
                                lambda r: Compilation.from_row(r, context), count=count)


@strawberry.type(name="PublishingTarget", description="A publishing target an enabled plugin "
                 "provides.")
class PublishingTargetInfo:
    key: str = strawberry.field(description="The key compilations carry as `target`.")
    label: str = strawberry.field(description="A name for people.")
    description: str = strawberry.field(description="What the target produces.")
    accepted_media_types: list[str] = strawberry.field(description="Media types it publishes "
                                                       "(empty: any).")
    credit_roles: list[str] = strawberry.field(description="Roles its credits name.")

