"""hub_writing: stories, poems, scripts, lyrics and essays.

A first-party media-type plugin that uses only the public hooks, like a third-party one.
The word count is computed here, never taken from the client.
"""

from __future__ import annotations

import asyncio
import enum
import random
import re
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import strawberry

from hub import AcceptedMedia, AnchorSpan, DetailsError, ExtractedMedia, MediaError, MediaType, hookimpl

MAX_TEXT = 500_000
MAX_FILE_BYTES = 2 * 1024 * 1024
_WORD = re.compile(r"\b[\w'’-]+\b")
# For demo records (hub_sample_details): pieces are a few of these lines.
SAMPLE_LINES = [
    "The tide came in the way it always does, without asking.",
    "We kept the radio on so the house would sound less empty.",
    "Every city has a street that remembers you better than you remember it.",
    "She folded the map until it was only the place she wanted to go.",
    "Nobody tells you that the quiet after a song is part of the song.",
    "He wrote the letter twice and sent neither.",
    "Under the bridge the pigeons held their small parliament.",
    "The light in the kitchen was the colour of old honey.",
]


@strawberry.enum(description="The form of a piece of writing.")
class WritingForm(enum.Enum):
    STORY = strawberry.enum_value("STORY", description="Fiction in prose.")
    POEM = strawberry.enum_value("POEM", description="A poem.")
    SCRIPT = strawberry.enum_value("SCRIPT", description="A screenplay or stage script.")
    LYRICS = strawberry.enum_value("LYRICS", description="Words for a song.")
    ESSAY = strawberry.enum_value("ESSAY", description="Non-fiction prose.")


@strawberry.type(description="Details of a writing record.")
class WritingDetails:
    form: WritingForm | None = strawberry.field(default=None, description="Story, poem, script…; null "
                                                   "when the details do not give it.")
    text: str | None = strawberry.field(default=None, description="The text itself; null when not "
                                          "given.")
    word_count: int = strawberry.field(default=0, description="Words in `text` (computed).")


@strawberry.input(description="Details of a writing record.")
class WritingDetailsInput:
    form: WritingForm = strawberry.field(description="The form of the piece.")
    text: str = strawberry.field(description=f"At most {MAX_TEXT:,} characters.")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


@hookimpl
def hub_media_types() -> list[MediaType]:
    return [MediaType(
        key="writing", label="Writing",
        description="Stories, poems, scripts, lyrics and essays.",
        details_type=WritingDetails, input_type=WritingDetailsInput,
    )]


@hookimpl
def hub_normalize_details(details: dict[str, Any]) -> dict[str, Any]:
    text = (details.get("text") or "").replace("\r\n", "\n").strip()
    if not text:
        raise DetailsError("text must not be empty.", "text")
    if len(text) > MAX_TEXT:
        raise DetailsError(f"text has at most {MAX_TEXT:,} characters.", "text")
    return {"form": details.get("form"), "text": text, "word_count": count_words(text)}


@hookimpl
def hub_comment_anchors(details: dict[str, Any]) -> AnchorSpan:
    """A comment may point at a passage of the text."""
    return AnchorSpan(text=details.get("text"))


@hookimpl
def hub_details_search_text(details: dict[str, Any]) -> str:
    return details.get("text") or ""


@hookimpl
def hub_sample_details(count: int, seed: int) -> list[dict[str, Any]]:
    """Demo pieces of every form, each two to six lines of prose."""
    rng = random.Random(seed)
    forms = [form.value for form in WritingForm]
    return [{"form": rng.choice(forms),
             "text": "\n\n".join(rng.sample(SAMPLE_LINES, rng.randint(2, 6)))}
            for _ in range(count)]


@hookimpl
def hub_media_accepts() -> AcceptedMedia:
    return AcceptedMedia(mime_types=("text/plain",), max_bytes=MAX_FILE_BYTES)


@hookimpl
def hub_extract_metadata(path: Path, mime_type: str) -> Awaitable[ExtractedMedia]:
    return asyncio.to_thread(read_text, path)


def read_text(path: Path) -> ExtractedMedia:
    """Word, line and character counts; the text fills an empty ``text``."""
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n").strip()
    except UnicodeDecodeError:
        raise MediaError("The text file is not UTF-8.") from None
    metadata = {"wordCount": count_words(text), "characters": len(text),
                "lines": text.count("\n") + 1 if text else 0}
    details = {"text": text} if text and len(text) <= MAX_TEXT else {}
    return ExtractedMedia(metadata=metadata, details=details)
