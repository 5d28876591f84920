"""Decimal numbers as the API shows them (the ``Decimal`` scalar of hub/api/scalars.py)."""

from __future__ import annotations

from decimal import Decimal


def plain(value: Decimal | int) -> str:
    """``value`` in plain notation, keeping its digits (``Decimal("1E+1")`` → ``"10"``)."""
    number = Decimal(value)
    if number.is_zero():
        number = abs(number)  # no "-0"
    return format(number, "f")
