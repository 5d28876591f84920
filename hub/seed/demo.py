"""Demo data: a believable small community, generated deterministically.

``recordhub seed --demo`` (and ``serve --demo`` on an empty database) creates it. Every demo
member's password is :data:`DEMO_PASSWORD`; ``ada`` is an ADMIN and ``eddie`` an EDITOR.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from typing import Any

from hub.core.config import Settings
from hub.core.db import Database
from hub.domain.members import auth
from hub.plugins import DetailsError, HubPlugins, PluginFailure
from hub.seed.classes import seed_classes
from hub.seed.compilations import seed_compilations
from hub.seed.lineage import seed_lineage

log = logging.getLogger("hub.seed.demo")

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


async def sample_details(
    plugins: HubPlugins, media_type: str, count: int, seed: int,
) -> list[tuple[dict[str, Any], str]]:
    """``count`` (details, search text) pairs for demo records of ``media_type``: what its
    plugin offers through ``hub_sample_details``, normalised and indexed as a new record's
    details are. Empty, with a log line naming the plugin, when the plugin offers none or its
    samples fail: one plugin's demo data never stops the others'."""
    owner = plugins.media_types[media_type].plugin
    try:
        samples = await plugins.sample_details(media_type, count, seed)
        if not samples:
            log.info("demo data: no %s records (plugin %r offers no hub_sample_details)",
                     media_type, owner)
            return []
        pairs = []
        for raw in (samples[n % len(samples)] for n in range(count)):
            details = await plugins.first(
                "hub_normalize_details", media_type=media_type, details=raw)
            details = raw if details is None else details
            text = await plugins.first(
                "hub_details_search_text", media_type=media_type, details=details)
            pairs.append((details, text or ""))
        return pairs
    except (PluginFailure, DetailsError) as error:
        log.warning("demo data: no %s records (the samples of plugin %r failed: %s)",
                    media_type, owner, getattr(error, "message", error))
        return []


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
        compilations = await seed_compilations(tx, db, plugins, settings) if settings else 0
    return {"members": len(member_ids), "records": records, "classes": classes,
            "remix_links": remix_links, "compilations": compilations}
