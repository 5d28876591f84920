"""Builds the EPUB 3 file with ebooklib (pure: a snapshot in, bytes out)."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from ebooklib import epub

from hub import BookPreview, CompilationSnapshot, ItemSnapshot, MediaFileSnapshot, PreviewChapter

_WORD = re.compile(r"\b[\w'’-]+\b")
# Core media types of EPUB 3: other images are left out of the book.
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}
STYLE = """body { font-family: serif; line-height: 1.5; margin: 1em; }
h1 { text-align: center; } .credit { font-size: 0.85em; font-style: italic; margin-top: 2em; }
.title-page { text-align: center; margin-top: 30%; } figure { text-align: center; margin: 1em 0; }
img { max-width: 100%; }"""


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return "\n".join(f"<p>{'<br/>'.join(_e(line) for line in block.splitlines())}</p>"
                     for block in blocks)


def credit_line(item: ItemSnapshot) -> str:
    """"By Ada Okafor, from "Tides" by Jonah Reyes and "Salt" by Maya Costa." """
    sources = [person for person in item.contributors if person.depth > 0]
    line = f"By {item.author_display_name} (@{item.author_handle})"
    if sources:
        line += ", from " + ", ".join(
            f"“{person.record_title}” by {person.display_name}" for person in sources)
    return line + f". {item.license.replace('_', '-').replace('-4-0', ' 4.0')}."


def _images(book: epub.EpubBook, item: ItemSnapshot) -> str:
    figures = []
    for index, media in enumerate(item.media):
        extension = IMAGE_TYPES.get(media.mime_type)
        if extension is None or media.data is None:
            continue
        name = f"images/item{item.position}-{index}.{extension}"
        book.add_item(epub.EpubImage(uid=f"img{item.position}-{index}", file_name=name,
                                     media_type=media.mime_type, content=media.data))
        figures.append(f'<figure><img src="{name}" alt="{_e(item.title)}"/></figure>')
    return "\n".join(figures)


def chapter_body(item: ItemSnapshot, figures: str) -> str:
    """A piece's page: its title, its pictures (``figures``), its text and its credit line."""
    text = item.details.get("text") or item.description or ""
    return (f"<h1>{_e(item.title)}</h1>\n{figures}\n{_paragraphs(text)}\n"
            f'<p class="credit">{_e(credit_line(item))}</p>')


def _chapter(book: epub.EpubBook, item: ItemSnapshot, language: str) -> epub.EpubHtml:
    chapter = epub.EpubHtml(title=item.title, file_name=f"chapter-{item.position:03d}.xhtml",
                            lang=language)
    chapter.content = chapter_body(item, _images(book, item))
    return chapter


def title_page_body(compilation: CompilationSnapshot, settings: dict[str, Any]) -> str:
    parts = [f"<h1>{_e(compilation.title)}</h1>"]
    if settings.get("subtitle"):
        parts.append(f"<h2>{_e(settings['subtitle'])}</h2>")
    if settings.get("author_line"):
        parts.append(f"<p>{_e(settings['author_line'])}</p>")
    if compilation.editors:
        parts.append(f"<p>Edited by {_e(', '.join(compilation.editors))}</p>")
    return f'<div class="title-page">{"".join(parts)}</div>'


def _title_page(compilation: CompilationSnapshot, settings: dict[str, Any]) -> epub.EpubHtml:
    page = epub.EpubHtml(title="Title page", file_name="title.xhtml", lang=settings["language"])
    page.content = title_page_body(compilation, settings)
    return page


def credits_page_body(compilation: CompilationSnapshot) -> str:
    """The credits page: the editors, everyone credited, and each piece's contributors."""
    rows = []
    for item in compilation.items:
        people = ", ".join(
            f"{_e(p.display_name)} (@{_e(p.handle)})" + (
                f" — source “{_e(p.record_title)}”, depth {p.depth}" if p.depth else "")
            for p in item.contributors)
        rows.append(f"<li><b>{_e(item.title)}</b>: {people}</li>")
    everyone = ", ".join(f"{_e(p.display_name)} (@{_e(p.handle)})"
                         for p in compilation.contributors())
    editors = (f"<p>Edited by {_e(', '.join(compilation.editors))}.</p>"
               if compilation.editors else "")
    return (f"<h1>Credits</h1>{editors}<p>Everyone whose work is in this book, the "
            f"sources of remixes included: {everyone}.</p><ul>{''.join(rows)}</ul>")


def _credits_page(compilation: CompilationSnapshot, language: str) -> epub.EpubHtml:
    page = epub.EpubHtml(title="Credits", file_name="credits.xhtml", lang=language)
    page.content = credits_page_body(compilation)
    return page


def preview(compilation: CompilationSnapshot, settings: dict[str, Any]) -> BookPreview:
    """The book's pages as the studio shows them before publishing: the same title page,
    chapters (pictures from the hub's media URLs instead of the EPUB's copies) and credits
    page as :func:`build_epub` writes."""
    chapters = [PreviewChapter("Title page", title_page_body(compilation, settings))]
    for item in compilation.items:
        figures = "\n".join(f'<figure><img src="{_e(m.url)}" alt="{_e(item.title)}"/></figure>'
                            for m in item.media if m.mime_type in IMAGE_TYPES and m.url)
        chapters.append(PreviewChapter(item.title, chapter_body(item, figures),
                                       item.contributors, item.id))
    chapters.append(PreviewChapter("Credits", credits_page_body(compilation)))
    return BookPreview(tuple(chapters))


def cover_image(compilation: CompilationSnapshot, record_id: str) -> MediaFileSnapshot | None:
    """The cover's file: the first PNG, JPEG or GIF of the public image item of
    ``record_id``; None when the book has no such item. (The snapshot holds the items' files
    only, so the cover is one of the book's image items.)"""
    for item in compilation.items:
        if item.record_id == record_id and item.media_type == "image" and item.available:
            return next((m for m in item.media if m.mime_type in IMAGE_TYPES), None)
    return None


def build_epub(compilation: CompilationSnapshot, settings: dict[str, Any]) -> bytes:
    language = settings["language"]
    book = epub.EpubBook()
    book.set_identifier(f"urn:recordhub:{compilation.id}:v{compilation.version}")
    book.set_title(compilation.title)
    book.set_language(language)
    # Each creator needs its own id (ebooklib's default id repeats, which EPUBCheck refuses).
    creators = [(editor, "edt") for editor in compilation.editors]
    if settings.get("author_line"):
        creators.insert(0, (settings["author_line"], "aut"))
    for index, (name, role) in enumerate(creators):
        book.add_author(name, role=role, uid=f"creator{index}")
    cover = cover_image(compilation, str(settings.get("cover_record") or ""))
    if cover is not None and cover.data is not None:
        # The image only (its manifest item is the cover-image, with the OPF's cover meta for
        # EPUB 2 readers); the title page stays the first page.
        book.set_cover(f"images/cover.{IMAGE_TYPES[cover.mime_type]}", cover.data,
                       create_page=False)
    style = epub.EpubItem(uid="style", file_name="style.css", media_type="text/css", content=STYLE)
    book.add_item(style)
    title = _title_page(compilation, settings)
    chapters = [_chapter(book, item, language) for item in compilation.items]
    credits = _credits_page(compilation, language)
    pages = [title, *chapters, credits]
    for page in pages:
        page.add_item(style)
        book.add_item(page)
    book.toc = [epub.Link(page.file_name, page.title, page.file_name.split(".")[0])
                for page in pages]
    book.add_item(epub.EpubNcx())  # for EPUB 2 reading systems; the spine points at it
    book.add_item(epub.EpubNav())
    book.spine = [title, "nav", *chapters, credits]
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()
