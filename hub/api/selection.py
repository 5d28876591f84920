"""What an operation selects below a field, so a list resolver can load relations in bulk.

graphql-core spends several times longer on an async field than on a plain attribute, and a
DataLoader adds a future and a loop callback per object. When a list resolver sees that its
items' relation is selected (e.g. ``records { nodes { author { handle } } }``), it loads that
relation for the whole page in one statement and the relation field answers synchronously.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField


def _children(selections: Iterable[Any], name: str) -> list[Any]:
    found = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                found.append(selection)
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            found.extend(_children(selection.selections, name))
    return found


def selects(info: Info, *paths: Sequence[str]) -> bool:
    """Whether the current field's selection reaches any of ``paths`` (GraphQL names),
    through fragments too, e.g. ``selects(info, ("nodes", "author"), ("edges", "node",
    "author"))``."""
    for path in paths:
        level: list[Any] = list(info.selected_fields)
        for name in path:
            level = [child for field in level for child in _children(field.selections, name)]
            if not level:
                break
        else:
            return True
    return False


CONNECTION_ITEM_PATHS: tuple[tuple[str, ...], ...] = (("nodes",), ("edges", "node"))


def selects_in_items(info: Info, field_name: str) -> bool:
    """Whether a connection's items select ``field_name``."""
    return selects(info, *((*path, field_name) for path in CONNECTION_ITEM_PATHS))
