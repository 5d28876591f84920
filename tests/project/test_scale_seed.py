"""``recordhub seed --scale``: the benchmark data set (hub/scale_seed.py) is what it reports,
readable through the API like data the app made, and the same again for the same seed."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from hub.core.relay import encode_id
from hub.domain.compilations import workflow
from hub.plugins import HubPlugins
from hub.seed.scale import (
    CLASS_EVERY,
    COMPILATION_EVERY,
    ITEMS_PER_COMPILATION,
    LESSONS_PER_CLASS,
    MAX_GENERATIONS,
    NotEmpty,
    ScaleReport,
    seed_scale,
)
from tests.api import Api
from tests.paths import ROOT

# Ten classes and two compilations (one PUBLISHED, one DRAFT): every class status appears.
RECORDS = 2 * COMPILATION_EVERY
CLASS_PAGE = (ROOT / "schema/operations/class_page.graphql").read_text()

CLASSES = """
query Classes($status: ClassStatus!) {
  classes(first: 100, filter: {status: $status}) {
    totalCount
    nodes { slug status lessonCount submissionsCount }
  }
}
"""

COMPILATIONS = """
{
  compilations(first: 100) {
    totalCount
    nodes {
      status target
      items { position record { status } }
      problems { code message }
      history { action toStatus }
      editors { role }
    }
  }
}
"""

ANCESTORS = """
query Ancestors($id: ID!) { record(id: $id) { ancestors(maxDepth: 50) { depth } } }
"""

DESCENDANTS = """
query Descendants($id: ID!) { record(id: $id) { descendants(maxDepth: 50) { depth } } }
"""


@pytest.fixture
async def seeded(database_url: str, plugins: HubPlugins) -> ScaleReport:
    return await seed_scale(database_url, plugins, RECORDS)


async def _classes(api: Api, status: str, token: str | None = None) -> dict[str, Any]:
    return (await api.gql(CLASSES, {"status": status}, token=token))["classes"]


async def test_classes_are_readable_and_as_reported(api: Api, seeded: ScaleReport) -> None:
    counts = seeded.classes
    assert counts.classes == RECORDS // CLASS_EVERY and 0 < counts.published < counts.classes
    assert counts.enrollments and counts.completions and counts.submissions and counts.feedback
    public = await _classes(api, "PUBLISHED")
    assert public["totalCount"] == counts.published

    admin = await api.sign_up("scale_admin", role="ADMIN")
    every = [await _classes(api, status, admin.token) for status in ("PUBLISHED", "ARCHIVED", "DRAFT")]
    assert all(page["totalCount"] for page in every)  # every status occurs
    nodes = [node for page in every for node in page["nodes"]]
    assert len(nodes) == counts.classes == len({node["slug"] for node in nodes})
    assert sum(node["lessonCount"] for node in nodes) == counts.lessons
    assert sum(node["submissionsCount"] for node in nodes) == counts.submissions

    for node in public["nodes"]:
        page = (await api.gql(CLASS_PAGE, {"slug": node["slug"]}))["class"]
        lessons = page["lessons"]
        assert LESSONS_PER_CLASS[0] <= page["lessonCount"] == len(lessons) <= LESSONS_PER_CLASS[1]
        assert [lesson["position"] for lesson in lessons] == list(range(1, len(lessons) + 1))
        assert page["instructors"] and page["viewerEnrollment"] is None
        for lesson in lessons:
            # Anonymous: only a free preview's first lesson is readable (hub/classes/types.py).
            assert lesson["locked"] is not (page["freePreview"] and lesson["position"] == 1)
            assert (lesson["body"] is None) is lesson["locked"] is (lesson["prompt"] is None)
    as_admin = (await api.gql(CLASS_PAGE, {"slug": public["nodes"][0]["slug"]},
                              token=admin.token))["class"]
    assert not any(lesson["locked"] or not lesson["body"] for lesson in as_admin["lessons"])


async def test_class_rows_keep_the_app_invariants(api: Api, seeded: ScaleReport) -> None:
    db = api.hub.db
    counts = seeded.classes
    assert await db.fetchval("select count(*) from enrollments") == counts.enrollments
    assert await db.fetchval("select count(*) from lesson_completions") == counts.completions
    assert await db.fetchval("select count(*) from feedback") == counts.feedback
    assert await db.fetchval("select count(*) from subscriptions") == counts.subscriptions
    gaps = await db.fetchval(
        """select count(*) from (select class_id from lessons group by class_id
                                 having min(position) <> 1 or max(position) <> count(*)) g""")
    assert gaps == 0
    # Learners are enrolled in published (or since archived) classes, after publication;
    # completions belong to their class; submissions are the learner's own published records.
    assert await db.fetchval(
        """select count(*) from enrollments e join classes c on c.id = e.class_id
           where c.status = 'DRAFT' or e.enrolled_at < c.published_at""") == 0
    assert await db.fetchval(
        """select count(*) from lesson_completions x join lessons l on l.id = x.lesson_id
           where not exists (select 1 from enrollments e where e.class_id = l.class_id
                             and e.member_id = x.member_id)""") == 0
    assert await db.fetchval(
        """select count(*) from submissions s join records r on r.id = s.record_id
           join lessons l on l.id = s.lesson_id
           where r.author_id <> s.member_id or r.status <> 'PUBLISHED'
              or r.deleted_at is not null or l.class_id <> s.class_id""") == 0
    assert await db.fetchval(
        """select count(*) from lessons l join records r on r.id = l.video_record_id
           where r.media_type <> 'film' or r.status <> 'PUBLISHED'""") == 0


async def test_compilations_are_readable_and_as_reported(api: Api, seeded: ScaleReport) -> None:
    counts = seeded.compilations
    assert counts.compilations == RECORDS // COMPILATION_EVERY and counts.public > 0
    api.allow_cost(1_000_000)  # 100 compilations × 500 items, and their history, at worst
    public = (await api.gql(COMPILATIONS))["compilations"]
    assert public["totalCount"] == counts.public
    for compilation in public["nodes"]:
        assert compilation["status"] in workflow.PUBLIC_STATUSES
        items = compilation["items"]
        assert ITEMS_PER_COMPILATION[0] <= len(items) <= ITEMS_PER_COMPILATION[1]
        assert [item["position"] for item in items] == list(range(1, len(items) + 1))
        assert all(item["record"]["status"] == "PUBLISHED" for item in items)
        assert compilation["problems"] == []  # it could have been published

    editor = await api.sign_up("scale_editor", role="EDITOR")
    every = (await api.gql(COMPILATIONS, token=editor.token))["compilations"]
    assert every["totalCount"] == counts.compilations
    assert sum(len(c["items"]) for c in every["nodes"]) == counts.items
    assert sum(len(c["history"]) for c in every["nodes"]) == counts.history
    assert len({c["status"] for c in every["nodes"]}) > 1
    for compilation in every["nodes"]:
        assert compilation["history"][0]["action"] == "create"
        assert compilation["history"][-1]["toStatus"] == compilation["status"]
        assert len(compilation["editors"]) == 2
        assert {e["role"] for e in compilation["editors"]} <= {"EDITOR", "ADMIN"}


async def test_the_designated_lineage_is_as_deep_as_designed(
    api: Api, seeded: ScaleReport,
) -> None:
    ancestors = (await api.gql(ANCESTORS, {"id": encode_id("Record", seeded.leaf_id)}))
    assert max(entry["depth"] for entry in ancestors["record"]["ancestors"]) == MAX_GENERATIONS
    descendants = (await api.gql(DESCENDANTS, {"id": encode_id("Record", seeded.root_id)}))
    assert len(descendants["record"]["descendants"]) == seeded.root_descendants


async def _fingerprint(dsn: str) -> list[Any]:
    connection = await asyncpg.connect(dsn)
    try:
        return [await connection.fetchval(sql) for sql in (
            "select string_agg(slug, ',' order by id) from classes",
            "select string_agg(title || status, ',' order by id) from compilations",
            "select string_agg(record_id::text, ',' order by id) from compilation_items",
            "select count(*) from lesson_completions",
            "select string_agg(member_id::text, ',' order by id) from enrollments",
        )]
    finally:
        await connection.close()


async def test_force_replaces_everything_with_the_same_data(
    database_url: str, plugins: HubPlugins,
) -> None:
    first = await seed_scale(database_url, plugins, 1_000)
    before = await _fingerprint(database_url)
    with pytest.raises(NotEmpty):
        await seed_scale(database_url, plugins, 1_000)
    again = await seed_scale(database_url, plugins, 1_000, force=True)
    assert again == first
    assert await _fingerprint(database_url) == before


async def test_published_records_have_ten_hearts_from_their_viewers(
    api: Api, seeded: ScaleReport,
) -> None:
    from hub.domain.community.views import member_viewer

    db = api.hub.db
    hearts = [row["n"] for row in await db.fetch(
        "select count(h.member_id) as n from records r left join hearts h on h.record_id = r.id "
        "where r.status = 'PUBLISHED' and r.deleted_at is null group by r.id")]
    assert max(hearts) == 10 and sum(hearts) >= 9 * len(hearts)  # an author is never a fan
    assert await db.fetchval("select count(*) from hearts h join records r on r.id = h.record_id "
                             "where h.member_id = r.author_id") == 0
    # Every fan saw the record first, under the viewer key the hub itself would write.
    fan = await db.fetchrow("select record_id, member_id from hearts order by 1, 2 limit 1")
    assert await db.fetchval("select exists (select 1 from record_views where record_id = $1 "
                             "and viewer = $2)", fan["record_id"], member_viewer(fan["member_id"]))
    assert await db.fetchval(
        "select count(*) from hearts h where not exists (select 1 from record_views v "
        "where v.record_id = h.record_id and v.viewer = substring(sha256(convert_to("
        "'member:' || h.member_id, 'UTF8')) for 16))") == 0
    follows = [row["n"] for row in await db.fetch(
        "select count(*) as n from member_follows group by follower_id")]
    assert len(follows) == seeded.members and max(follows) <= 5
    fresh = await api.gql("{ records(first: 3, orderBy: FRESH) { nodes { heartCount } } }")
    assert len(fresh["records"]["nodes"]) == 3


async def test_every_other_published_record_has_a_comment(api: Api, seeded: ScaleReport,
                                                          ) -> None:
    db = api.hub.db
    published = await db.fetchval("select count(*) from records where status = 'PUBLISHED' "
                                  "and deleted_at is null and id % 2 = 0")
    assert await db.fetchval("select count(*) from comments") == published > 0
    assert await db.fetchval("select count(*) from comments c join records r "
                             "on r.id = c.record_id where c.author_id = r.author_id") == 0
    page = await api.gql("""{ records(first: 2) { nodes { comments(first: 5) { totalCount
        nodes { bodyHtml author { handle } } } } } }""")
    assert any(n["comments"]["totalCount"] for n in page["records"]["nodes"]) or published
