"""Builds the cut with OpenTimelineIO (pure: a snapshot in, artifacts out)."""

from __future__ import annotations

from typing import Any

import opentimelineio as otio

from hub import (
    Artifact,
    CompilationSnapshot,
    ItemSnapshot,
    PreviewClip,
    PreviewMarker,
    TimelinePreview,
)

DEFAULT_RATE = 24.0
# The NTSC rates as they really are (OTIO's SMPTE timecode knows only these, drop-frame for
# 29.97 and 59.94); the settings name them as editors do.
NTSC = {23.976: 24000 / 1001, 29.97: 30000 / 1001, 59.94: 60000 / 1001}


def frame_rate(settings: dict[str, Any]) -> float:
    """The cut's frames per second, from the ``frame_rate`` setting."""
    rate = float(settings.get("frame_rate") or DEFAULT_RATE)
    return NTSC.get(rate, rate)


def _seconds(item: ItemSnapshot) -> int:
    return int(item.details.get("duration_seconds") or 0)


def runtime_seconds(compilation: CompilationSnapshot) -> int:
    """The cut's runtime: the film clips back to back."""
    return sum(_seconds(item) for item in compilation.items if item.media_type == "film")


def _range(start_seconds: float, seconds: float, rate: float) -> otio.opentime.TimeRange:
    # Whole frames: at 29.97 a second is not a whole number of frames, and an EDL's timecode
    # names frames.
    return otio.opentime.TimeRange(
        otio.opentime.RationalTime(round(start_seconds * rate), rate),
        otio.opentime.RationalTime(round(seconds * rate), rate),
    )


def _reel(item: ItemSnapshot) -> str:
    # CMX 3600 reels are at most 8 characters: the item's place in the cut.
    return f"R{item.position:03d}"


def media_url(item: ItemSnapshot) -> str | None:
    """The download URL of the item's picture or sound: its first video (film) or audio
    (music) file, else its first file; None when the record has none."""
    family = {"film": "video/", "music": "audio/"}.get(item.media_type, "")
    files = [m for m in item.media if m.url]
    fitting = [m for m in files if family and m.mime_type.startswith(family)]
    chosen = fitting or files
    return chosen[0].url if chosen else None


def _clip(item: ItemSnapshot, rate: float) -> otio.schema.Clip:
    # The media's download URL, so an editing program opening the timeline finds the file; a
    # record without one is a missing reference (relinked by hand), never an opaque link.
    url = media_url(item)
    available = _range(0, _seconds(item), rate)
    reference: otio.core.MediaReference = (
        otio.schema.ExternalReference(target_url=url, available_range=available)
        if url else otio.schema.MissingReference(available_range=available))
    reference.name = _reel(item)
    return otio.schema.Clip(
        name=item.title, media_reference=reference, source_range=_range(0, _seconds(item), rate),
        metadata={"recordhub": {"record": item.record_id, "item": item.id,
                                "author": item.author_handle},
                  "cmx_3600": {"reel": _reel(item)}},
    )


def build_timeline(compilation: CompilationSnapshot, settings: dict[str, Any]) -> otio.schema.Timeline:
    timeline = otio.schema.Timeline(name=settings.get("episode_title") or compilation.title)
    rate = frame_rate(settings)
    timeline.global_start_time = otio.opentime.RationalTime(0, rate)
    video = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
    at = 0
    for item in compilation.items:
        if item.media_type == "film":
            video.append(_clip(item, rate))
            at += _seconds(item)
        elif item.media_type == "music":
            audio.append(_clip(item, rate))
        elif item.media_type == "writing":
            video.markers.append(otio.schema.Marker(
                name=item.title, marked_range=_range(at, 0, rate),
                color=otio.schema.MarkerColor.GREEN,
                metadata={"recordhub": {"record": item.record_id,
                                        "text": item.details.get("text") or ""}},
            ))
    timeline.tracks.append(video)
    if len(audio):
        timeline.tracks.append(audio)
    return timeline


def preview(compilation: CompilationSnapshot, settings: dict[str, Any]) -> TimelinePreview:
    """The cut as the studio's timeline strip: the same clips, tracks and markers as
    :func:`build_timeline`, in seconds."""
    clips, markers = [], []
    at = {"film": 0, "music": 0}
    for item in compilation.items:
        if item.media_type in at:
            track = "Video" if item.media_type == "film" else "Music"
            clips.append(PreviewClip(item.title, at[item.media_type], _seconds(item), track,
                                     item.id, media_url(item)))
            at[item.media_type] += _seconds(item)
        elif item.media_type == "writing":
            markers.append(PreviewMarker(item.title, at["film"], item.id))
    target = settings.get("target_runtime_seconds")
    return TimelinePreview(
        clips=tuple(clips), markers=tuple(markers), total_seconds=runtime_seconds(compilation),
        target_seconds=target, tolerance_seconds=settings["tolerance_seconds"] if target else None,
    )


def end_credits(compilation: CompilationSnapshot, settings: dict[str, Any]) -> str:
    lines = [settings.get("episode_title") or compilation.title, ""]
    if compilation.editors:
        lines += ["Edited by", *compilation.editors, ""]
    for item in compilation.items:
        role = {"film": "Film", "music": "Music", "writing": "Script"}.get(item.media_type, "Work")
        lines.append(f"{role}: “{item.title}” by {item.author_display_name}")
        for person in item.contributors:
            if person.depth:
                lines.append(f"    from “{person.record_title}” by {person.display_name}")
    lines += ["", "With thanks to everyone credited above:",
              *(f"{p.display_name} (@{p.handle})" for p in compilation.contributors())]
    return "\n".join(lines) + "\n"


def build_cut(compilation: CompilationSnapshot, settings: dict[str, Any]) -> list[Artifact]:
    timeline = build_timeline(compilation, settings)
    # CMX 3600 carries one video track; the EDL is the picture cut.
    picture = otio.schema.Timeline(name=timeline.name, global_start_time=timeline.global_start_time)
    picture.tracks.append(timeline.video_tracks()[0].clone())
    return [
        Artifact("episode.otio", "application/vnd.opentimelineio+json",
                 otio.adapters.write_to_string(timeline, "otio_json").encode()),
        Artifact("episode.edl", "text/plain",
                 otio.adapters.write_to_string(picture, "cmx_3600").encode()),
        Artifact("episode.xml", "application/xml",
                 otio.adapters.write_to_string(timeline, "fcp_xml").encode()),
        Artifact("credits.txt", "text/plain", end_credits(compilation, settings).encode()),
    ]
