"""``Compilation.preview``: what the compilation would publish as, from its target plugin
(``hub_preview_publication``, hub/domain/compilations/preview.py), for its editors team and
ADMINs only — whatever its status, nobody else gets a preview, so a draft's content never
leaves its team (and a published one's readers download the real files instead).

Two shapes, one per kind of target: a ``BookPreview`` (pages of sanitized HTML with their
credits) and a ``TimelinePreview`` (clips, markers, runtime and target). A new kind of target
maps onto one of them; the union can grow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from hub.api.federation import sized_list
from hub.domain.compilations import loaders
from hub.domain.compilations.preview import preview_of
from hub.domain.compilations.service import MAX_ITEMS
from hub.plugin_api import BookPreview as BookParts
from hub.plugin_api import Contributor
from hub.plugin_api import TimelinePreview as TimelineParts

if TYPE_CHECKING:
    from hub.api.context import Context

# The price of a page's credits (@listSize): no cap — a piece credits its author and every
# author up its lineage — so an estimate of a remix's usual few, generous.
CREDITS_PER_PAGE = 20


@strawberry.type(description="A member credited on a page of a book preview.")
class PreviewCredit:
    handle: str = strawberry.field(description="The member's handle.")
    display_name: str = strawberry.field(description="The member's display name.")
    depth: int = strawberry.field(description="0: the piece's author; 1: the author of a direct "
                                  "source; 2: of a source's source…")
    record_title: str = strawberry.field(description="The title of the record that earns the "
                                         "credit; `[removed]` when that record is not public.")

    @classmethod
    def of(cls, person: Contributor) -> PreviewCredit:
        return cls(handle=person.handle, display_name=person.display_name, depth=person.depth,
                   record_title=person.record_title)


@strawberry.type(description="A page of a book preview: the title page, a piece, the credits "
                 "page.")
class PreviewChapter:
    title: str = strawberry.field(description="The page's title (a piece's title, `Credits`…).")
    html: str = strawberry.field(description="The page as an HTML fragment, sanitized by the hub: "
                                 "text markup only (paragraphs, headings, lists, emphasis, "
                                 "figures of the hub's own `/media/` images); no script, style, "
                                 "attribute handler or link.")
    credits: list[PreviewCredit] = strawberry.field(description="Who the piece credits, its "
                                                    "author first, then its lineage's authors "
                                                    "by depth; empty for the other pages.",
                                                    directives=sized_list(CREDITS_PER_PAGE))
    item_id: strawberry.ID | None = strawberry.field(description="The compilation item shown; "
                                                     "null for the title and credits pages.")


@strawberry.type(description="A preview of a paged target (the book): its pages in reading "
                 "order.")
class BookPreview:
    chapters: list[PreviewChapter] = strawberry.field(description="Title page, one page per "
                                                      "piece, credits page.",
                                                      directives=sized_list(MAX_ITEMS + 2))


@strawberry.type(description="A clip of a timeline preview.")
class TimelineClip:
    title: str = strawberry.field(description="The record's title.")
    track: str = strawberry.field(description="The track it is on: `Video`, `Music`…")
    start_seconds: float = strawberry.field(description="Where it starts on its track.")
    duration_seconds: float = strawberry.field(description="How long it runs.")
    item_id: strawberry.ID | None = strawberry.field(description="The compilation item; null "
                                                     "when the plugin names none.")
    media_url: str | None = strawberry.field(description="The media file an editing program "
                                             "loads (the hub's public download URL); null when "
                                             "the record has no file.")


@strawberry.type(description="A named point of a timeline preview (a script's place in the "
                 "cut).")
class TimelineMarker:
    title: str = strawberry.field(description="What is marked (the script's title).")
    at_seconds: float = strawberry.field(description="Where, from the start of the cut.")
    item_id: strawberry.ID | None = strawberry.field(description="The compilation item; null "
                                                     "when the plugin names none.")


@strawberry.type(description="A preview of a timeline target (the TV cut): clips of every "
                 "track, markers, runtime and target.")
class TimelinePreview:
    clips: list[TimelineClip] = strawberry.field(description="Every clip, track by track, in "
                                                 "order.", directives=sized_list(MAX_ITEMS))
    markers: list[TimelineMarker] = strawberry.field(description="Markers, in order.",
                                                     directives=sized_list(MAX_ITEMS))
    total_seconds: float = strawberry.field(description="The cut's runtime.")
    target_seconds: float | None = strawberry.field(description="The runtime it must hit; null "
                                                    "when the settings set none.")
    tolerance_seconds: float | None = strawberry.field(description="How far off the target it "
                                                       "may run; null without a target.")


CompilationPreview = Annotated[BookPreview | TimelinePreview, strawberry.union(
    "CompilationPreview", description="A preview of what a compilation publishes as, by kind "
    "of target.")]


def _id(value: str | None) -> strawberry.ID | None:
    return strawberry.ID(value) if value else None


def to_graphql(parts: BookParts | TimelineParts) -> BookPreview | TimelinePreview:
    if isinstance(parts, BookParts):
        return BookPreview(chapters=[PreviewChapter(
            title=c.title, html=c.html, credits=[PreviewCredit.of(p) for p in c.credits],
            item_id=_id(c.item_id)) for c in parts.chapters])
    return TimelinePreview(
        clips=[TimelineClip(title=c.title, track=c.track, start_seconds=c.start_seconds,
                            duration_seconds=c.duration_seconds, item_id=_id(c.item_id),
                            media_url=c.media_url) for c in parts.clips],
        markers=[TimelineMarker(title=m.title, at_seconds=m.at_seconds, item_id=_id(m.item_id))
                 for m in parts.markers],
        total_seconds=parts.total_seconds, target_seconds=parts.target_seconds,
        tolerance_seconds=parts.tolerance_seconds,
    )


async def on_team(context: Context, compilation_pk: int) -> bool:
    """Whether the viewer is on the compilation's editors team, or an ADMIN."""
    if context.is_admin:
        return True
    if context.viewer_id is None:
        return False
    rows = await context.loader(loaders.EditorsByCompilationIdLoader).load(compilation_pk)
    return any(row["member_id"] == context.viewer_id for row in rows)


async def resolve_preview(context: Context, row: Any) -> BookPreview | TimelinePreview | None:
    if not await on_team(context, row["id"]):
        return None
    origin = str(context.request.url.origin()) if context.request is not None else ""
    parts = await preview_of(context, context.db, row, origin)
    return to_graphql(parts) if parts is not None else None
