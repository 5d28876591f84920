"""Demo Class Projects for ``recordhub seed --demo``: three classes with lessons, subscribed
learners enrolled in them, their submissions and feedback.

Runs inside the demo seed's transaction, after the members and records exist. Instructors and
learners are demo handles (maya teaches songwriting with ada as co-instructor, jonah teaches
screenwriting, priya teaches writing a verse); the learners have ACTIVE subscriptions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hub.core.db import Executor
from hub.domain.classes import store
from hub.domain.members.subscriptions import SubscriptionChange, SubscriptionStatus, apply_subscription

LEARNERS = ("luis", "noor", "kofi", "ines", "tomas", "yuki")

CLASSES: list[dict[str, Any]] = [
    {
        "slug": "songwriting-from-a-single-line", "title": "Songwriting from a Single Line",
        "skill": "songwriting", "level": "BEGINNER", "instructors": ("maya", "ada"),
        "free_preview": True,
        "summary": "Grow a whole song out of one line you can't stop humming.",
        "description": "Five short lessons: find the line, build a verse around it, earn the "
                       "chorus, write the bridge, finish and share a rough demo.",
        "lessons": [
            ("Find your line", "Keep a notebook for a week; circle the line that sings.",
             "Post a voice memo of one line, sung or spoken."),
            ("Build the verse", "A verse shows; it does not tell. Pick three concrete images.",
             "Write and record a first verse around your line."),
            ("Earn the chorus", "The chorus says what the verses made us feel.",
             "Record a chorus that lifts out of your verse."),
            ("The bridge", "Change one thing: the key, the rhythm, or the point of view.",
             "Record a bridge of four to eight bars."),
        ],
        "enrolled": ("luis", "noor", "kofi", "ines"),
    },
    {
        "slug": "the-one-page-screenplay", "title": "The One-Page Screenplay",
        "skill": "screenwriting", "level": "INTERMEDIATE", "instructors": ("jonah",),
        "free_preview": False,
        "summary": "Write, shoot and cut a film that fits on a single page.",
        "description": "Screenplay format, a scene with a turn, and a one-day shoot.",
        "lessons": [
            ("One page, one turn", "Every scene turns: someone wants something and it changes.",
             "Write a one-page scene with a single turn."),
            ("Format that reads", "Sluglines, action, dialogue: keep the page fast.",
             "Rewrite your page in screenplay format."),
            ("Shoot it in a day", "Three setups, natural light, sound first.",
             "Post your cut, under three minutes."),
        ],
        "enrolled": ("tomas", "yuki", "noor"),
    },
    {
        "slug": "writing-a-verse", "title": "Writing a Verse",
        "skill": "rap", "level": "BEGINNER", "instructors": ("priya",),
        "free_preview": True,
        "summary": "Sixteen bars, from the first rhyme to the last breath.",
        "description": "Rhyme schemes, internal rhyme, breath control and the punchline.",
        "lessons": [
            ("Rhyme maps", "Map the vowels, not the letters.", "Write four bars with a rhyme map."),
            ("Flow and breath", "Mark where you breathe; the beat needs gaps.",
             "Record eight bars over any beat."),
        ],
        "enrolled": ("kofi", "yuki"),
    },
]


async def _ids_by_handle(tx: Executor) -> dict[str, int]:
    return {row["handle"]: row["id"] for row in await tx.fetch("select id, handle from members")}


async def _published(tx: Executor, author_id: int | None, media_type: str | None) -> int | None:
    """The oldest published record of ``author_id`` (any author when None) of ``media_type``."""
    return await tx.fetchval(
        """select id from records where status = 'PUBLISHED' and deleted_at is null
             and ($1::bigint is null or author_id = $1) and ($2::text is null or media_type = $2)
           order by id limit 1""",
        author_id, media_type,
    )


async def seed_classes(tx: Executor, now: dt.datetime) -> int:
    """Create the demo classes; returns how many were made (0 when the demo members are absent)."""
    members = await _ids_by_handle(tx)
    needed = {h for spec in CLASSES for h in (*spec["instructors"], *spec["enrolled"])}
    if not needed <= members.keys():
        return 0
    active = SubscriptionChange(SubscriptionStatus.ACTIVE, "monthly", now + dt.timedelta(days=30))
    for handle in LEARNERS:
        await apply_subscription(tx, members[handle], active, "cli")
    video = await _published(tx, None, "film")
    for spec in CLASSES:
        await _seed_class(tx, spec, members, video)
    return len(CLASSES)


async def _seed_class(tx: Executor, spec: dict[str, Any], members: dict[str, int],
                      video: int | None) -> None:
    lead, *co = (members[h] for h in spec["instructors"])
    row = await store.insert_class(
        tx, slug=spec["slug"], title=spec["title"], summary=spec["summary"],
        description=spec["description"], skill=spec["skill"], level=spec["level"],
        free_preview=spec["free_preview"], created_by=lead,
    )
    for member_id in co:
        await store.add_instructor(tx, row["id"], member_id)
    lessons = [
        await store.insert_lesson(tx, class_id=row["id"], title=title, body=body, prompt=prompt,
                                  video_record_id=video if i == 0 else None)
        for i, (title, body, prompt) in enumerate(spec["lessons"])
    ]
    await store.update_class(tx, row["id"], {"status": "PUBLISHED", "published_at": row["created_at"]})
    for n, handle in enumerate(spec["enrolled"]):
        learner = members[handle]
        await store.insert_enrollment(tx, row["id"], learner)
        for lesson in lessons[: n % len(lessons) + 1]:
            await store.insert_completion(tx, learner, lesson["id"])
        record = await _published(tx, learner, None)
        if record is None:
            continue
        submission = await store.insert_submission(tx, row["id"], lessons[0]["id"], learner, record)
        if submission is not None:
            await store.insert_feedback(tx, submission["id"], lead,
                                        "Strong start. What happens if you cut the first line?")
