"""A cache keyed by an object's identity, whose entries live exactly as long as the object.

``weakref.WeakKeyDictionary`` hashes its keys by value; a parsed GraphQL document hashes its
whole tree on every lookup (~0.2 ms for a page's document), so that would cost more than it
saves. Identity is the right key for "this parsed document", and the weak reference's
finalizer drops the entry when the document is collected.
"""

from __future__ import annotations

import weakref
from typing import Any, Generic, TypeVar

Value = TypeVar("Value")


class IdentityCache(Generic[Value]):
    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Any], Value]] = {}

    def get(self, key: object) -> Value | None:
        entry = self._entries.get(id(key))
        if entry is None or entry[0]() is not key:
            return None
        return entry[1]

    def __setitem__(self, key: object, value: Value) -> None:
        identity = id(key)
        self._entries[identity] = (weakref.ref(key, lambda _ref: self._drop(identity, _ref)),
                                   value)

    def _drop(self, identity: int, ref: weakref.ref[Any]) -> None:
        entry = self._entries.get(identity)
        if entry is not None and entry[0] is ref:
            del self._entries[identity]

    def __len__(self) -> int:
        return len(self._entries)
