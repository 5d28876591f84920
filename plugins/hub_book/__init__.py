"""hub_book: publishes a compilation as an EPUB 3 book.

A first-party publishing-target plugin that uses only the public hooks, like a third-party
one. The book has a title page, a table of contents, one chapter per writing record (and one
per image record, with its pictures), a credit line under each piece, and a credits page
naming every contributor, the authors of lineage sources included. The files pass W3C
EPUBCheck (tests/compilations/test_publishing.py). The preview (``hub_preview_publication``) is the same
pages as HTML, for the studio to show before publishing.
"""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

import strawberry

from hub import (
    Artifact,
    BookPreview,
    CompilationSnapshot,
    Problem,
    PublishingTarget,
    SampleCompilation,
    SampleRecord,
    hookimpl,
)

from .epub import build_epub, cover_image, preview, word_count

KEY = "book"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@strawberry.type(description="Settings of a book (EPUB 3).")
class BookSettings:
    subtitle: str | None = strawberry.field(default=None, description="Shown under the title; null: no "
                                          "subtitle.")
    author_line: str | None = strawberry.field(
        default=None, description="E.g. `Stories by the recordhub community`; null: no byline."
    )
    language: str = strawberry.field(default="en", description="BCP 47 tag, e.g. `en`, `pt-BR`.")
    max_words: int | None = strawberry.field(
        default=None, description="The book is too long above this many words; null: no limit."
    )
    cover_record: strawberry.ID | None = strawberry.field(
        default=None, description="The image record whose picture is the book's cover: one of "
        "the book's image items, with a PNG, JPEG or GIF file; null: no cover."
    )


@strawberry.input(description="Settings of a book (EPUB 3).")
class BookSettingsInput:
    subtitle: str | None = strawberry.field(default=strawberry.UNSET, description="Subtitle; "
                                                   "omitted or null: none.")
    author_line: str | None = strawberry.field(default=strawberry.UNSET, description="Byline; "
                                                      "omitted or null: none.")
    language: str | None = strawberry.field(default=strawberry.UNSET, description="BCP 47 tag; "
                                                   "omitted or null: `en`.")
    max_words: int | None = strawberry.field(default=strawberry.UNSET, description="Word "
                                                 "limit; omitted or null: no limit.")
    cover_record: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The global ID of the cover's image record (one "
        "of the book's image items); omitted or null: no cover.")


@hookimpl
def hub_publishing_targets() -> list[PublishingTarget]:
    return [PublishingTarget(
        key=KEY, label="Book",
        description="An EPUB 3 book: title page, contents, a chapter per piece, credits.",
        settings_type=BookSettings, settings_input_type=BookSettingsInput,
        accepted_media_types=("writing", "image"), credit_roles=("editor", "author", "source"),
    )]


def _settings(compilation: CompilationSnapshot) -> dict[str, Any]:
    return {"language": "en", **{k: v for k, v in compilation.settings.items() if v is not None}}


@hookimpl
def hub_compilation_problems(compilation: CompilationSnapshot) -> list[Problem]:
    settings = _settings(compilation)
    problems = []
    if not _LANGUAGE.match(str(settings["language"])):
        problems.append(Problem("INVALID_SETTINGS", f"{settings['language']!r} is not a language "
                                "tag such as 'en' or 'pt-BR'."))
    writing = [item for item in compilation.items if item.media_type == "writing"]
    if compilation.items and not writing:
        problems.append(Problem("NO_TEXT", "A book needs at least one writing record."))
    for item in writing:
        if not (item.details.get("text") or "").strip():
            problems.append(Problem("EMPTY_TEXT", f"{item.title!r} has no text.", item.id))
    cover = settings.get("cover_record")
    if cover is not None and cover_image(compilation, str(cover)) is None:
        problems.append(Problem("INVALID_SETTINGS", f"coverRecord: {cover!r} is not one of the "
                                "book's image items with a PNG, JPEG or GIF file."))
    words = sum(word_count(item.details.get("text") or "") for item in writing)
    limit = settings.get("max_words")
    if limit is not None and words > limit:
        problems.append(Problem("TOO_LONG", f"The book has {words:,} words; the limit is "
                                f"{limit:,}."))
    return problems


@hookimpl
async def hub_render_compilation(compilation: CompilationSnapshot) -> list[Artifact]:
    data = await asyncio.to_thread(build_epub, compilation, _settings(compilation))
    return [Artifact(name="book.epub", mime_type="application/epub+zip", data=data)]


@hookimpl
def hub_preview_publication(compilation: CompilationSnapshot) -> BookPreview:
    return preview(compilation, _settings(compilation))


@hookimpl
def hub_sample_compilation(records: list[SampleRecord], seed: int) -> SampleCompilation | None:
    """A demo book: five to twelve stories of those offered (the best first), and up to
    three pictures."""
    rng = random.Random(seed)
    stories = [r.id for r in records if r.media_type == "writing" and r.details.get("text")]
    pictures = [r.id for r in records if r.media_type == "image"]
    if not stories:
        return None
    return SampleCompilation(
        items=(*stories[:rng.randint(5, 12)], *pictures[:rng.randint(0, 3)]),
        settings={"subtitle": "Short pieces from the community", "language": "en",
                  "author_line": "The recordhub community"},
    )
