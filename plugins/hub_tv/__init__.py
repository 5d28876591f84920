"""hub_tv: publishes a compilation as a TV episode cut.

A first-party publishing-target plugin that uses only the public hooks, like a third-party
one. The cut is an OpenTimelineIO timeline: film records as clips in order on the video
track, music records in order on an audio track, writing records (scripts) as markers where
they fall in the cut. It is also written as a CMX 3600 EDL (the video track) and a Final Cut
Pro 7 XML through OTIO's adapters, with the end credits as text. Clips reference their
media's download URL (the hub's ``/media/`` files), so an editing program finds it. The
preview is the same cut as a timeline strip (``hub_preview_publication``).
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import strawberry

from hub import (
    Artifact,
    CompilationSnapshot,
    DetailsError,
    Problem,
    PublishingTarget,
    SampleCompilation,
    SampleRecord,
    TimelinePreview,
    hookimpl,
)

from .cut import DEFAULT_RATE, build_cut, preview, runtime_seconds

KEY = "tv"
DEFAULT_TOLERANCE = 30
# The broadcast and cinema rates editing programs and EDLs agree on; 29.97 and 59.94 are
# timecoded drop-frame (OTIO's adapters do that from the rate).
FRAME_RATES = (23.976, 24.0, 25.0, 29.97, 30.0, 50.0, 59.94, 60.0)
RATES_TEXT = ", ".join(f"{rate:g}" for rate in FRAME_RATES)


@strawberry.type(description="Settings of a TV episode cut.")
class TvSettings:
    episode_title: str | None = strawberry.field(default=None, description="The episode's "
                                                 "title; null: the compilation's title.")
    target_runtime_seconds: int | None = strawberry.field(
        default=None, description="The runtime the cut must hit; null: any runtime."
    )
    tolerance_seconds: int = strawberry.field(
        default=DEFAULT_TOLERANCE, description="How far the runtime may be off the target."
    )
    frame_rate: float = strawberry.field(
        default=DEFAULT_RATE, description="Frames per second of the timeline, the EDL and the "
        f"Final Cut Pro XML: one of {RATES_TEXT}."
    )


@strawberry.input(description="Settings of a TV episode cut.")
class TvSettingsInput:
    episode_title: str | None = strawberry.field(default=strawberry.UNSET, description="Title; "
                                                      "omitted or null: the compilation's.")
    target_runtime_seconds: int | None = strawberry.field(
        default=strawberry.UNSET, description="Target runtime in seconds; omitted or null: any "
        "runtime."
    )
    tolerance_seconds: int | None = strawberry.field(
        default=strawberry.UNSET, description=f"Tolerance in seconds (default {DEFAULT_TOLERANCE})."
    )
    frame_rate: float | None = strawberry.field(
        default=strawberry.UNSET, description=f"Frames per second, one of {RATES_TEXT}; omitted "
        f"or null: {DEFAULT_RATE:g}."
    )


def check_settings(settings: dict[str, Any]) -> None:
    """Refuses a frame rate that is not a broadcast rate (the input type takes any Float)."""
    rate = settings.get("frame_rate")
    if rate is not None and rate not in FRAME_RATES:
        raise DetailsError(f"frameRate: {rate:g} is not a broadcast frame rate; use one of "
                           f"{RATES_TEXT}.", "frameRate")


@hookimpl
def hub_publishing_targets() -> list[PublishingTarget]:
    return [PublishingTarget(
        key=KEY, label="TV episode",
        description="An OpenTimelineIO cut with CMX 3600 EDL, Final Cut Pro XML and end credits.",
        settings_type=TvSettings, settings_input_type=TvSettingsInput,
        accepted_media_types=("film", "music", "writing"),
        credit_roles=("editor", "director", "music", "writer", "source"),
        check_settings=check_settings,
    )]


def _settings(compilation: CompilationSnapshot) -> dict[str, Any]:
    settings = {k: v for k, v in compilation.settings.items() if v is not None}
    return {"tolerance_seconds": DEFAULT_TOLERANCE, "frame_rate": DEFAULT_RATE, **settings}


def _runtime_problems(runtime: int, settings: dict[str, Any]) -> list[Problem]:
    target = settings.get("target_runtime_seconds")
    tolerance = settings["tolerance_seconds"]
    if target is None:
        return []
    if runtime > target + tolerance:
        return [Problem("TOO_LONG", f"The cut runs {runtime} s; the target is {target} s "
                        f"(± {tolerance} s).")]
    if runtime < target - tolerance:
        return [Problem("TOO_SHORT", f"The cut runs {runtime} s; the target is {target} s "
                        f"(± {tolerance} s).")]
    return []


@hookimpl
def hub_compilation_problems(compilation: CompilationSnapshot) -> list[Problem]:
    settings = _settings(compilation)
    problems = []
    films = [item for item in compilation.items if item.media_type == "film"]
    if compilation.items and not films:
        problems.append(Problem("NO_VIDEO", "A TV cut needs at least one film record."))
    for item in compilation.items:
        if item.media_type in ("film", "music") and not item.details.get("duration_seconds"):
            problems.append(Problem("MISSING_DURATION", f"{item.title!r} has no duration.",
                                    item.id))
    return problems + _runtime_problems(runtime_seconds(compilation), settings)


@hookimpl
async def hub_render_compilation(compilation: CompilationSnapshot) -> list[Artifact]:
    return await asyncio.to_thread(build_cut, compilation, _settings(compilation))


@hookimpl
def hub_preview_publication(compilation: CompilationSnapshot) -> TimelinePreview:
    return preview(compilation, _settings(compilation))


def _timed(records: list[SampleRecord], media_type: str) -> list[SampleRecord]:
    return [r for r in records if r.media_type == media_type and r.details.get("duration_seconds")]


@hookimpl
def hub_sample_compilation(records: list[SampleRecord], seed: int) -> SampleCompilation | None:
    """A demo episode: five to twelve films of those offered (the best first), a script
    between the first two when there is one, up to two pieces of music under it, and a
    target runtime within the default tolerance of the cut's."""
    rng = random.Random(seed)
    films = _timed(records, "film")[:rng.randint(5, 12)]
    if not films:
        return None
    music = _timed(records, "music")[:rng.randint(0, 2)]
    writing = [r for r in records if r.media_type == "writing"]
    scripts = [r for r in writing if r.details.get("form") == "SCRIPT"][:1] or writing[:1]
    runtime = sum(int(film.details["duration_seconds"]) for film in films)
    items = [films[0], *scripts, *films[1:], *music]
    return SampleCompilation(
        items=tuple(item.id for item in items),
        # To the nearest minute: within the default tolerance (30 s) of the real runtime.
        settings={"target_runtime_seconds": round(runtime / 60) * 60 or None,
                  "tolerance_seconds": DEFAULT_TOLERANCE},
    )
