"""The credit split: how a pool of money is shared among everyone whose work is in a
compilation. Pure functions (no I/O), exact arithmetic; the property tests target them.

The rules (docs/compilations.md has a worked example):

1. **Categorical credits** come off the top: each is a fixed percent of the pool, shared
   equally by its members (e.g. ``editors: 5 %`` among the compilation's editors).
2. The rest is shared among the **items** by weight: item *i* gets ``rest × wᵢ / Σw``.
3. Within an item, the record's **author keeps (1 − s)** of what reaches the record and the
   remaining ``s`` (the compilation's *lineage share*) flows **equally to its direct
   sources**, each of which splits again the same way, down to ``max_depth`` steps. A record
   without sources (or at the maximum depth) keeps everything that reaches it. A record
   reached along several paths (a diamond) receives along each of them.
4. Amounts are exact rationals until the very end; then every member's total is rounded to
   minor units (cents) by the **largest-remainder** method: each gets the floor of their
   exact amount, and the cents left over go one each to the largest fractional parts, ties
   broken by the smaller member id. The amounts always add up to the pool exactly, none is
   negative, and each is within one minor unit of the member's exact share.
5. What is shown adds up too, by the same method: a member's breakdown parts are rounded to
   minor units so that they add up to the member's amount (ties: the parts' order), and the
   shares of the pool to millionths so that they add up to 1 (ties: the smaller member id).

The result does not depend on the order in which items or sources are listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TypeVar

# ISO 4217 codes accepted for pools, with their minor-unit exponent (cents = 2).
CURRENCIES: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CHF": 2, "SEK": 2, "NOK": 2,
    "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "BRL": 2, "MXN": 2, "INR": 2, "ZAR": 2, "SGD": 2,
    "HKD": 2, "CNY": 2, "TRY": 2, "ILS": 2, "NGN": 2, "KES": 2, "GHS": 2, "PHP": 2,
    "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0,
    "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}
# The largest pool accepted, in major units: beyond any real payout, far inside bigint.
MAX_POOL = Decimal(10) ** 12
MAX_DEPTH = 10
# Shares of the pool are shown in millionths (``0.250000``).
SHARE_UNITS = 10**6

K = TypeVar("K", bound=Hashable)


class CreditError(ValueError):
    """Input the split cannot work with; ``field`` names the culprit."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- money --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """An amount in minor units of ``currency``."""

    minor: int
    currency: str

    @property
    def exponent(self) -> int:
        return CURRENCIES[self.currency]

    def decimal(self) -> str:
        """The amount as a decimal string in major units (``"12.50"``)."""
        return format_minor(self.minor, self.currency)


def minor_to_decimal(minor: int, currency: str) -> Decimal:
    """Minor units as an exact decimal in major units with the currency's places
    (``1250, "USD"`` → ``Decimal("12.50")``)."""
    return Decimal(minor).scaleb(-CURRENCIES[currency])


def major_sql(minor: str, currency: str) -> str:
    """SQL of :func:`minor_to_decimal` as text (what the API shows): the SQL expressions
    ``minor`` (bigint) and ``currency`` (an ISO 4217 code of :data:`CURRENCIES`) as a decimal
    in major units with the currency's places (``1250, 'USD'`` → ``'12.50'``; ``300, 'JPY'``
    → ``'300'``). The division is exact: ``round`` only fixes the scale."""
    places = " ".join(f"when '{code}' then {digits}" for code, digits in CURRENCIES.items())
    scale = f"(case {currency} {places} end)"
    return f"round(({minor})::numeric / (10::numeric ^ {scale}), {scale})::text"


def format_minor(minor: int, currency: str) -> str:
    return format(minor_to_decimal(minor, currency), "f")


def parse_money(amount: str | Decimal, currency: str, field: str = "pool") -> Money:
    """A pool from client input: a decimal (or decimal string) and an ISO 4217 code."""
    code = currency.strip().upper()
    if code not in CURRENCIES:
        raise CreditError(f"{currency!r} is not a currency the hub pays in (ISO 4217 code such "
                          "as USD, EUR, JPY).", f"{field}.currency")
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(amount.strip())
    except (InvalidOperation, AttributeError):
        raise CreditError(f"{amount!r} is not a decimal amount such as '1250.00'.",
                          f"{field}.amount") from None
    if not value.is_finite() or value <= 0:
        raise CreditError("The amount must be a positive number.", f"{field}.amount")
    if value > MAX_POOL:
        raise CreditError(f"The amount is above the maximum of {MAX_POOL:,}.", f"{field}.amount")
    exponent = CURRENCIES[code]
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise CreditError(f"{code} amounts have at most {exponent} decimal places.",
                          f"{field}.amount")
    return Money(int(minor), code)


# --- the split ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditItem:
    """An item to credit: its id, its record and its weight (> 0)."""

    item_id: int
    record_id: int
    weight: Decimal


@dataclass(frozen=True)
class CategoricalCredit:
    """A fixed ``percent`` of the pool, off the top, shared equally by ``member_ids``."""

    role: str
    percent: Decimal
    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class Lineage:
    """Who wrote each record (``authors``) and each record's direct sources (``sources``)."""

    authors: Mapping[int, int]
    sources: Mapping[int, Sequence[int]]


@dataclass(frozen=True)
class Rules:
    lineage_share: Decimal = Decimal("0.5")
    max_depth: int = 3
    categorical: tuple[CategoricalCredit, ...] = ()


@dataclass(frozen=True)
class CreditPart:
    """Part of a member's exact amount: from which item's record at which lineage depth
    (``role`` "author" at depth 0, "source" deeper), or from a categorical credit (``role``
    its name; item, record and depth None). ``amount`` is ``exact`` rounded to minor units
    so that a member's parts add up to their line's amount (rule 5)."""

    role: str
    item_id: int | None
    record_id: int | None
    depth: int | None
    exact: Fraction
    amount: int = 0


@dataclass(frozen=True)
class CreditShare:
    """One member's line: ``amount`` in minor units, their ``exact`` rational amount, the
    parts it is made of (sorted by item, depth, record), and their share of the pool in
    millionths (``share_millionths``; the shares of a split add up to 1,000,000)."""

    member_id: int
    amount: int
    exact: Fraction
    parts: tuple[CreditPart, ...]
    share_millionths: int = 0


def _check(pool: int, items: Sequence[CreditItem], rules: Rules) -> None:
    if pool < 0:
        raise CreditError("The pool must not be negative.", "pool")
    if not Decimal(0) <= rules.lineage_share <= Decimal(1):
        raise CreditError("The lineage share must be between 0 and 1.", "lineageShare")
    if not 0 <= rules.max_depth <= MAX_DEPTH:
        raise CreditError(f"The maximum depth must be between 0 and {MAX_DEPTH}.", "maxDepth")
    if any(item.weight <= 0 for item in items):
        raise CreditError("Every item's weight must be positive.", "weight")
    off_top = sum((c.percent for c in rules.categorical), Decimal(0))
    if any(c.percent < 0 for c in rules.categorical) or off_top > 100:
        raise CreditError("Categorical credits must be 0–100 % and total at most 100 %.",
                          "categorical")
    if any(c.percent > 0 and not c.member_ids for c in rules.categorical):
        raise CreditError("A categorical credit with a percent needs members.", "categorical")
    if not items and off_top < 100:
        raise CreditError("The compilation has no items to credit.", "items")


def _flow(
    item: CreditItem, value: Fraction, lineage: Lineage, rules: Rules,
    parts: dict[int, dict[tuple[str, int | None, int | None, int | None], Fraction]],
) -> None:
    """Spread ``value`` over the item's record and its lineage, one depth at a time (so a
    diamond costs one visit per depth, not one per path)."""
    share = Fraction(rules.lineage_share)
    level: dict[int, Fraction] = {item.record_id: value}
    depth = 0
    while level:
        following: dict[int, Fraction] = defaultdict(Fraction)
        for record_id in sorted(level):
            amount = level[record_id]
            sources = sorted(set(lineage.sources.get(record_id, ())) - {record_id})
            kept = amount
            if depth < rules.max_depth and sources and share > 0:
                kept = amount * (1 - share)
                each = amount * share / len(sources)
                for source in sources:
                    following[source] += each
            if kept:
                role = "author" if depth == 0 else "source"
                key = (role, item.item_id, record_id, depth)
                member = lineage.authors[record_id]
                parts[member][key] = parts[member].get(key, Fraction(0)) + kept
        level = dict(following)
        depth += 1


def exact_split(
    pool: int, items: Sequence[CreditItem], lineage: Lineage, rules: Rules,
) -> dict[int, dict[tuple[str, int | None, int | None, int | None], Fraction]]:
    """Each member's exact parts, keyed by (role, item id, record id, depth)."""
    _check(pool, items, rules)
    parts: dict[int, dict[tuple[str, int | None, int | None, int | None], Fraction]] = (
        defaultdict(dict)
    )
    total = Fraction(pool)
    rest = total
    for credit in sorted(rules.categorical, key=lambda c: c.role):
        taken = total * Fraction(credit.percent) / 100
        rest -= taken
        members = sorted(set(credit.member_ids))
        for member in members:
            key = (credit.role, None, None, None)
            parts[member][key] = parts[member].get(key, Fraction(0)) + taken / len(members)
    weights = sum((Fraction(item.weight) for item in items), Fraction(0))
    for item in sorted(items, key=lambda i: i.item_id):
        _flow(item, rest * Fraction(item.weight) / weights, lineage, rules, parts)
    return parts


def largest_remainder(exact: Mapping[K, Fraction], total: int) -> dict[K, int]:
    """Round each exact value to a whole number, the results summing to ``total`` (which
    must lie between the sum of the floors and that sum plus the number of values): floors
    first, then one unit each to the largest fractional parts, ties to the smaller key."""
    floors = {key: value.numerator // value.denominator for key, value in exact.items()}
    left = total - sum(floors.values())
    if not 0 <= left <= len(floors):
        raise ValueError(f"cannot round {len(floors)} values to a total of {total}")
    by_remainder = sorted(exact, key=lambda k: (-(exact[k] - floors[k]), k))
    for key in by_remainder[:left]:
        floors[key] += 1
    return floors


def _rounded_parts(
    parts: dict[tuple[str, int | None, int | None, int | None], Fraction], amount: int,
) -> tuple[CreditPart, ...]:
    """A member's parts in display order, each rounded to minor units, adding up to
    ``amount`` (their rounded line)."""
    ordered = sorted(parts.items(),
                     key=lambda kv: (kv[0][1] or 0, kv[0][3] or 0, kv[0][2] or 0, kv[0][0]))
    rounded = largest_remainder({n: exact for n, (_, exact) in enumerate(ordered)}, amount)
    return tuple(CreditPart(role, item_id, record_id, depth, exact, rounded[n])
                 for n, ((role, item_id, record_id, depth), exact) in enumerate(ordered))


def split(
    pool: int, items: Sequence[CreditItem], lineage: Lineage, rules: Rules,
) -> list[CreditShare]:
    """The credit lines for ``pool`` minor units: largest amount first, then member id."""
    parts = exact_split(pool, items, lineage, rules)
    exact = {member: sum(p.values(), Fraction(0)) for member, p in parts.items()}
    exact = {member: value for member, value in exact.items() if value > 0}
    amounts = largest_remainder(exact, pool)
    shares = largest_remainder(
        {member: value * SHARE_UNITS / pool for member, value in exact.items()},
        SHARE_UNITS if exact else 0)
    lines = [CreditShare(member, amounts[member], value,
                         _rounded_parts(parts[member], amounts[member]), shares[member])
             for member, value in exact.items()]
    return sorted(lines, key=lambda s: (-s.amount, s.member_id))
