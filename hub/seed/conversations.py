"""Demo comments, added to the demo community by :func:`hub.seed.seed_demo`: threads under
some published records — moments of songs and films, passages of stories, mentions of the
author, replies, an edit — written through the slice's service, so every comment passes the
checks a client's would (anchors within the media, mentions of real members)."""

from __future__ import annotations

import random

from hub.core.db import Executor
from hub.domain.conversations import service
from hub.plugins import HubPlugins

_REMARKS = (
    "This is lovely, @{author}.",
    "The **texture** here is something else.",
    "Could I remix this? Asking before I try, @{author}.",
    "Came back to this three times today.",
    "The ending caught me off guard, in a good way.",
)
_REPLIES = ("Thank you!", "Go for it: the lineage will credit me.", "Same here.")


async def seed_conversations(tx: Executor, plugins: HubPlugins, rng: random.Random,
                             threads: int = 40) -> int:
    """``threads`` threads on published records; returns how many comments were made."""
    members = [row["id"] for row in await tx.fetch("select id from members order by id")]
    records = await tx.fetch(
        "select r.id, r.author_id, m.handle from records r join members m "
        "on m.id = r.author_id where r.status = 'PUBLISHED' and r.deleted_at is null "
        "order by r.id")
    made = 0
    for record in rng.sample(list(records), min(threads, len(records))):
        commenter = rng.choice([m for m in members if m != record["author_id"]])
        anchor = service.Anchor()
        span = await service.anchor_span(tx, plugins, record["id"])  # as its plugin says
        if span.duration_seconds:
            anchor = service.Anchor(at_seconds=float(rng.randint(0, int(span.duration_seconds))))
        elif span.text:
            words = span.text.split()
            quote = rng.choice(words[:20]) if words else ""
            if quote:
                anchor = service.Anchor(quote=quote, quote_offset=span.text.index(quote))
        body = rng.choice(_REMARKS).format(author=record["handle"])
        root = await service.add_comment(tx, plugins, commenter, "Record", record["id"], body,
                                         anchor, reply_to=None)
        made += 1
        if rng.random() < 0.5:
            await service.add_comment(tx, plugins, record["author_id"], "", 0,
                                      rng.choice(_REPLIES), service.Anchor(), reply_to=root)
            made += 1
        if rng.random() < 0.1:
            await service.edit_comment(tx, commenter, root, body + " (Edited: still true.)")
    return made
