"""hub_image: photography and illustration.

A first-party media-type plugin built exactly as a third-party one: it imports only ``hub``
(and Strawberry and Pillow), declares its media type, validates details, and reads uploaded
images (dimensions, a thumbnail) through the media hooks.
"""

from __future__ import annotations

import asyncio
import io
import random
import warnings
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import strawberry
from PIL import Image, UnidentifiedImageError

from hub import AcceptedMedia, DetailsError, ExtractedMedia, MediaError, MediaType, hookimpl

MAX_CAPTION = 2_000
MAX_BYTES = 50 * 1024 * 1024
# 50 megapixels: more than any camera a member uses, far less than a decompression bomb needs.
MAX_PIXELS = 50_000_000
THUMBNAIL_SIZE = (320, 320)
ACCEPTED = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/tiff")
# For demo records (hub_sample_details).
SAMPLE_SUBJECTS = ["Harbor lights", "A paper kite", "The old orchard", "Rain on glass",
                   "Street market", "Two bicycles", "Empty stage", "Northern sky"]
SAMPLE_SIZES = [(800, 600), (1920, 1080), (4000, 3000), (1080, 1350), (2048, 2048)]


@strawberry.type(description="Details of an image record (a photograph or an illustration).")
class ImageDetails:
    caption: str | None = strawberry.field(default=None, description="What the image shows; null when not "
                                          "given.")
    width: int | None = strawberry.field(default=None, description="Width in pixels, read from "
                                         "the attached image; null until an image file is attached.")
    height: int | None = strawberry.field(default=None, description="Height in pixels, read "
                                          "from the attached image; null until an image file is attached.")


@strawberry.input(description="Details of an image record; the dimensions come from the file.")
class ImageDetailsInput:
    caption: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"At most {MAX_CAPTION:,} characters; omitted or null: "
        "no caption."
    )


@hookimpl
def hub_media_types() -> list[MediaType]:
    return [MediaType(
        key="image", label="Image",
        description="Photography and illustration.",
        details_type=ImageDetails, input_type=ImageDetailsInput,
    )]


def _dimension(details: dict[str, Any], name: str) -> int | None:
    # Only the plugin's own extraction sets these (the input type has no such fields).
    value = details.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 2**31 - 1:
        return value  # an Int: 32 bits
    return None


@hookimpl
def hub_normalize_details(details: dict[str, Any]) -> dict[str, Any]:
    caption = (details.get("caption") or "").strip() or None
    if caption and len(caption) > MAX_CAPTION:
        raise DetailsError(f"caption has at most {MAX_CAPTION:,} characters.", "caption")
    return {"caption": caption, "width": _dimension(details, "width"),
            "height": _dimension(details, "height")}


@hookimpl
def hub_details_search_text(details: dict[str, Any]) -> str:
    return details.get("caption") or ""


@hookimpl
def hub_sample_details(count: int, seed: int) -> list[dict[str, Any]]:
    """Demo images: a caption and the dimensions a photo of that size would give."""
    rng = random.Random(seed)
    samples = []
    for n in range(count):
        width, height = rng.choice(SAMPLE_SIZES)
        samples.append({"caption": f"{rng.choice(SAMPLE_SUBJECTS)}, frame {n + 1}",
                        "width": width, "height": height})
    return samples


@hookimpl
def hub_media_accepts() -> AcceptedMedia:
    return AcceptedMedia(mime_types=ACCEPTED, max_bytes=MAX_BYTES)


@hookimpl
def hub_extract_metadata(path: Path, mime_type: str) -> Awaitable[ExtractedMedia]:
    return asyncio.to_thread(read_image, path)


def read_image(path: Path) -> ExtractedMedia:
    """Dimensions and a thumbnail; refuses images whose header promises too many pixels
    before decoding a single one (a decompression bomb)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                image_format = image.format or ""
                if width * height > MAX_PIXELS:
                    raise _too_large(width, height)
                image.thumbnail(THUMBNAIL_SIZE)
                thumbnail = io.BytesIO()
                image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(
                    thumbnail, format="PNG"
                )
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(f"The image is larger than {MAX_PIXELS:,} pixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise MediaError(f"The image cannot be read ({error}).") from None
    return ExtractedMedia(
        metadata={"width": width, "height": height, "format": image_format},
        details={"width": width, "height": height},
        thumbnail=thumbnail.getvalue(),
    )


def _too_large(width: int, height: int) -> MediaError:
    return MediaError(f"The image is {width}×{height} pixels; at most {MAX_PIXELS:,} pixels "
                      "are accepted.")
