"""``PayoutProposal.csv``: a proposal's lines as a CSV file, for spreadsheets and accounting.

Why a GraphQL field and not a download route: the session token travels only in the
``Authorization`` header (never a cookie, never a URL), so a plain link could not carry it;
a field is read by the same POST, under the same CSRF rule and the same visibility as the
proposal's other fields (whoever reaches the proposal), and a browser client turns the text
into a file itself (the studio: a ``Blob`` and an ``<a download>``). Nothing a page of another
origin can make the browser fetch, and no token in a URL's logs.

One row per member, largest amount first (as ``linesConnection``): ``contributor`` (handle),
``display_name``, ``share`` (6 places), ``amount`` (exact, in the currency's places, as the
API's ``Money.amount``: the amounts add up to the pool), ``currency``, and ``lineage_path``:
each part of the amount as ``item 2 “Harbor” ← 1 step ← “Salt”: source 12.50``, parts joined
by `` | ``. A record the reader may not see is ``[hidden]`` (credits name the author, never
hidden content). Cells that a spreadsheet would run as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hub.core.relay import try_decode_id
from hub.domain.compilations import credits, loaders
from hub.domain.members.loaders import MemberByIdLoader
from hub.domain.records.loaders import RecordByIdLoader

if TYPE_CHECKING:
    from hub.api.context import Context

HEADER = ("contributor", "display_name", "share", "amount", "currency", "lineage_path")
HIDDEN = "[hidden]"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Text a spreadsheet shows as text (a leading ``=``, ``+``, ``-`` or ``@`` would run)."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _record_pk(part: dict[str, Any]) -> int | None:
    return try_decode_id(part["recordId"], "Record") if part.get("recordId") else None


def _path(part: dict[str, Any], items: dict[int, Any], titles: dict[int, str]) -> str:
    """How a part (a stored breakdown entry) was earned: the item, the steps up its lineage,
    the record credited (its title if the reader may see it, as ``CreditPart.recordTitle``)."""
    amount = format(Decimal(part["amount"]), "f")
    if not part.get("itemId"):  # a categorical credit (the editors' percent)
        return f"{part['role']} {amount}"
    item = items.get(try_decode_id(part["itemId"], "CompilationItem") or 0)
    where = (f"item {item['position']} {titles.get(item['record_id'], HIDDEN)}"
             if item is not None else "a removed item")
    if part.get("depth"):
        steps = "1 step" if part["depth"] == 1 else f"{part['depth']} steps"
        where += f" ← {steps} ← {titles.get(_record_pk(part) or 0, HIDDEN)}"
    return f"{where}: {part['role']} {amount}"


async def proposal_csv(context: Context, proposal_pk: int, compilation_pk: int,
                       currency: str) -> str:
    rows = await context.loader(loaders.LinesByProposalIdLoader).load(proposal_pk)
    items = {row["id"]: row for row in
             await context.loader(loaders.ItemsByCompilationIdLoader).load(compilation_pk)}
    members = await context.loader(MemberByIdLoader).load_many([r["member_id"] for r in rows])
    # Every record named, loaded at once (one statement, however many lines and parts).
    wanted = sorted({*(item["record_id"] for item in items.values()),
                     *(pk for row in rows for part in row["breakdown"]
                       if (pk := _record_pk(part)) is not None)})
    records = await context.loader(RecordByIdLoader).load_many(wanted)
    titles = {pk: f"“{record['title']}”" for pk, record in zip(wanted, records, strict=True)
              if record is not None and record["_visible"]}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(HEADER)
    for row, member in zip(rows, members, strict=True):
        paths = [_path(part, items, titles) for part in row["breakdown"]]
        writer.writerow((
            _cell(member["handle"] if member else ""),
            _cell(member["display_name"] if member else ""),
            format(Decimal(row["share"]), "f"),
            format(credits.minor_to_decimal(row["amount_minor"], currency), "f"), currency,
            _cell(" | ".join(paths)),
        ))
    return out.getvalue()
