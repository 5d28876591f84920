"""DataLoaders of conversations (a subject's comments are paged by hub/core/pages.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.core.loaders import RowsByIdLoader
from hub.domain.conversations import store


class CommentByIdLoader(RowsByIdLoader[Any]):
    """Comments by id that the viewer may see (rules.VISIBLE), one statement per batch."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.comments_by_ids(self.db, ids, self.viewer)
