"""DataLoaders of the members slice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.core.loaders import RowsByIdLoader
from hub.domain.members import store


class MemberByIdLoader(RowsByIdLoader[Any]):
    """Member rows by id, one statement per batch."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.members_by_ids(self.db, ids)
