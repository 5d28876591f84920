"""Download URLs of blobs: plain for public ones, signed (HMAC, expiring) for the others.

Built here, in the domain, so that the API layer can give URLs without importing the HTTP
layer; hub/http/media.py and hub/http/publications.py serve them and check the signatures.
The key is ``HUB_SECRET_KEY``; when unset, the hub generates one and keeps it in
``HUB_DATA_DIR/secret_key`` (set it explicitly when several hubs serve the same files).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import quote

from hub.core.config import Settings

SIGNED_URL_HOURS = 1
_keys: dict[Path, bytes] = {}


def secret_key(settings: Settings) -> bytes:
    """``HUB_SECRET_KEY``, or the key generated once and kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.data_dir / "secret_key"
    if path not in _keys:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
        _keys[path] = path.read_text().strip().encode()
    return _keys[path]


def signature(settings: Settings, sha256: str, expires: int) -> str:
    digest = hmac.new(secret_key(settings), f"{sha256}:{expires}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def media_path(settings: Settings, sha256: str, *, public: bool, now: float | None = None) -> str:
    """The path of a blob's download URL, signed unless ``public``."""
    if public:
        return f"/media/{sha256}"
    hour = 3600
    expires = (int(now if now is not None else time.time()) // hour + 1 + SIGNED_URL_HOURS) * hour
    return f"/media/{sha256}?expires={expires}&signature={signature(settings, sha256, expires)}"



def publication_path(sha256: str, name: str) -> str:
    """The path of a publication's file (public: publications are)."""
    return f"/publications/{sha256}/{quote(name)}"
