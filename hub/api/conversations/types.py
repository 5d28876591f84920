"""GraphQL types of conversations: ``Comment`` and its threads, and the ``comments`` field the
subjects (Record, Collaboration, Lesson, Compilation) declare. Who sees a comment, and which of
its fields, is decided in hub/domain/conversations/rules.py; rows arrive here decided."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.compiled.derive import twin
from hub.api.conversations import twins
from hub.api.federation import priced_connection, sized_list
from hub.api.nodes import node_resolver
from hub.api.relay import After, Before, Connection, First, Last, Node, connection_from_rows
from hub.core.loaders import load_all
from hub.core.pages import CountKey, PageKey
from hub.core.relay import PageArgs, decode_id, encode_id
from hub.core.rules import Listing, Table
from hub.domain.conversations import rules
from hub.domain.conversations.loaders import CommentByIdLoader
from hub.domain.conversations.text import MAX_MENTIONS
from hub.domain.members.loaders import MemberByIdLoader

if TYPE_CHECKING:
    from hub.api.context import Context
    from hub.api.members.types import Member


@strawberry.enum(description="Orders of a subject's comments.")
class CommentOrder(enum.Enum):
    OLDEST = strawberry.enum_value("OLDEST", description="Earliest first: a conversation read "
                                   "down.")
    NEWEST = strawberry.enum_value("NEWEST", description="Most recent first.")
    MEDIA_ORDER = strawberry.enum_value(
        "MEDIA_ORDER", description="Along the media: comments on a moment of a music or film "
        "record by `atSeconds`, on a passage of a text by `quoteOffset`, then the unanchored "
        "ones; ties earliest first.")


@strawberry.federation.type(keys=["id"], description="A member's comment on a record, a "
                            "collaboration, a lesson or a compilation (there, an editorial note "
                            "for the team), or a reply to one. Visible to whoever may see its "
                            "subject. A deleted comment stays as a tombstone (`deleted`, no "
                            "content) so its thread keeps its shape; a hidden one is a tombstone "
                            "too, except to its author and the moderators.")
class Comment(Node):
    table: ClassVar[Table] = rules.COMMENTS  # rows of rules.COLUMNS, decided for the viewer

    id: strawberry.ID = strawberry.field(
        description="The comment's opaque global ID (also accepted by `node(id:)`).")
    body: str | None = strawberry.field(
        description="The Markdown the author wrote; null when deleted, or hidden and you are "
        "neither its author nor a moderator.")
    body_html: str | None = strawberry.field(
        description="`body` rendered to safe HTML (no raw HTML; links rel=\"nofollow ugc\"); "
        "null when `body` is.")
    at_seconds: float | None = strawberry.field(
        description="The moment of a music or film record the comment is about, in seconds "
        "from the start; null when it is about no moment.")
    quote: str | None = strawberry.field(
        description="The passage of a writing record the comment is about; null when it is "
        "about no passage, or when `body` is null.")
    quote_offset: int | None = strawberry.field(
        description="Where `quote` starts in the record's text (characters from 0); null when "
        "it is about no passage, or once deleted.")
    deleted: bool = strawberry.field(description="True once its author deleted it (a "
                                     "tombstone).")
    hidden: bool = strawberry.field(description="True while hidden by a moderator or the "
                                    "record's author.")
    edited: bool = strawberry.field(description="True when its body was changed after posting.")
    edited_at: dt.datetime | None = strawberry.field(description="When its body last changed; "
                                                     "null when never edited.")
    created_at: dt.datetime = strawberry.field(description="When it was posted.")
    previous_bodies: list[str] | None = strawberry.field(
        description="Every earlier body, oldest first (a deleted comment's last body included); "
        "null unless you are its author or a moderator.")
    pk: strawberry.Private[int]
    author_pk: strawberry.Private[int]
    parent_pk: strawberry.Private[int | None]
    mention_pks: strawberry.Private[list[int]]

    @strawberry.field(description="The member who wrote it (kept on tombstones).",
                      metadata=twin(twins.AUTHOR))
    async def author(
        self, info: Info,
    ) -> Annotated[Member, strawberry.lazy("hub.api.members.types")]:
        from hub.api.members.types import Member

        return Member.from_row(await info.context.loader(MemberByIdLoader).load(self.author_pk))

    @strawberry.field(description=f"The members its body mentions (@handle), in order of "
                      f"first mention, at most {MAX_MENTIONS}; empty when `body` is null.",
                      metadata=twin(twins.MENTIONS), directives=sized_list(MAX_MENTIONS))
    async def mentions(
        self, info: Info,
    ) -> list[Annotated[Member, strawberry.lazy("hub.api.members.types")]]:
        from hub.api.members.types import Member

        rows = await load_all(info.context.loader(MemberByIdLoader), self.mention_pks)
        return [Member.from_row(row) for row in rows if row is not None]

    @strawberry.field(description="The replies, oldest first; always empty on a reply (threads "
                      "are one level deep: a reply to a reply joins its root's thread).",
                      metadata=twin(twins.REPLIES), directives=priced_connection())
    async def replies(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[Comment]:
        return await comment_page(info.context, rules.REPLIES, self.pk, CommentOrder.OLDEST,
                                  first, after, last, before)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID,
                                **_representation: Any) -> Comment | None:
        return await load_comment(info.context, decode_id(id, "Comment"))

    @classmethod
    def from_row(cls, row: Any) -> Comment:
        return cls(
            id=strawberry.ID(encode_id("Comment", row["id"])), pk=row["id"],
            author_pk=row["author_id"], parent_pk=row["parent_id"],
            mention_pks=list(row["mention_ids"]), body=row["body"], body_html=row["body_html"],
            at_seconds=row["at_seconds"], quote=row["quote"], quote_offset=row["quote_offset"],
            deleted=row["deleted"], hidden=row["hidden"], edited=row["edited"],
            edited_at=row["edited_at"], created_at=row["created_at"],
            previous_bodies=list(row["previous_bodies"])
            if row["previous_bodies"] is not None else None,
        )


@node_resolver("Comment")
async def load_comment(context: Context, pk: int) -> Comment | None:
    row = await context.loader(CommentByIdLoader).load(pk)
    return Comment.from_row(row) if row is not None else None


async def comment_page(
    context: Context, listing: Listing, parent: int, order_by: CommentOrder,
    first: int | None, after: str | None, last: int | None, before: str | None,
) -> Connection[Comment]:
    page = PageArgs.of(first, after, last, before)
    rows = await context.pages(listing).load(PageKey(parent, order_by.name, page))
    return connection_from_rows(rows, page, listing.orderings[order_by.name], Comment.from_row,
                                count=lambda: context.counts(listing).load(CountKey(parent)))


def comments_field(listing: Listing, twin_spec: Any, subject: str) -> Any:
    """The ``comments`` field of a subject type (its object has ``pk``)."""

    async def resolve(
        root: Any, info: Info,
        order_by: Annotated[CommentOrder, strawberry.argument(
            description="The order; OLDEST when omitted.")] = CommentOrder.OLDEST,
        first: First = None, after: After = None, last: Last = None, before: Before = None,
    ) -> Connection[Comment]:
        return await comment_page(info.context, listing, root.pk, order_by, first, after, last,
                                  before)

    return strawberry.field(
        resolver=resolve, metadata=twin(twin_spec), directives=priced_connection(),
        description=f"The comments on this {subject} that start a thread (replies are under "
        "each one's `replies`), OLDEST first by default; "
        + ("editorial notes, for its team (its editors and the admins) only: empty for "
           "anyone else."
           if subject == "compilation" else "visible to whoever may see it."))
