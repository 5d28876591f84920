"""hub_film: film and video records, from a single shot to a short film.

A first-party media-type plugin that uses only the public hooks, like a third-party one.
"""

from __future__ import annotations

import enum
import re
from typing import Any

import strawberry

from hub import DetailsError, MediaType, hookimpl

MAX_DURATION_SECONDS = 12 * 60 * 60
_RATIO = re.compile(r"^(\d{1,2}(?:\.\d{1,3})?)\s*[:x]\s*(\d{1,2}(?:\.\d{1,3})?)$")


@strawberry.enum(description="What part a piece of film plays in a production.")
class FilmRole(enum.Enum):
    SHORT = "SHORT"
    SCENE = "SCENE"
    SHOT = "SHOT"
    TITLE_SEQUENCE = "TITLE_SEQUENCE"
    ANIMATION = "ANIMATION"
    DOCUMENTARY = "DOCUMENTARY"
    B_ROLL = "B_ROLL"


@strawberry.type(description="Details of a film record.")
class FilmDetails:
    duration_seconds: int | None = strawberry.field(default=None, description="Length in seconds.")
    aspect_ratio: str | None = strawberry.field(default=None, description="E.g. `16:9`, `2.39:1`.")
    genre: str | None = strawberry.field(default=None, description="Genre, lower-case.")
    role: FilmRole | None = strawberry.field(default=None, description="Scene, shot, short…")


@strawberry.input(description="Details of a film record.")
class FilmDetailsInput:
    duration_seconds: int | None = strawberry.field(
        default=strawberry.UNSET, description=f"1 to {MAX_DURATION_SECONDS} seconds."
    )
    aspect_ratio: str | None = strawberry.field(
        default=strawberry.UNSET, description="Width:height, e.g. `16:9` or `2.39:1`."
    )
    genre: str | None = strawberry.UNSET
    role: FilmRole | None = strawberry.UNSET


def normalize_ratio(value: str) -> str:
    match = _RATIO.match(value.strip())
    if not match or float(match.group(2)) == 0 or float(match.group(1)) == 0:
        raise DetailsError(f"{value!r} is not an aspect ratio like '16:9'.", "aspect_ratio")
    return f"{match.group(1)}:{match.group(2)}"


@hookimpl
def hub_media_types() -> list[MediaType]:
    return [MediaType(
        key="film", label="Film",
        description="Film and video: shorts, scenes, shots, title sequences, animation.",
        details_type=FilmDetails, input_type=FilmDetailsInput,
    )]


@hookimpl
def hub_normalize_details(media_type: str, details: dict[str, Any]) -> dict[str, Any] | None:
    if media_type != "film":
        return None
    duration = details.get("duration_seconds")
    if duration is not None and not 0 < duration <= MAX_DURATION_SECONDS:
        raise DetailsError(
            f"durationSeconds must be between 1 and {MAX_DURATION_SECONDS}.", "duration_seconds"
        )
    genre = (details.get("genre") or "").strip().lower() or None
    if genre and len(genre) > 60:
        raise DetailsError("genre has at most 60 characters.", "genre")
    ratio = details.get("aspect_ratio")
    return {
        "duration_seconds": duration,
        "aspect_ratio": normalize_ratio(ratio) if ratio else None,
        "genre": genre,
        "role": details.get("role"),
    }


@hookimpl
def hub_details_search_text(media_type: str, details: dict[str, Any]) -> str | None:
    if media_type != "film":
        return None
    role = (details.get("role") or "").replace("_", " ").lower()
    return " ".join(filter(None, [details.get("genre"), role]))
