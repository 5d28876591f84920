"""GraphQL types of the money of compilations: amounts, credit lines (of a split or a payout)
and payout proposals with their ``linesConnection`` and ``commentsConnection`` (and the
deprecated lists ``lines`` and ``comments``), and ``Member.payoutsConnection`` (and the
deprecated list ``Member.payouts``). Split from types.py, which re-exports them.

Payouts are visible to whoever sees their compilation (hub/domain/compilations/rules.py), a
proposal's lines and comments to whoever reaches the proposal; ``Member.payoutsConnection``
and ``Member.payouts`` to the member themself and ADMINs only. Every field but the deprecated
lists has a compiled twin (twins.py): money is shown in the currency's places in SQL as in
Python (credits.major_sql).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar

import strawberry
from strawberry.types import Info

from hub.api.compilations import twins
from hub.api.compiled.derive import no_twin, twin
from hub.api.federation import UNCAPPED_LIST_SIZE, priced_connection, sized_list
from hub.api.nodes import node_resolver
from hub.api.relay import After, Before, Connection, First, Last, Node, connection_from_rows
from hub.core.numbers import plain
from hub.core.pages import CountKey, PageKey
from hub.core.relay import PageArgs, encode_id, try_decode_id
from hub.core.rules import Listing, Table
from hub.domain.compilations import credits, loaders, rules

if TYPE_CHECKING:
    from hub.api.compilations.types import Compilation
    from hub.api.context import Context
    from hub.api.members.types import Member

MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]
CompilationRef = Annotated["Compilation", strawberry.lazy("hub.api.compilations.types")]
T = TypeVar("T")


async def _load_member(context: Context, pk: int | None) -> Member | None:
    from hub.api.members.types import load_member

    return await load_member(context, pk) if pk is not None else None


async def _load_compilation(context: Context, pk: int) -> Compilation | None:
    from hub.api.compilations.types import load_compilation

    return await load_compilation(context, pk)


@strawberry.enum(description="Whether a payout proposal is still open for comments.")
class PayoutStatus(enum.Enum):
    PROPOSED = strawberry.enum_value("PROPOSED", description="Open for comments until its "
                                     "window closes; the amounts may still be replaced by a "
                                     "new proposal.")
    FINALIZED = strawberry.enum_value("FINALIZED", description="Finalized by an editor after "
                                      "the window closed: immutable, the amounts are owed.")


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
                                       "decimal places, e.g. `12.50` (none for JPY).",
                                       metadata=twin(twins.MONEY_AMOUNT))
    currency: str = strawberry.field(description="ISO 4217 code.",
                                     metadata=twin(twins.MONEY_CURRENCY))

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
                                 "categorical credit's name (e.g. `editors`).",
                                 metadata=twin(twins.part("role")))
    item_id: strawberry.ID | None = strawberry.field(description="The compilation item; null "
                                                     "for a categorical credit (`editors`).",
                                                     metadata=twin(twins.part("itemId")))
    record_id: strawberry.ID | None = strawberry.field(description="The record credited "
                                                       "(given even when you may not see it); "
                                                       "null for a categorical credit.",
                                                       metadata=twin(twins.part("recordId")))
    depth: int | None = strawberry.field(description="Steps from the item's record; null for a "
                                         "categorical credit.",
                                         metadata=twin(twins.part("depth")))
    amount: Decimal = strawberry.field(description="This part of the line's amount, in major "
                                       "units with the currency's places; the parts of a line "
                                       "add up to its amount exactly (largest remainder).",
                                       metadata=twin(twins.part("amount")))
    record_pk: strawberry.Private[int | None]

    @strawberry.field(description="The record's title; null when you may not see the record "
                      "(deleted, unpublished, someone else's draft): its author keeps the "
                      "credit, its content stays hidden.",
                      metadata=twin(twins.RECORD_TITLE))
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
                                     "the lines of a split add up to the pool exactly.",
                                     metadata=twin(twins.LINE_AMOUNT))
    share: Decimal = strawberry.field(description="Their share of the pool to 6 decimal "
                                      "places (`0.250000`), rounded so that the shares of a "
                                      "split add up to 1 exactly (largest remainder).",
                                      metadata=twin(twins.SHARE))
    breakdown: list[CreditPart] = strawberry.field(description="Which items, records and depths "
                                                   "the amount comes from; the parts add up to "
                                                   "the amount.",
                                                   directives=sized_list(UNCAPPED_LIST_SIZE),
                                                   metadata=twin(twins.BREAKDOWN))
    member_pk: strawberry.Private[int]

    @strawberry.field(description="The member credited.", metadata=twin(twins.MEMBER_OF_LINE))
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


# --- payouts ------------------------------------------------------------------------------------


@strawberry.type(description="A comment on a payout proposal.")
class PayoutComment:
    table: ClassVar[Table] = rules.COMMENTS  # the plain fields named like its columns
    body: str = strawberry.field(description="The comment.")
    created_at: dt.datetime = strawberry.field(description="When it was written.")
    author_pk: strawberry.Private[int]

    @strawberry.field(description="Who wrote it.", metadata=twin(twins.AUTHOR))
    async def author(self, info: Info) -> MemberRef:
        member = await _load_member(info.context, self.author_pk)
        assert member is not None, "payout comments reference members"
        return member

    @classmethod
    def from_row(cls, row: Any) -> PayoutComment:
        return cls(body=row["body"], created_at=row["created_at"], author_pk=row["author_id"])


@strawberry.type(description="A frozen credit split of a pool: PROPOSED (open for comments "
                 "until its window closes), then FINALIZED by an editor (immutable).")
class PayoutProposal(Node):
    table: ClassVar[Table] = rules.PROPOSALS  # the plain fields named like its columns
    id: strawberry.ID = strawberry.field(description="The proposal's opaque global ID.")
    status: PayoutStatus = strawberry.field(description="PROPOSED or FINALIZED.")
    pool: Money = strawberry.field(description="The money shared.", metadata=twin(twins.POOL))
    created_at: dt.datetime = strawberry.field(description="When it was proposed.")
    window_closes_at: dt.datetime = strawberry.field(description="Comments close, and "
                                                     "finalizing opens, at this time.")
    finalized_at: dt.datetime | None = strawberry.field(description="When it was finalized; "
                                                        "null while PROPOSED.")
    pk: strawberry.Private[int]
    compilation_pk: strawberry.Private[int]

    @strawberry.field(description="Every member's line, largest amount first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("deprecated and unpaged (an assumed 100 items): its "
                                       "connection is the one compiled"),
                      deprecation_reason="Use `linesConnection`: it pages, and has "
                      "`totalCount`.")
    async def lines(self, info: Info) -> list[CreditLine]:
        rows = await info.context.loader(loaders.LinesByProposalIdLoader).load(self.pk)
        return [line_from_row(row, self.pool.currency) for row in rows]

    @strawberry.field(description="Every member's line, largest amount first (ties by "
                      "member), a page at a time; visible to whoever sees the proposal.",
                      directives=priced_connection(), metadata=twin(twins.LINE_PAGES))
    async def lines_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[CreditLine]:
        return await list_page(info.context, rules.LINE_PAGES, self.pk,
                               PageArgs.of(first, after, last, before),
                               lambda row: line_from_row(row, row["currency"]))

    @strawberry.field(description="Comments, oldest first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("deprecated and unpaged (an assumed 100 items): its "
                                       "connection is the one compiled"),
                      deprecation_reason="Use `commentsConnection`: it pages, and has "
                      "`totalCount`.")
    async def comments(self, info: Info) -> list[PayoutComment]:
        rows = await info.context.loader(loaders.CommentsByProposalIdLoader).load(self.pk)
        return [PayoutComment.from_row(r) for r in rows]

    @strawberry.field(description="Comments, oldest first, a page at a time; visible to "
                      "whoever sees the proposal.",
                      directives=priced_connection(), metadata=twin(twins.COMMENT_PAGES))
    async def comments_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[PayoutComment]:
        return await list_page(info.context, rules.COMMENT_PAGES, self.pk,
                               PageArgs.of(first, after, last, before),
                               PayoutComment.from_row)

    @strawberry.field(description="The lines as a CSV file (RFC 4180, UTF-8): contributor, "
                      "display_name, share, amount (exact, adding up to the pool), currency, "
                      "lineage_path (how each part was earned). Visible to whoever sees the "
                      "proposal; a client saves it as a file (hub/api/compilations/payout_csv.py "
                      "says why this is a field and not a download URL).",
                      metadata=no_twin("written in Python by the csv module from the lines, "
                                       "their members and the titles the reader may see"))
    async def csv(self, info: Info) -> str:
        from hub.api.compilations.payout_csv import proposal_csv

        return await proposal_csv(info.context, self.pk, self.compilation_pk, self.pool.currency)

    @strawberry.field(description="The compilation paid out; null when you may not see it "
                      "(a member reading their own payouts of a compilation not visible to them).",
                      metadata=twin(twins.COMPILATION_OF_PROPOSAL))
    async def compilation(self, info: Info) -> CompilationRef | None:
        return await _load_compilation(info.context, self.compilation_pk)

    @classmethod
    def from_row(cls, row: Any) -> PayoutProposal:
        return cls(
            id=strawberry.ID(encode_id("PayoutProposal", row["id"])), pk=row["id"],
            status=PayoutStatus(row["status"]), pool=Money.of(row["pool_minor"], row["currency"]),
            created_at=row["created_at"], window_closes_at=row["window_closes_at"],
            finalized_at=row["finalized_at"], compilation_pk=row["compilation_id"],
        )


async def list_page(
    context: Context, listing: Listing, parent: int, page: PageArgs, to_node: Callable[[Any], T],
) -> Connection[T]:
    """A page of one of a compilation's or a proposal's lists, through the request's batched
    loaders: one statement per page shape, however many parents ask."""
    order = listing.default_order
    rows = await context.pages(listing).load(PageKey(parent, order, page))
    return connection_from_rows(rows, page, listing.orderings[order], to_node,
                                count=lambda: context.counts(listing).load(CountKey(parent)))


def line_from_row(row: Any, currency: str) -> CreditLine:
    return CreditLine(amount=Money.of(row["amount_minor"], currency), share=Decimal(row["share"]),
                      breakdown=[CreditPart.from_json(p) for p in row["breakdown"]],
                      member_pk=row["member_id"])


@node_resolver("PayoutProposal")
async def load_proposal(context: Context, pk: int) -> PayoutProposal | None:
    row = await context.loader(loaders.ProposalByIdLoader).load(pk)
    if row is None or await _load_compilation(context, row["compilation_id"]) is None:
        return None
    return PayoutProposal.from_row(row)


@strawberry.type(description="What a member is owed from one payout proposal.")
class MemberPayout:
    line: CreditLine = strawberry.field(description="Their line: amount, share, breakdown.",
                                        metadata=twin(twins.SAME_ROW))
    proposal: PayoutProposal = strawberry.field(description="The proposal (its status says "
                                                "whether the amount is final).",
                                                metadata=twin(twins.SAME_ROW))


def sees_payouts_of(context: Context, member_pk: int) -> bool:
    """Who may read a member's payouts: the member themself and ADMINs (in SQL, for the
    compiled path: rules.READS_PAYOUTS)."""
    return context.viewer_id == member_pk or context.is_admin


async def member_payouts(context: Context, member_pk: int) -> list[MemberPayout] | None:
    """``Member.payouts`` (deprecated): for the member themself and ADMINs; null for everyone
    else."""
    if not sees_payouts_of(context, member_pk):
        return None
    rows = await context.loader(loaders.LinesByMemberIdLoader).load(member_pk)
    proposals = await context.loader(loaders.ProposalByIdLoader).load_many(
        [row["proposal_id"] for row in rows])
    return [MemberPayout(line=line_from_row(row, proposal["currency"]),
                         proposal=PayoutProposal.from_row(proposal))
            for row, proposal in zip(rows, proposals, strict=True)]


def _member_payout(row: Any) -> MemberPayout:
    """A page row: the member's line with its proposal's columns (rules.PAYOUT_LINES_OF_MEMBER)."""
    return MemberPayout(line=line_from_row(row, row["currency"]), proposal=PayoutProposal.from_row(row))


async def member_payouts_connection(
    context: Context, member_pk: int, page: PageArgs,
) -> Connection[MemberPayout] | None:
    """``Member.payoutsConnection``: a page of the member's lines, newest proposal first, for
    the member themself and ADMINs; null for everyone else (anonymous included)."""
    if not sees_payouts_of(context, member_pk):
        return None
    return await list_page(context, rules.PAYOUT_LINES_OF_MEMBER, member_pk, page,
                           _member_payout)
