"""The type of a file, from its bytes: the client's Content-Type and file name are ignored.

``filetype`` knows the binary formats by their magic numbers; it has no opinion on text, so a
head of valid UTF-8 without NUL bytes is ``text/plain``; anything else is
``application/octet-stream``.
"""

from __future__ import annotations

from pathlib import Path

import filetype

HEAD_BYTES = 8192
OCTET_STREAM = "application/octet-stream"

# filetype's names for a few types differ from the registered ones clients expect.
_CANONICAL = {"audio/x-wav": "audio/wav", "audio/x-flac": "audio/flac"}


def sniff_bytes(head: bytes) -> str:
    """The MIME type of a file starting with ``head`` (its first few KiB)."""
    kind = filetype.guess(head)
    if kind is not None:
        return _CANONICAL.get(kind.mime, kind.mime)
    return "text/plain" if _looks_like_text(head) else OCTET_STREAM


def sniff_file(path: Path) -> str:
    with path.open("rb") as file:
        return sniff_bytes(file.read(HEAD_BYTES))


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head may end inside a multi-byte character: only that is forgiven.
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True
