"""SQL twins of the conversations slice's computed fields, each declared beside its field in
types.py (``metadata=twin(…)``); the plain fields' twins are derived from rules.COMMENTS, over
rows of rules.COLUMNS (which decide, for the viewer, what a tombstone shows). The lists are
the listings of hub/domain/conversations/rules.py, rendered as the executor renders them."""

from __future__ import annotations

from hub.api.compiled.derive import Reference
from hub.api.compiled.listing import ListingTwin
from hub.api.compiled.plan import Builder, Selection, Spec
from hub.domain.conversations import rules
from hub.domain.members.rules import MEMBERS


class Mentions(Spec):
    """``Comment.mentions``: the members of the row's ``mention_ids``, in their order (the row
    already holds none when its body is not shown)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        m, o = b.alias("m"), b.alias("o")
        member = b.object("Member", selection.children, m)
        return (f"(select coalesce(json_agg({member} order by {o}.n), '[]'::json) "
                f"from unnest({row}.mention_ids) with ordinality {o}(id, n) "
                f"join members {m} on {m}.id = {o}.id)")


class CommentOf(Spec):
    """A comment the parent row's ``column`` names, read as rules.COLUMNS reads it for the
    viewer; null when the viewer may not see it (rules.VISIBLE)."""

    def __init__(self, column: str) -> None:
        self.column = column

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        x, c = b.alias("x"), b.alias("c")
        columns = rules.COLUMNS.format(t=x, viewer=b.VIEWER)
        return (f"(select {b.object('Comment', selection.children, c)} from (select {columns} "
                f"from comments {x} where {x}.id = {row}.{self.column} "
                f"and {rules.VISIBLE.sql(x, b.VIEWER)}) {c})")


AUTHOR = Reference(MEMBERS, "author_id")
MENTIONS = Mentions()
REPLIES = ListingTwin(rules.REPLIES)
OF_RECORD = ListingTwin(rules.OF_RECORD)
OF_COLLABORATION = ListingTwin(rules.OF_COLLABORATION)
OF_LESSON = ListingTwin(rules.OF_LESSON)
OF_COMPILATION = ListingTwin(rules.OF_COMPILATION)
# The moderators' lists (hub/api/conversations/moderation.py).
COMMENT = CommentOf("comment_id")
REPORTER = Reference(MEMBERS, "reporter_id")
ACTOR = Reference(MEMBERS, "actor_id")
LOGGED_COMMENT = CommentOf("comment_id")
LOGGED_MEMBER = Reference(MEMBERS, "member_id")
