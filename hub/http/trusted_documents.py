"""Trusted documents (an operation allowlist) and automatic persisted queries.

* ``HUB_TRUSTED_DOCUMENTS=manifest.json``: only operations in the manifest run. The manifest
  maps ``sha256:<hex of the document text>`` to the document, and is generated from
  ``schema/operations/`` by ``recordhub trusted-documents``. Clients may send the document
  text (it must hash to an entry) or just its id, as ``documentId`` or as Apollo's
  ``extensions.persistedQuery.sha256Hash``.
* ``HUB_PERSISTED_QUERIES=true`` (development and open deployments): automatic persisted
  queries. A client sends the hash alone; an unknown hash answers ``PERSISTED_QUERY_NOT_FOUND``
  and the client resends with the text, which the hub then remembers (per process, bounded:
  the most recently used documents up to :data:`APQ_CAPACITY_BYTES` of text).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from cachetools import LRUCache

# Remembered documents are bounded by their total size: a few thousand typical operations, and
# never more than this much memory however large the documents sent.
APQ_CAPACITY_BYTES = 16 * 1024 * 1024


class DocumentRefused(Exception):
    """The request's document may not run; ``code`` goes to ``extensions.code``."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def document_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def build_manifest(paths: Iterable[Path]) -> dict[str, str]:
    return {document_id(path.read_text()): path.read_text() for path in sorted(paths)}


def load_manifest(path: Path) -> dict[str, str]:
    data = orjson.loads(path.read_bytes())
    documents = data.get("documents", data) if isinstance(data, dict) else None
    if not isinstance(documents, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and document_id(v) == k
        for k, v in documents.items()
    ):
        raise ValueError(f"{path}: not a trusted-documents manifest (sha256 id → text)")
    return documents


def _requested_id(body: dict[str, Any]) -> str | None:
    if isinstance(body.get("documentId"), str):
        raw = body["documentId"]
        return raw if raw.startswith("sha256:") else f"sha256:{raw}"
    extensions = body.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if isinstance(persisted, dict) and isinstance(persisted.get("sha256Hash"), str):
        return "sha256:" + persisted["sha256Hash"]
    return None


class DocumentGate:
    """Decides which document a request runs, per the hub's settings."""

    def __init__(self, manifest: dict[str, str] | None, persisted_queries: bool) -> None:
        self.manifest = manifest
        self.persisted_queries = persisted_queries
        self._apq: LRUCache[str, str] = LRUCache(maxsize=APQ_CAPACITY_BYTES, getsizeof=len)

    @property
    def active(self) -> bool:
        return self.manifest is not None or self.persisted_queries

    def resolve(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with its ``query`` filled in or checked; raises :class:`DocumentRefused`."""
        requested = _requested_id(body)
        text = body.get("query") if isinstance(body.get("query"), str) else None
        if text is not None and requested is not None and document_id(text) != requested:
            raise DocumentRefused("PERSISTED_QUERY_HASH_MISMATCH",
                                  "The document does not match its sha256 id.", 400)
        if self.manifest is not None:
            return self._trusted(body, text, requested)
        return self._automatic(body, text, requested)

    def _trusted(self, body: dict[str, Any], text: str | None, requested: str | None) -> dict:
        manifest = self.manifest
        assert manifest is not None  # only called with a manifest (resolve above)
        key = document_id(text) if text is not None else requested
        if key is None or key not in manifest:
            raise DocumentRefused(
                "UNTRUSTED_DOCUMENT",
                "This hub runs trusted documents only, and this operation is not one of them.",
                400,
            )
        return {**body, "query": manifest[key]}

    def _automatic(self, body: dict[str, Any], text: str | None, requested: str | None) -> dict:
        if requested is None:
            return body
        if text is not None:
            if len(text) <= APQ_CAPACITY_BYTES:  # larger ones run, unremembered
                self._apq[requested] = text
            return body
        known = self._apq.get(requested)
        if known is None:
            # Apollo clients expect 200 with this code, then resend the full text.
            raise DocumentRefused("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound", 200)
        return {**body, "query": known}
