"""Demo collaborations, added to the demo community by :func:`hub.seed.seed_demo`, made
through the slice's own rules (hub/domain/collaborations): an OPEN call in two steps with
contributions in every state (offered, shortlisted, accepted, declined with a reason, an
accepted one withdrawn), a CLOSED one, a COMPLETED one with its results and credits, and a
DRAFT only its owners see."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from hub.core.db import Executor
from hub.domain.collaborations import contributions, service
from hub.domain.collaborations.service import NeedSpec, StepSpec

OWNERS = ("ada", "maya")


class _Picker:
    """Published records by media type, each offered once, by members other than the owners."""

    def __init__(self, rows: list[Any], rng: random.Random) -> None:
        self.by_type: dict[str, list[Any]] = {}
        for row in rows:
            self.by_type.setdefault(row["media_type"], []).append(row)
        for found in self.by_type.values():
            rng.shuffle(found)

    def media_types(self) -> list[str]:
        """The media types with the most records first ("writing" and "music" in the demo)."""
        return sorted(self.by_type, key=lambda key: (-len(self.by_type[key]), key))

    def take(self, media_type: str) -> Any:
        return self.by_type[media_type].pop()


async def seed_collaborations(tx: Executor, now: dt.datetime, rng: random.Random) -> int:
    owners = {row["handle"]: row["id"] for row in await tx.fetch(
        "select id, handle from members where handle = any($1::text[])", list(OWNERS))}
    if len(owners) < len(OWNERS):
        return 0
    picker = _Picker(await tx.fetch(
        """select id, author_id, media_type from records
           where status = 'PUBLISHED' and deleted_at is null and author_id <> all($1::bigint[])
           order by id""", list(owners.values())), rng)
    kinds = picker.media_types()
    if len(kinds) < 2:
        return 0
    words, sound = kinds[0], kinds[1]
    lead, co = owners["ada"], owners["maya"]
    types = set(picker.by_type)

    async def call(title: str, brief: str, tags: list[str], counts: tuple[int, int]) -> Any:
        row = await service.create(
            tx, lead, title=title, brief=brief, deadline=now + dt.timedelta(days=60), tags=tags,
            media_types=types, steps=[
                StepSpec("Words", now + dt.timedelta(days=20), "The text everything builds on.",
                         [NeedSpec(words, counts[0], "lyrics", "Verses and a chorus.")]),
                StepSpec("Sound", now + dt.timedelta(days=45), "Music for the chosen words.",
                         [NeedSpec(sound, counts[1], "piano", "A tune for the words.")]),
            ])
        await service.add_owner(tx, lead, row["id"], co)
        await service.move(tx, lead, row["id"], "OPEN")
        return row

    async def offered(row: Any, step: int, note: str) -> Any:
        need = await tx.fetchrow(
            """select n.id, n.media_type from collaboration_needs n
               join collaboration_steps s on s.id = n.step_id
               where s.collaboration_id = $1 and s.position = $2""", row["id"], step)
        assert need is not None, f"step {step} of the demo call has no need"
        record = picker.take(need["media_type"])
        contribution, _ = await contributions.offer(
            tx, record["author_id"], need_id=need["id"], record_id=record["id"], note=note,
            sources=None)
        return contribution

    # OPEN: every state of a contribution.
    song = await call("The lighthouse song", "We're writing a **song about the lighthouse** on "
                      "the north cape. First the words, then the music.\n\n"
                      "- keep it under four minutes\n- credit goes to every pick",
                      ["sea", "song"], (1, 3))
    await contributions.accept(tx, lead, (await offered(song, 1, "Two verses, one chorus."))["id"])
    await contributions.decline(tx, co, (await offered(song, 1, "A sonnet."))["id"],
                                "Lovely, but we need a chorus to sing.")
    await contributions.shortlist(tx, lead, (await offered(song, 1, "Short and sad."))["id"])
    await offered(song, 2, "Slow piano, minor key.")
    withdrawn = await offered(song, 2, "Upbeat version.")
    await contributions.accept(tx, lead, withdrawn["id"])
    await contributions.withdraw(tx, withdrawn["contributor_id"], withdrawn["id"])
    await contributions.accept(tx, co, (await offered(song, 2, "Strings and piano."))["id"])

    # CLOSED: decisions made, no new offers.
    harbor = await call("Harbor nights", "Night sounds and words from the harbor.",
                        ["night", "city"], (2, 1))
    await contributions.accept(tx, lead, (await offered(harbor, 1, "A night walk."))["id"])
    await offered(harbor, 1, "Fog horn haiku.")
    await contributions.decline(tx, lead, (await offered(harbor, 2, "Field recording."))["id"],
                                "Too noisy for the words.")
    await service.move(tx, lead, harbor["id"], "CLOSED")

    # COMPLETED: its picks are its results, its contributors its credits.
    lanterns = await call("Paper lanterns", "A short piece for the lantern festival.",
                          ["festival"], (1, 1))
    await contributions.accept(tx, lead, (await offered(lanterns, 1, "Lantern verses."))["id"])
    music = await offered(lanterns, 2, "A tune for the lanterns.")
    await contributions.accept(tx, co, music["id"])
    await service.move(tx, lead, lanterns["id"], "COMPLETED", [music["record_id"]])

    # DRAFT: its owners' only.
    await service.create(tx, co, title="Winter tide (draft)", brief="Still planning.",
                         deadline=now + dt.timedelta(days=90), tags=["draft-idea"],
                         media_types=types, steps=[StepSpec(
                             "Words", now + dt.timedelta(days=30), "",
                             [NeedSpec(words, 2, "", "Anything about the winter sea.")])])
    return 4
