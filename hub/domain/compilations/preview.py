"""Previews: what a compilation would publish as, from its target plugin
(``hub_preview_publication``), for its editors team only.

The plugin sees a snapshot of the *public* items only (an item whose record was unpublished or
deleted is left out: a preview never shows hidden content, not even to the team), with each
media file's public download URL. A book's pages come back as HTML fragments that the hub
sanitizes here, whatever plugin wrote them: an allow-list of text markup, re-serialized from
the parsed tags, so no script, style, event handler, link or foreign image survives (the
studio shows them under a policy that forbids inline scripts too — two locks, not one).
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

from hub.core.db import Executor
from hub.core.services import Services
from hub.domain.compilations.snapshot import take_snapshot
from hub.plugin_api import BookPreview, PreviewChapter, TimelinePreview

# Elements kept (their attributes are dropped, but for the ones listed in _ATTRIBUTES).
_ALLOWED = frozenset({
    "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "b", "i", "u", "s", "sub",
    "sup", "small", "blockquote", "ul", "ol", "li", "figure", "figcaption", "img", "hr",
    "span", "div", "section", "code", "pre", "q", "cite", "abbr",
})
_VOID = frozenset({"br", "img", "hr"})
# Elements dropped with everything inside them (their text is code, not prose).
_DROPPED = frozenset({"script", "style", "template", "iframe", "object", "embed", "noscript",
                      "svg", "math", "head", "title", "textarea", "select"})
_ATTRIBUTES = {"img": ("src", "alt"), "*": ("class",)}
# Images only from the hub's own public files (a path, or under the hub's origin): nothing
# loaded, or tracked, from anywhere else.
_MEDIA_PATH = re.compile(r"^/media/[0-9a-f]{64}$")
_CLASS = re.compile(r"^[A-Za-z0-9 _-]{1,60}$")


class _Sanitizer(HTMLParser):
    def __init__(self, origin: str) -> None:
        super().__init__(convert_charrefs=True)
        self.origin = origin
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping = 0  # inside a dropped element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            if tag not in _VOID:
                self.skipping += 1
            return
        if self.skipping or tag not in _ALLOWED:
            return
        kept = []
        for name, value in attrs:
            if value is None or name not in (*_ATTRIBUTES.get(tag, ()), *_ATTRIBUTES["*"]):
                continue
            if (name == "src" and not self._hub_media(value)) or (
                    name == "class" and not _CLASS.match(value)):
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        if tag == "img" and not any(a.startswith(" src=") for a in kept):
            self._drop_image(attrs)
            return
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in _VOID:
            self.open.append(tag)

    def _hub_media(self, src: str) -> bool:
        if self.origin and src.startswith(self.origin + "/"):
            src = src[len(self.origin):]
        return bool(_MEDIA_PATH.match(src))

    def _drop_image(self, attrs: list[tuple[str, str | None]]) -> None:
        """An image from elsewhere is not loaded: its alt text stands in for it."""
        alt = dict(attrs).get("alt")
        if alt:
            self.out.append(f"[{html.escape(alt)}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.open and self.open[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.skipping = max(self.skipping - 1, 0)
            return
        if self.skipping or tag not in self.open:
            return
        while self.open:  # close what the fragment left open inside it
            inner = self.open.pop()
            self.out.append(f"</{inner}>")
            if inner == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))


def sanitize_html(fragment: str, origin: str = "") -> str:
    """``fragment`` with only the allowed markup: text escaped, tags re-written from the parse
    (so malformed input cannot smuggle anything), comments and declarations gone; images only
    from ``/media/<sha256>``, as a path or under ``origin`` (the hub's, e.g.
    ``https://hub.example``)."""
    parser = _Sanitizer(origin)
    parser.feed(fragment)
    return parser.result()


def _checked(answer: Any, target: str, origin: str) -> BookPreview | TimelinePreview | None:
    if answer is None:
        return None
    if isinstance(answer, BookPreview):
        if not all(isinstance(c, PreviewChapter) for c in answer.chapters):
            raise TypeError(f"hub_preview_publication for {target!r}: a BookPreview holds "
                            "hub.PreviewChapter objects")
        return replace(answer, chapters=tuple(
            replace(chapter, html=sanitize_html(chapter.html, origin))
            for chapter in answer.chapters))
    if isinstance(answer, TimelinePreview):
        return answer
    raise TypeError(f"hub_preview_publication for {target!r} must return a hub.BookPreview, a "
                    f"hub.TimelinePreview or None (got {type(answer).__name__})")


async def preview_of(
    context: Services, ex: Executor, row: Any, base_url: str,
) -> BookPreview | TimelinePreview | None:
    """The target plugin's preview of the compilation ``row`` (None without one). Callers
    check that the viewer is on its team first."""
    if row["target"] not in context.plugins.publishing_targets:
        return None
    snapshot = await take_snapshot(context, ex, row, base_url=base_url)
    public = replace(snapshot, items=tuple(item for item in snapshot.items if item.available))
    answer = await context.plugins.call_owner(
        "hub_preview_publication", row["target"], compilation=public,
    )
    return _checked(answer, row["target"], base_url)
