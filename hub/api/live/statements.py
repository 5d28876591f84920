"""One statement for many groups: each group's compiled statement is bound as for a request —
the viewer's id as ``$1``, the variables after it — with the signed-in text for anonymous
groups too (a null ``$1`` answers as the anonymous text would), and the groups sharing one
text are answered by one statement whose rows carry each group's values as arrays::

    select q.data from unnest($1::bigint[], $2::bigint[]) with ordinality as m(p1, p2, ord)
      cross join lateral (<the group's statement, $n read as m.pn>) as q(data) order by m.ord
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson
from cachetools import LRUCache

from hub.api.live.plan import LivePlan
from hub.core.db import Database
from hub.core.events import Event
from hub.realtime.multiplex import Prebuilt

STATEMENTS_KEPT = 256
# A placeholder and its cast, outside string constants (twins write standard constants only).
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\$(\d+)(?:::([a-z_][a-z_0-9]*(?:\[\])?))?")

# A group's arguments: the viewer's id, the subscription's variables, the field's arguments.
Group = tuple[int | None, dict[str, Any], Any]


async def run(db: Database, live: LivePlan, event: Event,
              groups: Sequence[Group]) -> list[Prebuilt | None]:
    """The payloads of ``groups`` for ``event`` (None: not to be sent): one statement for the
    groups whose statements share a text (all of them, unless their variables take different
    shapes). Arguments the resolvers would refuse (an event's id that is no record's…) raise
    :class:`NotCompilable`: the batch fails, and each subscription renders its own, as the
    field's render decides."""
    answers: list[Prebuilt | None] = [None] * len(groups)
    by_text: dict[tuple[str, bytes], list[tuple[int, list[Any]]]] = {}
    for index, (viewer_id, variables, _) in enumerate(groups):
        text, parameters = live.bound(event, viewer_id, variables)
        multiplexed = _multiplexed(text)
        fixed = b"" if multiplexed is None else orjson.dumps(
            [parameters[n - 1] for n in multiplexed[2]], default=repr)
        by_text.setdefault((text, fixed), []).append((index, parameters))
    for (text, _), members in by_text.items():
        multiplexed = _multiplexed(text)
        if multiplexed is None or len(members) == 1:
            for index, parameters in members:
                answers[index] = _prebuilt(live, event, await db.fetchval(text, *parameters),
                                           groups[index][2])
            continue
        statement, columns, once = multiplexed
        arrays = [[parameters[n - 1] for _, parameters in members] for n in columns]
        constants = [members[0][1][n - 1] for n in once]
        rows = await db.fetch(statement, *arrays, *constants)
        for (index, _), row in zip(members, rows, strict=True):
            answers[index] = _prebuilt(live, event, row["data"], groups[index][2])
    return answers


def _prebuilt(live: LivePlan, event: Event, answer: str | None, arguments: Any,
              ) -> Prebuilt | None:
    data = live.data(event, orjson.loads(answer), arguments) if answer else None
    return None if data is None else Prebuilt(data)


_statements: LRUCache[str, tuple[str, list[int], list[int]] | None] = LRUCache(STATEMENTS_KEPT)


def _multiplexed(text: str) -> tuple[str, list[int], list[int]] | None:
    """``text`` answering many groups at once: the statement, the placeholders passed as
    arrays of the groups' values (one column each) and those passed once (array-typed
    values: ``unnest`` would flatten them; the batch is split by their values). None when a
    placeholder has no cast to type its column."""
    if text in _statements:
        return _statements[text]
    casts: dict[int, str] = {}
    for match in _PLACEHOLDER.finditer(text):
        if match[1] is None:
            continue
        if not match[2] or casts.setdefault(int(match[1]), match[2]) != match[2]:
            _statements[text] = None
            return None
    columns = sorted(n for n, cast in casts.items() if not cast.endswith("[]"))
    if not columns:
        _statements[text] = None
        return None
    fixed = sorted(n for n, cast in casts.items() if cast.endswith("[]"))
    renumbered = {n: f"${len(columns) + position}" for position, n in enumerate(fixed, 1)}

    def rewrite(match: re.Match[str]) -> str:
        if match[1] is None:
            return match[0]
        n = int(match[1])
        return f"{renumbered[n]}::{match[2]}" if n in renumbered else f"m.p{n}::{match[2]}"

    unnest = ", ".join(f"${position}::{casts[n]}[]" for position, n in enumerate(columns, 1))
    names = ", ".join(f"p{n}" for n in columns)
    statement = (f"select q.data from unnest({unnest}) with ordinality as m({names}, ord) "
                 f"cross join lateral ({_PLACEHOLDER.sub(rewrite, text)}) as q(data) "
                 f"order by m.ord")
    result = _statements[text] = (statement, columns, fixed)
    return result
