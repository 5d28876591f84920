"""SQL twins of the members slice's computed fields, declared beside them (types.py,
queries.py); the public profile's columns are derived (hub/api/compiled/derive.py). The
private fields (``subscription``, ``enrollments``, ``payouts``) keep their resolvers, so an
operation that selects them is answered by the executor.
"""

from __future__ import annotations

from typing import Any

from hub.api.compiled.derive import Reference, RuleSql, ThisRow
from hub.api.compiled.listing import ListingTwin
from hub.api.compiled.plan import Bound, Builder, NotCompilable, Selection, Spec
from hub.core.rules import Condition, Listing
from hub.domain.collaborations import rules as collaborations
from hub.domain.community import rules as community
from hub.domain.conversations import rules as conversations
from hub.domain.members import rules

# Far beyond any handle (auth.HANDLE_PATTERN): a longer lookup is null without a query.
LONGEST_HANDLE = 100


class MemberByHandle(Spec):
    """``Query.member(handle)``, case-insensitive."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        handle = arguments["handle"]
        if len(handle) > LONGEST_HANDLE:
            raise NotCompilable("handle too long")
        return Bound(values=(handle,))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        m = b.alias("m")
        return (f"(select {b.object('Member', selection.children, m)} from members {m} "
                f"where lower({m}.handle) = lower({b.param(selection, 0, 'text')}))")


class Viewer(Spec):
    """``Query.viewer``: the signed-in member, null when anonymous."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        m = b.alias("m")
        return (f"(select {b.object('Member', selection.children, m)} from members {m} "
                f"where {m}.id = {b.VIEWER})")


DIRECTORY = ListingTwin(rules.DIRECTORY)

# Follows and activity (hub/domain/community/rules.py).
FOLLOWERS = ListingTwin(community.FOLLOWERS)
FOLLOWING = ListingTwin(community.FOLLOWING)
SUSPENDED = RuleSql(conversations.MEMBER_SUSPENDED)
FOLLOWER_COUNT = RuleSql(community.FOLLOWER_COUNT)
FOLLOWING_COUNT = RuleSql(community.FOLLOWING_COUNT)
VIEWER_FOLLOWS = RuleSql(community.VIEWER_FOLLOWS_MEMBER.template)


class OwnListing(ListingTwin):
    """A member's connection that is null unless ``guard`` holds of the member for the viewer
    (``Member.activity``: the member themself)."""

    def __init__(self, listing: Listing, guard: Condition) -> None:
        super().__init__(listing)
        self.guard = guard

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return (f"(case when {self.guard.sql(row, b.VIEWER)} "
                f"then {super().sql(selection, row, b)} end)")


ACTIVITY = OwnListing(community.ACTIVITY, community.OWN_ACTIVITY)


class ActivityRecord(Spec):
    """``Activity.record``: the row's record, null for a collaboration's call."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return (f"(case when {row}.collaboration_id is null "
                f"then {ThisRow().sql(selection, row, b)} end)")


ACTIVITY_RECORD = ActivityRecord()
# Activity only lists calls of collaborations past their draft: visible to everyone.
ACTIVITY_COLLABORATION = Reference(collaborations.COLLABORATIONS, "collaboration_id")
