"""hub_film: film and video records, from a single shot to a short film.

A first-party media-type plugin that uses only the public hooks, like a third-party one.
"""

from __future__ import annotations

import asyncio
import enum
import random
import re
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import mutagen
import mutagen.mp4
import strawberry

from hub import AcceptedMedia, AnchorSpan, DetailsError, ExtractedMedia, MediaType, hookimpl

MAX_DURATION_SECONDS = 12 * 60 * 60
MAX_FILE_BYTES = 2_000_000_000
# Containers by sniffed type. Only ISO-BMFF (MP4, QuickTime) durations are read: mutagen reads
# them in pure Python without decoding; the others give their container only.
CONTAINERS = {
    "video/mp4": "mp4", "video/quicktime": "quicktime", "video/webm": "webm",
    "video/x-matroska": "matroska", "video/x-msvideo": "avi", "video/mpeg": "mpeg",
    "video/x-m4v": "mp4", "video/x-flv": "flv",
}
_RATIO = re.compile(r"^(\d{1,2}(?:\.\d{1,3})?)\s*[:x]\s*(\d{1,2}(?:\.\d{1,3})?)$")
# For demo records (hub_sample_details).
SAMPLE_GENRES = ["drama", "comedy", "documentary", "experimental", "sci-fi", "music video"]
SAMPLE_RATIOS = ["16:9", "2.39:1", "4:3", "1:1", "9:16"]


@strawberry.enum(description="What part a piece of film plays in a production.")
class FilmRole(enum.Enum):
    SHORT = strawberry.enum_value("SHORT", description="A complete short film.")
    SCENE = strawberry.enum_value("SCENE", description="One scene of a longer work.")
    SHOT = strawberry.enum_value("SHOT", description="A single shot.")
    TITLE_SEQUENCE = strawberry.enum_value("TITLE_SEQUENCE",
                                           description="Opening or closing titles.")
    ANIMATION = strawberry.enum_value("ANIMATION", description="An animated piece.")
    DOCUMENTARY = strawberry.enum_value("DOCUMENTARY", description="Documentary footage.")
    B_ROLL = strawberry.enum_value("B_ROLL", description="Supplementary footage for cutaways.")


@strawberry.type(description="Details of a film record.")
class FilmDetails:
    duration_seconds: int | None = strawberry.field(default=None, description="Length in seconds; "
                                                    "null when not given.")
    aspect_ratio: str | None = strawberry.field(default=None, description="Width:height, e.g. `16:9`, "
                                            "`2.39:1`; null when not given.")
    genre: str | None = strawberry.field(default=None, description="Genre, lower-case; null when not given.")
    role: FilmRole | None = strawberry.field(default=None, description="Scene, shot, short…; null when not "
                                                "given.")


@strawberry.input(description="Details of a film record.")
class FilmDetailsInput:
    duration_seconds: int | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"1 to {MAX_DURATION_SECONDS} seconds; omitted or null: not set."
    )
    aspect_ratio: str | None = strawberry.field(
        default=strawberry.UNSET, description="Width:height, e.g. `16:9` or `2.39:1`; omitted or null: not "
        "set."
    )
    genre: str | None = strawberry.field(
        default=strawberry.UNSET, description="At most 60 characters (stored lower-case); omitted or "
        "null: not set.")
    role: FilmRole | None = strawberry.field(
        default=strawberry.UNSET, description="The part the film plays in a production; omitted or "
        "null: not set.")


def normalize_ratio(value: str) -> str:
    match = _RATIO.match(value.strip())
    if not match or float(match.group(2)) == 0 or float(match.group(1)) == 0:
        raise DetailsError(f"aspectRatio: {value!r} is not an aspect ratio like '16:9'.",
                           "aspectRatio")
    return f"{match.group(1)}:{match.group(2)}"


@hookimpl
def hub_media_types() -> list[MediaType]:
    return [MediaType(
        key="film", label="Film",
        description="Film and video: shorts, scenes, shots, title sequences, animation.",
        details_type=FilmDetails, input_type=FilmDetailsInput,
    )]


@hookimpl
def hub_normalize_details(details: dict[str, Any]) -> dict[str, Any]:
    problems: list[DetailsError] = []  # every field is checked; all problems are reported
    duration = details.get("duration_seconds")
    if duration is not None and not 0 < duration <= MAX_DURATION_SECONDS:
        problems.append(DetailsError(
            f"durationSeconds must be between 1 and {MAX_DURATION_SECONDS}.", "durationSeconds"
        ))
    genre = (details.get("genre") or "").strip().lower() or None
    if genre and len(genre) > 60:
        problems.append(DetailsError("genre has at most 60 characters.", "genre"))
    ratio = None
    try:
        ratio = normalize_ratio(details["aspect_ratio"]) if details.get("aspect_ratio") else None
    except DetailsError as problem:
        problems.append(problem)
    if problems:
        raise DetailsError.many(problems)
    return {
        "duration_seconds": duration,
        "aspect_ratio": ratio,
        "genre": genre,
        "role": details.get("role"),
    }


@hookimpl
def hub_comment_anchors(details: dict[str, Any]) -> AnchorSpan:
    """A comment may point at a moment of the recording, from 0 to its length."""
    return AnchorSpan(duration_seconds=details.get("duration_seconds"))


@hookimpl
def hub_details_search_text(details: dict[str, Any]) -> str:
    role = (details.get("role") or "").replace("_", " ").lower()
    return " ".join(filter(None, [details.get("genre"), role]))


@hookimpl
def hub_sample_details(count: int, seed: int) -> list[dict[str, Any]]:
    """Demo films, from a five-second shot to a 25-minute short, of every role."""
    rng = random.Random(seed)
    roles = [role.value for role in FilmRole]
    return [{"duration_seconds": rng.randint(5, 1500), "aspect_ratio": rng.choice(SAMPLE_RATIOS),
             "genre": rng.choice(SAMPLE_GENRES), "role": rng.choice(roles)}
            for _ in range(count)]


@hookimpl
def hub_media_accepts() -> AcceptedMedia:
    return AcceptedMedia(mime_types=tuple(CONTAINERS), max_bytes=MAX_FILE_BYTES)


@hookimpl
def hub_extract_metadata(path: Path, mime_type: str) -> Awaitable[ExtractedMedia]:
    return asyncio.to_thread(read_video, path, mime_type)


def read_video(path: Path, mime_type: str) -> ExtractedMedia:
    """The container, and the duration where a pure-Python reader can tell it (MP4, MOV)."""
    metadata: dict[str, Any] = {"container": CONTAINERS.get(mime_type, mime_type)}
    details: dict[str, Any] = {}
    if metadata["container"] in ("mp4", "quicktime"):
        try:
            info = mutagen.mp4.MP4(path).info
            length = float(info.length or 0) if info is not None else 0.0
        except mutagen.MutagenError:
            length = 0.0  # a damaged index: the container is still right
        if length > 0:
            metadata["durationSeconds"] = round(length, 3)
            if round(length) <= MAX_DURATION_SECONDS:
                details["duration_seconds"] = max(1, round(length))
    return ExtractedMedia(metadata=metadata, details=details)
