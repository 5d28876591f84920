"""hub_music: songs, beats, stems and other audio records.

A first-party media-type plugin that uses only the public hooks (``from hub import ...``),
exactly as a third-party plugin would.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import mutagen
import strawberry

from hub import AcceptedMedia, AnchorSpan, DetailsError, ExtractedMedia, MediaError, MediaType, hookimpl

MAX_DURATION_SECONDS = 24 * 60 * 60
MAX_FILE_BYTES = 500 * 1024 * 1024
_KEY = re.compile(r"^([A-Ga-g])([#b♯♭]?)\s*(maj(?:or)?|min(?:or)?|m)?$")
# For demo records (hub_sample_details).
SAMPLE_GENRES = ["indie folk", "hip hop", "ambient", "soul", "electronic", "jazz", "rock"]
SAMPLE_INSTRUMENTS = ["guitar", "piano", "synth", "drums", "bass", "cello", "voice", "trumpet"]
SAMPLE_KEYS = ["C major", "A minor", "G major", "E minor", "F# minor", "Bb major", "D minor"]


@strawberry.type(description="Details of a music record.")
class MusicDetails:
    duration_seconds: int | None = strawberry.field(default=None, description="Length in seconds; "
                                                    "null when not given.")
    tempo_bpm: float | None = strawberry.field(default=None, description="Beats per minute; null "
                                               "when not given.")
    key: str | None = strawberry.field(default=None, description="Musical key, e.g. `F# minor`; null "
                                     "when not given.")
    genre: str | None = strawberry.field(default=None, description="Genre, lower-case; null when not given.")
    instruments: list[str] = strawberry.field(default_factory=list,
                                              description="Instruments heard, lower-case.")


@strawberry.input(description="Details of a music record.")
class MusicDetailsInput:
    duration_seconds: int | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"1 to {MAX_DURATION_SECONDS} seconds; omitted or null: not set."
    )
    tempo_bpm: float | None = strawberry.field(default=strawberry.UNSET, description="20 to 400; omitted "
                                               "or null: not set.")
    key: str | None = strawberry.field(
        default=strawberry.UNSET, description="A key such as `C major`, `F# minor`, `Bbm`; omitted or "
        "null: not set."
    )
    genre: str | None = strawberry.field(
        default=strawberry.UNSET, description="At most 60 characters (stored lower-case); omitted or "
        "null: not set.")
    instruments: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="At most 30 names of at most 40 characters (stored lower-case); "
        "omitted or null: none.")


def normalize_key(value: str) -> str:
    match = _KEY.match(value.strip())
    if not match:
        raise DetailsError(f"key: {value!r} is not a musical key (e.g. 'C major', 'F# minor').",
                           "key")
    note, accidental, mode = match.groups()
    accidental = {"♯": "#", "♭": "b"}.get(accidental, accidental)
    minor = (mode or "").lower() in ("m", "min", "minor")
    return f"{note.upper()}{accidental} {'minor' if minor else 'major'}"


@hookimpl
def hub_media_types() -> list[MediaType]:
    return [MediaType(
        key="music", label="Music",
        description="Songs, instrumentals, beats, stems and sound design.",
        details_type=MusicDetails, input_type=MusicDetailsInput,
    )]


@hookimpl
def hub_normalize_details(details: dict[str, Any]) -> dict[str, Any]:
    problems: list[DetailsError] = []  # every field is checked; all problems are reported
    duration = details.get("duration_seconds")
    if duration is not None and not 0 < duration <= MAX_DURATION_SECONDS:
        problems.append(DetailsError(
            f"durationSeconds must be between 1 and {MAX_DURATION_SECONDS}.", "durationSeconds"
        ))
    tempo = details.get("tempo_bpm")
    if tempo is not None and not 20 <= tempo <= 400:
        problems.append(DetailsError("tempoBpm must be between 20 and 400.", "tempoBpm"))
    genre = (details.get("genre") or "").strip().lower() or None
    if genre and len(genre) > 60:
        problems.append(DetailsError("genre has at most 60 characters.", "genre"))
    instruments = [i.strip().lower() for i in details.get("instruments") or [] if i.strip()]
    if len(instruments) > 30 or any(len(i) > 40 for i in instruments):
        problems.append(DetailsError("instruments: at most 30, of up to 40 characters each.",
                                     "instruments"))
    key = None
    try:
        key = normalize_key(details["key"]) if details.get("key") else None
    except DetailsError as problem:
        problems.append(problem)
    if problems:
        raise DetailsError.many(problems)
    return {
        "duration_seconds": duration,
        "tempo_bpm": None if tempo is None else float(tempo),  # a Float: stored as one
        "key": key,
        "genre": genre,
        "instruments": list(dict.fromkeys(instruments)),
    }


@hookimpl
def hub_comment_anchors(details: dict[str, Any]) -> AnchorSpan:
    """A comment may point at a moment of the recording, from 0 to its length."""
    return AnchorSpan(duration_seconds=details.get("duration_seconds"))


@hookimpl
def hub_details_search_text(details: dict[str, Any]) -> str:
    return " ".join(filter(None, [details.get("genre"), details.get("key"),
                                  *details.get("instruments", [])]))


@hookimpl
def hub_sample_details(count: int, seed: int) -> list[dict[str, Any]]:
    """Demo songs: a length, a tempo, a key, a genre and one to four instruments each."""
    rng = random.Random(seed)
    return [{"duration_seconds": rng.randint(60, 420), "tempo_bpm": rng.choice(range(60, 180, 2)),
             "key": rng.choice(SAMPLE_KEYS), "genre": rng.choice(SAMPLE_GENRES),
             "instruments": rng.sample(SAMPLE_INSTRUMENTS, rng.randint(1, 4))}
            for _ in range(count)]


@hookimpl
def hub_media_accepts() -> AcceptedMedia:
    return AcceptedMedia(mime_types=("audio/*",), max_bytes=MAX_FILE_BYTES)


@hookimpl
def hub_extract_metadata(path: Path, mime_type: str) -> Awaitable[ExtractedMedia]:
    return asyncio.to_thread(read_audio, path)


def read_audio(path: Path) -> ExtractedMedia:
    """Duration, bitrate, sample rate and channels, read by mutagen (no decoding)."""
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError as error:
        raise MediaError(f"The audio file cannot be read ({error}).") from None
    if audio is None or audio.info is None:
        raise MediaError("The audio file cannot be read (an unknown or damaged format).")
    info = audio.info
    metadata = {
        name: value for name, value in (
            ("durationSeconds", round(float(getattr(info, "length", 0) or 0), 3)),
            ("bitrate", getattr(info, "bitrate", None)),
            ("sampleRate", getattr(info, "sample_rate", None)),
            ("channels", getattr(info, "channels", None)),
            ("bitsPerSample", getattr(info, "bits_per_sample", None)),
        ) if value
    }
    length = metadata.get("durationSeconds", 0)
    seconds = max(1, round(length)) if length > 0 else 0
    details = {"duration_seconds": seconds} if 0 < seconds <= MAX_DURATION_SECONDS else {}
    return ExtractedMedia(metadata=metadata, details=details)
