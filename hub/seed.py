"""Demo data: a believable small community, generated deterministically.

``recordhub seed --demo`` (and ``serve --demo`` on an empty database) creates it. Every demo
member's password is :data:`DEMO_PASSWORD`; ``ada`` is an ADMIN and ``eddie`` an EDITOR.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from hub.classes.demo import seed_classes
from hub.compilations.demo import seed_compilations
from hub.config import Settings
from hub.db import Database
from hub.lineage.demo import seed_lineage
from hub.members import auth
from hub.plugins import HubPlugins

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
GENRES = {"music": ["indie folk", "hip hop", "ambient", "soul", "electronic", "jazz", "rock"],
          "film": ["drama", "comedy", "documentary", "experimental", "sci-fi", "music video"]}
INSTRUMENTS = ["guitar", "piano", "synth", "drums", "bass", "cello", "voice", "trumpet"]
KEYS = ["C major", "A minor", "G major", "E minor", "F# minor", "Bb major", "D minor"]
RATIOS = ["16:9", "2.39:1", "4:3", "1:1", "9:16"]
ROLES = ["SHORT", "SCENE", "SHOT", "TITLE_SEQUENCE", "ANIMATION", "DOCUMENTARY", "B_ROLL"]
FORMS = ["STORY", "POEM", "SCRIPT", "LYRICS", "ESSAY"]
LINES = ["The tide came in the way it always does, without asking.",
         "We kept the radio on so the house would sound less empty.",
         "Every city has a street that remembers you better than you remember it.",
         "She folded the map until it was only the place she wanted to go.",
         "Nobody tells you that the quiet after a song is part of the song.",
         "He wrote the letter twice and sent neither.",
         "Under the bridge the pigeons held their small parliament.",
         "The light in the kitchen was the colour of old honey."]


def _title(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


def _raw_details(media_type: str, rng: random.Random) -> dict[str, Any]:
    if media_type == "music":
        return {"duration_seconds": rng.randint(60, 420), "tempo_bpm": rng.choice(range(60, 180, 2)),
                "key": rng.choice(KEYS), "genre": rng.choice(GENRES["music"]),
                "instruments": rng.sample(INSTRUMENTS, rng.randint(1, 4))}
    if media_type == "film":
        return {"duration_seconds": rng.randint(5, 1500), "aspect_ratio": rng.choice(RATIOS),
                "genre": rng.choice(GENRES["film"]), "role": rng.choice(ROLES)}
    if media_type == "writing":
        return {"form": rng.choice(FORMS),
                "text": "\n\n".join(rng.sample(LINES, rng.randint(2, 6)))}
    return {}


async def demo_is_seeded(db: Database) -> bool:
    return bool(await db.fetchval("select exists (select 1 from members)"))


async def seed_demo(
    db: Database, plugins: HubPlugins, *, progress: Callable[[str, int], None] | None = None,
    seed: int = 7, settings: Settings | None = None,
) -> dict[str, int]:
    """Insert the demo community in one transaction; returns how many of each were made.
    With ``settings`` (where publication files are stored), also a published book and TV
    episode with finalized payouts (hub/compilations/demo.py)."""
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
            for _ in range(RECORDS_PER_MEDIA_TYPE):
                details = await plugins.first(
                    "hub_normalize_details", media_type=media_type,
                    details=_raw_details(media_type, rng),
                ) or {}
                text = await plugins.first(
                    "hub_details_search_text", media_type=media_type, details=details
                ) or ""
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
        compilations = await seed_compilations(tx, db, plugins, settings) if settings else 0
    return {"members": len(member_ids), "records": records, "classes": classes,
            "remix_links": remix_links, "compilations": compilations}
