"""A collaboration's brief: Markdown rendered to safe HTML once, at write time.

markdown-it-py (CommonMark) with raw HTML disabled: a ``<script>`` in the brief is shown as
text, never run. Its link validation refuses ``javascript:``, ``vbscript:``, ``file:`` and
non-image ``data:`` URLs. Every link gets ``rel="nofollow ugc"`` (user-generated content, as
search engines ask). The rendered HTML is stored beside the Markdown, so the executor and the
compiled twins serve the same text without rendering per read.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable("image")  # covers come from the media slice; no hot-linked images


def _link_open(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
    tokens[index].attrSet("rel", "nofollow ugc")
    return str(renderer.renderToken(tokens, index, options, env))


_markdown.add_render_rule("link_open", _link_open)


def render(brief: str) -> str:
    """The HTML of the Markdown ``brief``: no raw HTML, links ``rel="nofollow ugc"``."""
    return _markdown.render(brief) if brief else ""
