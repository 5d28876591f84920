"""Demo data: a believable small community, generated deterministically.

``recordhub seed --demo`` (and ``serve --demo`` on an empty database) creates it. Every demo
member's password is :data:`DEMO_PASSWORD`; ``ada`` is an ADMIN and ``eddie`` an EDITOR.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from hub.core.config import Settings
from hub.core.db import Database
from hub.domain.members import auth
from hub.plugins import HubPlugins
from hub.seed.classes import seed_classes
from hub.seed.collaborations import seed_collaborations
from hub.seed.community import seed_community
from hub.seed.compilations import seed_compilations
from hub.seed.conversations import seed_conversations
from hub.seed.lineage import seed_lineage
from hub.seed.notifications import seed_notifications
from hub.seed.samples import sample_details

DEMO_PASSWORD = "recordhub-demo"
MEMBERS = 48
RECORDS_PER_MEDIA_TYPE = 200

FIRST = ["Ada", "Eddie", "Maya", "Jonah", "Priya", "Luis", "Noor", "Kofi", "Ines", "Tomas",
         "Yuki", "Amara", "Felix", "Sana", "Oskar", "Lena", "Ravi", "Mira", "Dario", "Zoe",
         "Idris", "Hana", "Marek", "Ayla", "Bruno", "Chiara", "Dev", "Elif", "Gus", "Iris",
         "Jude", "Kira", "Leo", "Mei", "Nico", "Olu", "Pia", "Quinn", "Rosa", "Sami", "Tess",
         "Uma", "Vik", "Wren", "Xavi", "Yara", "Zeke", "Alba"]
LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Reyes", "Novak", "Haddad", "Mensah",
        "Costa", "Fischer", "Kowalski", "Santos", "Nakamura", "Petrov", "Silva", "Bauer"]
SKILLS = ["songwriting", "guitar", "production", "mixing", "vocals", "drums", "piano",
          "screenwriting", "directing", "editing", "cinematography", "animation", "poetry",
          "fiction", "illustration", "sound design", "rap", "acting"]
ADJECTIVES = ["Quiet", "Electric", "Paper", "Golden", "Midnight", "Borrowed", "Salt", "Velvet",
              "Northern", "Hollow", "Second", "Restless", "Small", "Burning", "Glass", "Open"]
NOUNS = ["Harbor", "Letters", "Static", "Orchard", "Lanterns", "Tides", "Engines", "Rooms",
         "Weather", "Satellites", "Rivers", "Mirrors", "Streets", "Birds", "Summer", "Signals"]


def _title(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


async def demo_is_seeded(db: Database) -> bool:
    return bool(await db.fetchval("select exists (select 1 from members)"))


async def seed_demo(
    db: Database, plugins: HubPlugins, *, progress: Callable[[str, int], None] | None = None,
    seed: int = 7, settings: Settings | None = None,
) -> dict[str, int]:
    """Insert the demo community in one transaction; returns how many of each were made.
    With ``settings`` (where publication files are stored), also a published compilation per
    publishing target, with a finalized payout (hub/seed/compilations.py)."""
    rng = random.Random(seed)
    report = progress or (lambda _label, _n: None)
    password_hash = await auth.hash_password(DEMO_PASSWORD)
    now = dt.datetime.now(dt.UTC)
    async with db.transaction() as tx:
        member_ids = []
        for i in range(MEMBERS):
            handle = FIRST[i].lower() if i < len(FIRST) else f"member{i}"
            display = f"{FIRST[i % len(FIRST)]} {rng.choice(LAST)}"
            role = "ADMIN" if handle == "ada" else "EDITOR" if handle == "eddie" else "MEMBER"
            skills = rng.sample(SKILLS, rng.randint(1, 4))
            member_id = await tx.fetchval(
                """insert into members (handle, display_name, bio, skills, role, password_hash,
                                        created_at)
                   values ($1, $2, $3, $4, $5, $6, $7) returning id""",
                handle, display, f"{display.split()[0]} works on {' and '.join(skills)}.",
                skills, role, password_hash, now - dt.timedelta(days=400 - i),
            )
            member_ids.append(member_id)
            report("members", 1)
        records = 0
        for media_type in plugins.media_types:
            rows = []
            samples = await sample_details(plugins, media_type, RECORDS_PER_MEDIA_TYPE,
                                           rng.randrange(2**32))
            for details, text in samples:
                created = now - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 180))
                status = "PUBLISHED" if rng.random() < 0.9 else "DRAFT"
                title = _title(rng)
                rows.append((
                    rng.choice(member_ids), media_type, title,
                    f"A {media_type} piece about {title.split()[1].lower()}.",
                    rng.sample(["collab", "remixable", "demo", "lofi", "live", "draft-idea",
                                "night", "city", "nature"], rng.randint(0, 3)),
                    rng.choice(["CC_BY_4_0", "CC_BY_SA_4_0", "CC_BY_NC_4_0"]), status,
                    details, text, created, created if status == "PUBLISHED" else None,
                ))
            if not rows:
                continue
            await tx.executemany(
                """insert into records (author_id, media_type, title, description, tags, license,
                                        status, details, details_text, created_at, published_at,
                                        updated_at)
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10)""",
                rows,
            )
            records += len(rows)
            report("records", len(rows))
        remix_links = await seed_lineage(tx, rng)
        classes = await seed_classes(tx, now)
        collaborations = await seed_collaborations(tx, now, random.Random(seed))
        compilations = (await seed_compilations(tx, db, plugins, settings, rng.randrange(2**32))
                        if settings else 0)
        community = await seed_community(tx, now, random.Random(seed))
        comments = await seed_conversations(tx, plugins, random.Random(seed))
        notifications = await seed_notifications(tx)
    return {"members": len(member_ids), "records": records, "classes": classes,
            "remix_links": remix_links, "compilations": compilations,
            "collaborations": collaborations, "hearts": community["hearts"],
            "follows": community["follows"], "comments": comments,
            "notifications": notifications}
