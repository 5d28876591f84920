"""Small real media files made in the test, and a client for GraphQL multipart uploads."""

from __future__ import annotations

import io
import json
import struct
import wave
import zlib
from pathlib import Path
from typing import Any

import aiohttp
from PIL import Image

from hub.domain.media.storage import LocalStorage, S3Storage, get_storage
from hub.http.app import Hub
from tests.api import Api

PREFLIGHT = {"GraphQL-Require-Preflight": "1"}


def wav(seconds: float = 1.5, rate: int = 8000) -> bytes:
    """Mono 16-bit PCM silence with a tone-free body: a valid WAV mutagen can read."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x01" * int(seconds * rate))
    return buffer.getvalue()


def png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header declares ``width``×``height`` pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def mp4(seconds: float = 2.5) -> bytes:
    """A minimal ISO-BMFF (MP4) file: the boxes that say its type and duration, no frames."""

    def box(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", 8 + len(data)) + kind + data

    units = int(seconds * 1000)
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = box(b"mvhd", struct.pack(">B3xIIII", 0, 0, 0, 1000, units) + b"\x00" * 80)
    mdhd = box(b"mdhd", struct.pack(">B3xIIIIHH", 0, 0, 0, 1000, units, 0, 0))
    hdlr = box(b"hdlr", struct.pack(">B3xI", 0, 0) + b"vide" + b"\x00" * 12 + b"v\x00")
    return ftyp + box(b"moov", mvhd + box(b"trak", box(b"mdia", mdhd + hdlr)))


def executable() -> bytes:
    """The start of a Windows executable (an MZ header with a PE signature)."""
    body = bytearray(b"MZ" + b"\x90" * 512)
    body[0x3C:0x40] = struct.pack("<I", 0x80)
    body[0x80:0x84] = b"PE\x00\x00"
    return bytes(body)


async def upload(
    api: Api, query: str, variables: dict[str, Any], files: dict[str, tuple[str, bytes, str]],
    *, token: str | None, headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST a GraphQL multipart request: ``files`` maps a variable path (``input.file``) to
    (file name, bytes, the client's content type)."""
    form = aiohttp.FormData()
    form.add_field("operations", json.dumps({"query": query, "variables": variables}))
    form.add_field("map", json.dumps({str(i): [f"variables.{path}"] for i, path in enumerate(files)}))
    for i, (name, data, content_type) in enumerate(files.values()):
        form.add_field(str(i), data, filename=name, content_type=content_type)
    all_headers = {**PREFLIGHT, **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    response = await api.client.post("/graphql", data=form, headers=all_headers)
    text = await response.text()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, {"text": text}


async def stored_blobs(hub: Hub) -> set[str]:
    """The SHA-256 of every blob in the hub's storage (files or objects)."""
    storage = get_storage(hub.settings)
    if isinstance(storage, LocalStorage):
        if not storage.root.exists():
            return set()
        return {path.name for path in storage.root.rglob("*") if path.is_file()}
    assert isinstance(storage, S3Storage)
    async with storage._client() as client:
        listed = await client.list_objects_v2(Bucket=storage.bucket, Prefix=storage.prefix + "/")
    return {item["Key"].rsplit("/", 1)[-1] for item in listed.get("Contents", [])}


def spooled(hub: Hub) -> list[Path]:
    directory = hub.settings.data_dir / "uploads"
    return sorted(directory.iterdir()) if directory.exists() else []


async def nothing_left_behind(hub: Hub) -> None:
    assert spooled(hub) == []
    assert await hub.db.fetchval("select count(*) from blobs") == 0
    assert await stored_blobs(hub) == set()
