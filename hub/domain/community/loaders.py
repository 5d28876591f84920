"""DataLoaders of hearts and follows: one statement per batch of records or members, rendering
the declarations of rules.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.core.loaders import RowsByIdLoader
from hub.domain.community import rules


class HeartsByRecordIdLoader(RowsByIdLoader[Any]):
    """Per record: ``heart_count`` and ``viewer_hearted`` (for this request's viewer)."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        count = rules.HEART_COUNT.format(t="r")
        hearted = rules.VIEWER_HEARTED.sql("r", "$2::bigint")
        return await self.db.fetch(
            f"select r.id, {count} as heart_count, {hearted} as viewer_hearted "
            "from unnest($1::bigint[]) as r(id)", ids, self.viewer)


class FollowsByMemberIdLoader(RowsByIdLoader[Any]):
    """Per member: ``follower_count``, ``following_count`` and ``viewer_follows``."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        follows = rules.VIEWER_FOLLOWS_MEMBER.sql("m", "$2::bigint")
        return await self.db.fetch(
            f"select m.id, {rules.FOLLOWER_COUNT.format(t='m')} as follower_count, "
            f"{rules.FOLLOWING_COUNT.format(t='m')} as following_count, "
            f"{follows} as viewer_follows from unnest($1::bigint[]) as m(id)", ids, self.viewer)


class FollowsByCollaborationIdLoader(RowsByIdLoader[Any]):
    """Per collaboration: ``follower_count`` and ``viewer_follows``."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        follows = rules.VIEWER_FOLLOWS_COLLABORATION.sql("c", "$2::bigint")
        return await self.db.fetch(
            f"select c.id, {rules.COLLABORATION_FOLLOWER_COUNT.format(t='c')} as follower_count, "
            f"{follows} as viewer_follows from unnest($1::bigint[]) as c(id)", ids, self.viewer)
