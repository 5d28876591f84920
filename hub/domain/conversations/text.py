"""A comment's text: checked, rendered to safe HTML, its mentions found — once, at write time.

The Markdown subset is CommonMark's inline and block syntax (emphasis, code, links, lists,
quotes) through markdown-it-py, with raw HTML off (a ``<script>`` is shown as text), images
off, headings and tables off (a comment is not a page), and every link ``rel="nofollow ugc"``;
the library's link validation refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:``
URLs. The HTML is stored beside the Markdown, so both read paths serve it without rendering.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt

from hub.core.errors import ErrorCode, InputProblem
from hub.domain.conversations.rules import MAX_BODY

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable(["image", "heading", "lheading", "html_block", "html_inline"])


def _link_open(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
    tokens[index].attrSet("rel", "nofollow ugc")
    return str(renderer.renderToken(tokens, index, options, env))


_markdown.add_render_rule("link_open", _link_open)

# ``@handle`` where a handle may start: not inside a word or an e-mail address.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_]{3,30})\b")
MAX_MENTIONS = 20


def checked_body(body: str, field: str = "body") -> str:
    """The body as stored (line ends normalised, outer whitespace trimmed), or the error: empty
    or only whitespace (INVALID_INPUT), longer than MAX_BODY characters (TOO_LONG)."""
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise InputProblem(ErrorCode.INVALID_INPUT, "A comment needs some text.", field)
    if len(text) > MAX_BODY:
        raise InputProblem(ErrorCode.TOO_LONG, f"A comment has at most {MAX_BODY:,} characters "
                           f"(this one has {len(text):,}).", field)
    return text


def render(body: str) -> str:
    """The HTML of the Markdown ``body``: no raw HTML, links ``rel="nofollow ugc"``."""
    return _markdown.render(body)


def mentioned_handles(body: str) -> list[str]:
    """The handles the body mentions, lower-cased, each once, in order of first mention (code
    spans included: resolving them is harmless, and simpler to explain)."""
    return list(dict.fromkeys(handle.lower() for handle in _MENTION.findall(body)))
