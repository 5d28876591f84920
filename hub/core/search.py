"""Caps on full-text search arguments (``filter.search`` of records, members and classes):
a search is parsed and matched by PostgreSQL, and an unbounded one is a weapon (an anonymous
600 KB query held a connection until the statement timeout)."""

from __future__ import annotations

import re

from hub.core.errors import BadRequest

# Free-text search (PostgreSQL's websearch_to_tsquery): the text and its words are capped so a
# search can neither hold a connection with a huge query nor make one that negates every row.
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_TERMS = 20
_TERM = re.compile(r"\w+")


def checked_search(text: str | None, argument: str = "filter.search") -> str | None:
    """``text`` when within :data:`MAX_SEARCH_LENGTH` characters and :data:`MAX_SEARCH_TERMS`
    words; a ``BAD_USER_INPUT`` error naming the cap otherwise. Checked before any SQL, by the
    resolvers and by the compiled path alike."""
    if text is None:
        return None
    if len(text) > MAX_SEARCH_LENGTH:
        raise BadRequest(
            f"{argument} is {len(text):,} characters; the maximum is {MAX_SEARCH_LENGTH}.",
            limit=MAX_SEARCH_LENGTH, argument=argument,
        )
    terms = len(_TERM.findall(text))
    if terms > MAX_SEARCH_TERMS:
        raise BadRequest(
            f"{argument} has {terms:,} terms; the maximum is {MAX_SEARCH_TERMS}.",
            limit=MAX_SEARCH_TERMS, argument=argument,
        )
    return text
