"""Passwords (argon2) and bearer tokens (opaque, random, stored as SHA-256 hashes)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.core.errors import ErrorCode, InputProblem

HANDLE_PATTERN = re.compile(r"^[A-Za-z0-9_]{3,30}$")
MIN_PASSWORD_LENGTH = 10
# argon2 cost grows with input; a cap keeps a 10 MB "password" from being a denial of service.
MAX_PASSWORD_LENGTH = 256
_COMMON_PASSWORDS = frozenset({
    "password12", "password123", "1234567890", "qwertyuiop", "0123456789", "iloveyou12",
    "passw0rd12", "letmein123", "1q2w3e4r5t", "qwerty1234", "abcdefghij", "administrator",
})

_hasher = PasswordHasher()
# Verified against when a handle does not exist, so a wrong handle costs the same time as a
# wrong password and response times do not reveal which handles exist.
_DUMMY_HASH = _hasher.hash("not a real password, only a timing decoy")


def check_handle(handle: str) -> str:
    if not HANDLE_PATTERN.match(handle):
        raise InputProblem(
            ErrorCode.INVALID_HANDLE,
            "A handle is 3 to 30 letters, digits or underscores.", "handle",
        )
    return handle


def check_password(password: str, handle: str | None) -> str:
    """``password`` if it is strong enough for a member named ``handle`` (None while the
    handle itself is invalid)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputProblem(
            ErrorCode.WEAK_PASSWORD,
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", "password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputProblem(
            ErrorCode.TOO_LONG,
            f"A password has at most {MAX_PASSWORD_LENGTH} characters.", "password",
        )
    lowered = password.lower()
    has_handle = handle is not None and handle.lower() in lowered
    if lowered in _COMMON_PASSWORDS or len(set(password)) < 4 or has_handle:
        raise InputProblem(
            ErrorCode.WEAK_PASSWORD,
            "This password is too easy to guess: avoid common passwords, repeated characters "
            "and your handle.", "password",
        )
    return password


async def hash_password(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU on purpose: keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
        except (VerificationError, InvalidHashError):
            return False

    ok = await asyncio.to_thread(verify)
    return ok and password_hash is not None


def new_token() -> str:
    return "rh_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def session_ref(token_hash: bytes) -> str:
    """A name for a session that events may carry (``member.session_revoked``) and every hub
    instance can match against its open WebSockets: derived from the token's hash, and useless
    for signing in (neither the token nor its stored hash can be recovered from it)."""
    return hashlib.sha256(b"recordhub session:" + token_hash).hexdigest()[:32]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None when absent."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""  # present but malformed: the caller rejects it
    return token.strip()
