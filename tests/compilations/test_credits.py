"""The credit split (hub/compilations/credits.py): the documented worked example, rounding,
money input, and properties over random lineages (chains, branches, diamonds) and weights."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.compilations.credits import (
    CategoricalCredit,
    CreditError,
    CreditItem,
    Lineage,
    Rules,
    largest_remainder,
    parse_money,
    split,
)

# Members of the worked example (docs/compilations.md).
EDDIE, ANN, BOB, XAV, YUI, ZED = 1, 2, 3, 4, 5, 6
# Records: A (ann) made from X (xav) and Y (yui); X made from Z (zed); B (bob) stands alone.
A, B, X, Y, Z = 10, 11, 12, 13, 14
EXAMPLE = Lineage(authors={A: ANN, B: BOB, X: XAV, Y: YUI, Z: ZED}, sources={A: [X, Y], X: [Z]})


def amounts(shares: list) -> dict[int, int]:
    return {share.member_id: share.amount for share in shares}


def test_the_worked_example_of_the_docs() -> None:
    rules = Rules(Decimal("0.5"), 3, (CategoricalCredit("editors", Decimal(10), (EDDIE,)),))
    items = [CreditItem(1, A, Decimal(2)), CreditItem(2, B, Decimal(1))]
    shares = split(100_000, items, EXAMPLE, rules)
    assert amounts(shares) == {ANN: 30_000, BOB: 30_000, YUI: 15_000, EDDIE: 10_000,
                               XAV: 7_500, ZED: 7_500}
    zed = next(s for s in shares if s.member_id == ZED)
    assert [(p.role, p.item_id, p.record_id, p.depth, p.exact) for p in zed.parts] == [
        ("source", 1, Z, 2, Fraction(7_500))]
    assert [s.member_id for s in shares] == [ANN, BOB, YUI, EDDIE, XAV, ZED]


def test_depth_limits_where_credit_flows() -> None:
    items = [CreditItem(1, A, Decimal(1))]
    assert amounts(split(1_000, items, EXAMPLE, Rules(Decimal("0.5"), 0))) == {ANN: 1_000}
    assert amounts(split(1_000, items, EXAMPLE, Rules(Decimal("0.5"), 1))) == {
        ANN: 500, XAV: 250, YUI: 250}


def test_a_diamond_credits_its_root_along_both_paths() -> None:
    # D made from L and R, both made from T: T's author gets a share along each path.
    lineage = Lineage({1: 1, 2: 2, 3: 3, 4: 4}, {1: [2, 3], 2: [4], 3: [4]})
    shares = split(800, [CreditItem(1, 1, Decimal(1))], lineage, Rules(Decimal("0.5"), 3))
    assert amounts(shares) == {1: 400, 2: 100, 3: 100, 4: 200}
    top = next(s for s in shares if s.member_id == 4)
    assert [(p.record_id, p.depth, p.exact) for p in top.parts] == [(4, 2, Fraction(200))]


def test_largest_remainder_breaks_ties_by_member_id() -> None:
    lineage = Lineage({1: 7, 2: 5, 3: 9}, {})
    items = [CreditItem(i, i, Decimal(1)) for i in (1, 2, 3)]
    assert amounts(split(100, items, lineage, Rules())) == {5: 34, 7: 33, 9: 33}
    assert largest_remainder({1: Fraction(1, 2), 2: Fraction(1, 2)}, 1) == {1: 1, 2: 0}


@pytest.mark.parametrize(("amount", "currency", "field"), [
    ("-1", "USD", "pool.amount"), ("0", "USD", "pool.amount"), ("1e30", "USD", "pool.amount"),
    ("1" + "0" * 30, "EUR", "pool.amount"), ("1.005", "USD", "pool.amount"),
    ("ten", "USD", "pool.amount"), ("NaN", "USD", "pool.amount"), ("10", "XXX", "pool.currency"),
    ("10", "dollars", "pool.currency"), ("1.5", "JPY", "pool.amount"),
])
def test_bad_pools_are_refused(amount: str, currency: str, field: str) -> None:
    with pytest.raises(CreditError) as error:
        parse_money(amount, currency)
    assert error.value.field == field


def test_pools_are_read_in_minor_units() -> None:
    assert parse_money(" 1250.5 ", "usd").minor == 125_050
    assert parse_money("1000", "JPY").minor == 1000
    assert parse_money("1.234", "KWD").minor == 1234


def test_rules_are_checked() -> None:
    with pytest.raises(CreditError, match="no items"):
        split(100, [], EXAMPLE, Rules())
    with pytest.raises(CreditError, match="total at most 100"):
        split(100, [CreditItem(1, A, Decimal(1))], EXAMPLE, Rules(categorical=(
            CategoricalCredit("a", Decimal(60), (1,)), CategoricalCredit("b", Decimal(50), (2,)))))
    with pytest.raises(CreditError, match="positive"):
        split(100, [CreditItem(1, A, Decimal(0))], EXAMPLE, Rules())


# --- properties ---------------------------------------------------------------------------------


def reference(pool: int, items: list[CreditItem], lineage: Lineage, rules: Rules) -> dict[int, Fraction]:
    """The rules written the obvious way: every path walked separately."""
    totals: dict[int, Fraction] = {}
    share = Fraction(rules.lineage_share)

    def give(member: int, amount: Fraction) -> None:
        totals[member] = totals.get(member, Fraction(0)) + amount

    def flow(record: int, amount: Fraction, depth: int) -> None:
        sources = sorted(set(lineage.sources.get(record, ())))
        if depth < rules.max_depth and sources and share > 0:
            give(lineage.authors[record], amount * (1 - share))
            for source in sources:
                flow(source, amount * share / len(sources), depth + 1)
        else:
            give(lineage.authors[record], amount)

    rest = Fraction(pool)
    for credit in rules.categorical:
        taken = Fraction(pool) * Fraction(credit.percent) / 100
        rest -= taken
        for member in set(credit.member_ids):
            give(member, taken / len(set(credit.member_ids)))
    weights = sum(Fraction(item.weight) for item in items)
    for item in items:
        flow(item.record_id, rest * Fraction(item.weight) / weights, 0)
    return {member: value for member, value in totals.items() if value > 0}


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[int, list[CreditItem], Lineage, Rules]:
    records = draw(st.integers(1, 8))
    members = draw(st.integers(1, 5))
    authors = {r: draw(st.integers(1, members)) for r in range(records)}
    # Sources only among earlier records: a DAG with chains, branches and diamonds.
    sources = {r: draw(st.lists(st.integers(0, r - 1), max_size=3, unique=True)) if r else []
               for r in range(records)}
    chosen = draw(st.lists(st.integers(0, records - 1), min_size=1, max_size=records, unique=True))
    weights = [Decimal(draw(st.integers(1, 10_000))) / 100 for _ in chosen]
    items = [CreditItem(100 + i, r, w) for i, (r, w) in enumerate(zip(chosen, weights, strict=True))]
    editors = tuple(draw(st.lists(st.integers(1, members + 2), max_size=3, unique=True)))
    percent = Decimal(draw(st.integers(0, 2_000))) / 100 if editors else Decimal(0)
    rules = Rules(Decimal(draw(st.integers(0, 100))) / 100, draw(st.integers(0, 4)),
                  (CategoricalCredit("editors", percent, editors),) if editors else ())
    pool = draw(st.integers(1, 10**12))
    return pool, items, Lineage(authors, sources), rules


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_amounts_add_up_to_the_pool_and_are_never_negative(scenario: tuple) -> None:
    pool, items, lineage, rules = scenario
    shares = split(pool, items, lineage, rules)
    assert sum(share.amount for share in shares) == pool
    assert all(share.amount >= 0 for share in shares)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_each_amount_is_within_one_minor_unit_of_the_exact_share(scenario: tuple) -> None:
    pool, items, lineage, rules = scenario
    exact = reference(pool, items, lineage, rules)
    shares = split(pool, items, lineage, rules)
    assert {share.member_id: share.exact for share in shares} == exact
    for share in shares:
        assert abs(share.amount - share.exact) < 1
        assert sum(part.exact for part in share.parts) == share.exact


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_the_order_of_items_and_sources_does_not_matter(scenario: tuple, rng: random.Random) -> None:
    pool, items, lineage, rules = scenario
    shuffled_items = list(items)
    rng.shuffle(shuffled_items)
    shuffled_sources = {}
    for record, sources in lineage.sources.items():
        listed = list(sources)
        rng.shuffle(listed)
        shuffled_sources[record] = listed
    shuffled = Lineage(dict(reversed(list(lineage.authors.items()))), shuffled_sources)
    assert split(pool, shuffled_items, shuffled, rules) == split(pool, items, lineage, rules)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_what_is_shown_adds_up_parts_to_their_line_and_shares_to_one(scenario: tuple) -> None:
    pool, items, lineage, rules = scenario
    shares = split(pool, items, lineage, rules)
    assert sum(share.share_millionths for share in shares) == 1_000_000
    for share in shares:
        assert sum(part.amount for part in share.parts) == share.amount
        assert all(part.amount >= 0 and abs(part.amount - part.exact) < 1 for part in share.parts)
        assert abs(share.share_millionths - share.exact * 1_000_000 / pool) < 1


def test_a_breakdown_of_thirds_adds_up_to_its_line() -> None:
    # Ann wrote three equal items of a 1.00 pool: 33.33… cents each, 100 cents in all.
    lineage = Lineage({1: ANN, 2: ANN, 3: ANN}, {})
    [line] = split(100, [CreditItem(i, i, Decimal(1)) for i in (1, 2, 3)], lineage, Rules())
    assert line.amount == 100 and line.share_millionths == 1_000_000
    assert [part.amount for part in line.parts] == [34, 33, 33]
    # Three members of equal thirds: the shares take the odd millionth by member id.
    lineage = Lineage({1: 7, 2: 5, 3: 9}, {})
    shares = split(100, [CreditItem(i, i, Decimal(1)) for i in (1, 2, 3)], lineage, Rules())
    assert {s.member_id: s.share_millionths for s in shares} == {5: 333_334, 7: 333_333,
                                                                 9: 333_333}
