"""Class Projects through the HTTP app: classes, lessons and their order, enrollment,
visibility of lesson content, submissions, feedback, and the statement counts of listings."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from tests.api import Api, Member
from tests.graphql_api.test_compiled import both_ways

FILM = {"film": {"durationSeconds": 90, "role": "SHORT"}}

CREATE_CLASS = """
mutation Create($input: CreateClassInput!) {
  createClass(input: $input) {
    class { id slug title status level skill freePreview instructors { handle } }
    errors { field message code }
  }
}
"""
UPDATE_CLASS = """
mutation Update($input: UpdateClassInput!) {
  updateClass(input: $input) { class { slug title summary freePreview } errors { field code } }
}
"""
PUBLISH_CLASS = """
mutation Publish($id: ID!) { publishClass(input: {id: $id}) { class { status } errors { code } } }
"""
ARCHIVE_CLASS = """
mutation Archive($id: ID!) { archiveClass(input: {id: $id}) { class { status } errors { code } } }
"""
ADD_INSTRUCTOR = """
mutation Add($classId: ID!, $memberId: ID!) {
  addInstructor(input: {classId: $classId, memberId: $memberId}) {
    class { instructors { handle } } errors { code }
  }
}
"""
ADD_LESSON = """
mutation AddLesson($input: AddLessonInput!) {
  addLesson(input: $input) {
    lesson { id position title body prompt video { id } }
    errors { field message code }
  }
}
"""
MOVE_LESSON = """
mutation Move($lessonId: ID!, $position: Int!) {
  moveLesson(input: {lessonId: $lessonId, position: $position}) {
    lesson { id position } errors { field message code }
  }
}
"""
REMOVE_LESSON = """
mutation Remove($lessonId: ID!) {
  removeLesson(input: {lessonId: $lessonId}) {
    removedLessonId class { lessons { title position } } errors { code }
  }
}
"""
ENROLL = """
mutation Enroll($classId: ID!) {
  enroll(input: {classId: $classId}) {
    enrollment { progress completedLessons class { slug } member { handle } }
    errors { field message code }
  }
}
"""
LEAVE = """
mutation Leave($classId: ID!) {
  leaveClass(input: {classId: $classId}) { class { viewerEnrollment { progress } } errors { code } }
}
"""
COMPLETE = """
mutation Complete($lessonId: ID!) {
  completeLesson(input: {lessonId: $lessonId}) {
    lesson { viewerCompleted } enrollment { progress completedLessons } errors { code }
  }
}
"""
SUBMIT = """
mutation Submit($lessonId: ID!, $recordId: ID!) {
  submitToLesson(input: {lessonId: $lessonId, recordId: $recordId}) {
    submission { id record { title } learner { handle } lesson { title } }
    errors { field message code }
  }
}
"""
FEEDBACK = """
mutation Feedback($submissionId: ID!, $body: String!) {
  giveFeedback(input: {submissionId: $submissionId, body: $body}) {
    feedback { body author { handle } } errors { field code }
  }
}
"""
CLASS_PAGE = """
query Page($slug: String!) {
  class(slug: $slug) {
    title summary status instructors { handle }
    lessons { position title body prompt locked video { title } }
    viewerEnrollment { progress completedLessons }
  }
}
"""
LESSON_POSITIONS = """
query Positions($slug: String!) { class(slug: $slug) { lessons { id title position } } }
"""


# --- helpers ------------------------------------------------------------------------------------


async def subscribe(api: Api, member: Member, status: str = "ACTIVE") -> None:
    await api.hub.db.execute(
        """insert into subscriptions (member_id, status, source)
           select id, $2, 'admin' from members where handle = $1
           on conflict (member_id) do update set status = excluded.status""",
        member.handle, status,
    )


async def create_class(api: Api, member: Member, title: str = "Writing a Verse",
                       **fields: Any) -> dict[str, Any]:
    data = await api.gql(CREATE_CLASS, {"input": {
        "title": title, "skill": "rap", "level": "BEGINNER", **fields}}, token=member.token)
    assert data["createClass"]["errors"] == [], data
    return data["createClass"]["class"]


async def add_lesson(api: Api, member: Member, class_id: str, title: str,
                     **fields: Any) -> dict[str, Any]:
    data = await api.gql(ADD_LESSON, {"input": {"classId": class_id, "title": title, **fields}},
                         token=member.token)
    assert data["addLesson"]["errors"] == [], data
    return data["addLesson"]["lesson"]


async def published_class(
    api: Api, teacher: Member, title: str = "Writing a Verse", lessons: int = 2, **fields: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cls = await create_class(api, teacher, title, **fields)
    video = await api.create_record(teacher, "How to rhyme", details=FILM, publish=True)
    made = [await add_lesson(api, teacher, cls["id"], f"Lesson {i + 1}", body=f"Body {i + 1}",
                             prompt=f"Prompt {i + 1}", videoRecordId=video["id"])
            for i in range(lessons)]
    data = await api.gql(PUBLISH_CLASS, {"id": cls["id"]}, token=teacher.token)
    assert data["publishClass"]["errors"] == []
    return cls, made


async def enrolled(api: Api, handle: str, class_id: str) -> Member:
    learner = await api.sign_up(handle)
    await subscribe(api, learner)
    data = await api.gql(ENROLL, {"classId": class_id}, token=learner.token)
    assert data["enroll"]["errors"] == [], data
    return learner


async def positions(api: Api, slug: str) -> list[tuple[str, int]]:
    data = await api.gql(LESSON_POSITIONS, {"slug": slug})
    return [(lesson["title"], lesson["position"]) for lesson in data["class"]["lessons"]]


async def row_counts(api: Api) -> dict[str, int]:
    tables = ("classes", "lessons", "enrollments", "lesson_completions", "submissions", "feedback")
    return {t: await api.hub.db.fetchval(f"select count(*) from {t}") for t in tables}


# --- classes ------------------------------------------------------------------------------------


async def test_create_class_makes_you_instructor_with_a_unique_stable_slug(api: Api) -> None:
    maya = await api.sign_up("maya")
    first = await create_class(api, maya, "  Writing a Verse ", summary="Bars.", freePreview=True)
    assert first == {
        "id": first["id"], "slug": "writing-a-verse", "title": "Writing a Verse", "status": "DRAFT",
        "level": "BEGINNER", "skill": "rap", "freePreview": True, "instructors": [{"handle": "maya"}],
    }
    second = await create_class(api, maya, "Writing a verse!")
    third = await create_class(api, maya, "Writing a Verse")
    accented = await create_class(api, maya, "Écrire: un vers ?")
    symbols = await create_class(api, maya, "!!!")
    assert [c["slug"] for c in (second, third, accented, symbols)] == [
        "writing-a-verse-2", "writing-a-verse-3", "ecrire-un-vers", "class"]

    data = await api.gql(UPDATE_CLASS, {"input": {"id": first["id"], "title": "Verses, Revised",
                                                  "freePreview": False}}, token=maya.token)
    assert data["updateClass"] == {"class": {"slug": "writing-a-verse", "title": "Verses, Revised",
                                             "summary": "Bars.", "freePreview": False},
                                   "errors": []}


async def test_create_class_refuses_bad_input(api: Api) -> None:
    maya = await api.sign_up("maya")
    for fields, field, code in [({"title": " "}, "title", "INVALID_INPUT"),
                                ({"title": "x" * 201}, "title", "TOO_LONG"),
                                ({"skill": ""}, "skill", "INVALID_INPUT"),
                                ({"summary": "x" * 501}, "summary", "TOO_LONG")]:
        data = await api.gql(CREATE_CLASS, {"input": {
            "title": "Fine", "skill": "rap", "level": "BEGINNER", **fields}}, token=maya.token)
        assert [(e["field"], e["code"]) for e in data["createClass"]["errors"]] == [(field, code)]
    errors = await api.errors(CREATE_CLASS, {"input": {
        "title": "Anon", "skill": "rap", "level": "BEGINNER"}})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await row_counts(api))["classes"] == 0


async def test_a_draft_class_is_visible_to_its_instructors_and_admins_only(api: Api) -> None:
    maya = await api.sign_up("maya")
    admin = await api.sign_up("boss", role="ADMIN")
    other = await api.sign_up("other")
    cls = await create_class(api, maya, "Secret Draft")
    query = """query($slug: String!, $id: ID!) {
      class(slug: $slug) { title }
      node(id: $id) { ... on Class { title } }
      classes(filter: {status: DRAFT}) { nodes { title } }
      published: classes { nodes { title } }
    }"""
    variables = {"slug": "secret-draft", "id": cls["id"]}
    seen = {"class": {"title": "Secret Draft"}, "node": {"title": "Secret Draft"},
            "classes": {"nodes": [{"title": "Secret Draft"}]}, "published": {"nodes": []}}
    unseen = {"class": None, "node": None, "classes": {"nodes": []}, "published": {"nodes": []}}
    assert await api.gql(query, variables, token=maya.token) == seen
    assert await api.gql(query, variables, token=admin.token) == seen
    assert await api.gql(query, variables, token=other.token) == unseen
    assert await api.gql(query, variables) == unseen

    # Federation joins follow the same rule.
    entities = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Class { title } } }"""
    _, body = await api.post(entities, {"r": [{"__typename": "Class", "id": cls["id"]}]},
                             token=other.token)
    assert body["data"] == {"_entities": [None]}
    _, body = await api.post(entities, {"r": [{"__typename": "Class", "id": cls["id"]}]},
                             token=maya.token)
    assert body["data"] == {"_entities": [{"title": "Secret Draft"}]}


async def test_publish_needs_a_lesson_and_archive_needs_a_published_class(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls = await create_class(api, maya)
    archived = await api.gql(ARCHIVE_CLASS, {"id": cls["id"]}, token=maya.token)
    assert archived["archiveClass"] == {"class": None, "errors": [{"code": "INVALID_STATE"}]}
    empty = await api.gql(PUBLISH_CLASS, {"id": cls["id"]}, token=maya.token)
    assert empty["publishClass"] == {"class": None, "errors": [{"code": "INVALID_STATE"}]}
    await add_lesson(api, maya, cls["id"], "One")
    for mutation, name, status in ((PUBLISH_CLASS, "publishClass", "PUBLISHED"),
                                   (ARCHIVE_CLASS, "archiveClass", "ARCHIVED"),
                                   (ARCHIVE_CLASS, "archiveClass", "ARCHIVED"),
                                   (PUBLISH_CLASS, "publishClass", "PUBLISHED")):
        data = await api.gql(mutation, {"id": cls["id"]}, token=maya.token)
        assert data[name] == {"class": {"status": status}, "errors": []}


async def test_editing_a_class_you_do_not_teach_is_forbidden(api: Api) -> None:
    maya = await api.sign_up("maya")
    other = await api.sign_up("other")
    cls, lessons = await published_class(api, maya)
    before = await row_counts(api)
    attempts = [
        (UPDATE_CLASS, {"input": {"id": cls["id"], "title": "Mine now"}}),
        (ARCHIVE_CLASS, {"id": cls["id"]}),
        (PUBLISH_CLASS, {"id": cls["id"]}),
        (ADD_LESSON, {"input": {"classId": cls["id"], "title": "Sneaky"}}),
        (MOVE_LESSON, {"lessonId": lessons[1]["id"], "position": 1}),
        (REMOVE_LESSON, {"lessonId": lessons[0]["id"]}),
        (ADD_INSTRUCTOR, {"classId": cls["id"], "memberId": other.id}),
        ("""mutation($id: ID!) { updateLesson(input: {id: $id, body: "x"}) { errors { code } } }""",
         {"id": lessons[0]["id"]}),
    ]
    for query, variables in attempts:
        errors = await api.errors(query, variables, token=other.token)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN", query
    assert await row_counts(api) == before
    page = await api.gql(CLASS_PAGE, {"slug": cls["slug"]}, token=maya.token)
    assert page["class"]["title"] == "Writing a Verse"
    assert [lesson["title"] for lesson in page["class"]["lessons"]] == ["Lesson 1", "Lesson 2"]


async def test_co_instructors_and_admins_may_edit(api: Api) -> None:
    maya = await api.sign_up("maya")
    jonah = await api.sign_up("jonah")
    admin = await api.sign_up("boss", role="ADMIN")
    cls = await create_class(api, maya)
    data = await api.gql(ADD_INSTRUCTOR, {"classId": cls["id"], "memberId": jonah.id},
                         token=maya.token)
    assert data["addInstructor"] == {"class": {"instructors": [{"handle": "maya"},
                                                               {"handle": "jonah"}]}, "errors": []}
    for who, title in ((jonah, "By Jonah"), (admin, "By Admin")):
        data = await api.gql(UPDATE_CLASS, {"input": {"id": cls["id"], "title": title}},
                             token=who.token)
        assert data["updateClass"]["errors"] == []
    teaching = await api.gql("""{ member(handle: "jonah") { classesTeaching {
      nodes { title viewerIsInstructor } } } }""", token=jonah.token)
    assert teaching == {"member": {"classesTeaching": {"nodes": [
        {"title": "By Admin", "viewerIsInstructor": True}]}}}
    # The draft does not show on jonah's page to anyone else.
    hidden = await api.gql("""{ member(handle: "jonah") { classesTeaching { nodes { title } } } }""")
    assert hidden == {"member": {"classesTeaching": {"nodes": []}}}


REMOVE_INSTRUCTOR = """
mutation Remove($classId: ID!, $memberId: ID!) {
  removeInstructor(input: {classId: $classId, memberId: $memberId}) { errors { code } }
}
"""


async def test_the_creator_is_listed_first_even_after_rejoining(api: Api) -> None:
    maya = await api.sign_up("maya")
    jonah = await api.sign_up("jonah")
    lee = await api.sign_up("lee")
    cls, _ = await published_class(api, maya)
    for member in (jonah, lee):
        await api.gql(ADD_INSTRUCTOR, {"classId": cls["id"], "memberId": member.id},
                      token=maya.token)
    gone = await api.gql(REMOVE_INSTRUCTOR, {"classId": cls["id"], "memberId": maya.id},
                         token=jonah.token)
    assert gone["removeInstructor"]["errors"] == []
    # The order reads the class's creator from the class's row, wherever the class is: by slug,
    # by ID, and nested in another list (the compiled path and the executor alike).
    query = """query($slug: String!, $id: ID!) {
      class(slug: $slug) { instructors { handle } }
      node(id: $id) { ... on Class { instructors { handle } } }
      member(handle: "lee") { classesTeaching { nodes { instructors { handle } } } }
    }"""
    variables = {"slug": cls["slug"], "id": cls["id"]}

    async def instructors() -> list[list[str]]:
        body, statements = await both_ways(api, query, variables)
        assert statements == 1  # the compiled path answered
        data = body["data"]
        lists = [data["class"]["instructors"], data["node"]["instructors"],
                 data["member"]["classesTeaching"]["nodes"][0]["instructors"]]
        return [[who["handle"] for who in listed] for listed in lists]

    assert await instructors() == [["jonah", "lee"]] * 3
    back = await api.gql(ADD_INSTRUCTOR, {"classId": cls["id"], "memberId": maya.id},
                         token=lee.token)
    assert back["addInstructor"]["class"]["instructors"] == [
        {"handle": "maya"}, {"handle": "jonah"}, {"handle": "lee"}]
    assert await instructors() == [["maya", "jonah", "lee"]] * 3


async def test_classes_filter_and_search(api: Api) -> None:
    maya = await api.sign_up("maya")
    jonah = await api.sign_up("jonah")
    await published_class(api, maya, "Writing a Verse", description="Internal rhyme and breath.")
    await published_class(api, jonah, "The One-Page Screenplay", skill="screenwriting",
                          level="INTERMEDIATE", summary="A film on a single page.")
    old, _ = await published_class(api, jonah, "Old Screenwriting", skill="screenwriting")
    await api.gql(ARCHIVE_CLASS, {"id": old["id"]}, token=jonah.token)
    await create_class(api, maya, "Unfinished Rhymes")
    data = await api.gql("""query($jonah: ID!) {
      all: classes { totalCount nodes { title } }
      bySkill: classes(filter: {skill: "Screenwriting"}) { nodes { title } }
      byLevel: classes(filter: {level: INTERMEDIATE}) { nodes { title } }
      byInstructor: classes(filter: {instructor: $jonah}) { nodes { title } }
      search: classes(filter: {search: "rhyme"}) { nodes { title } }
      searchSummary: classes(filter: {search: "film page"}) { nodes { title } }
      archived: classes(filter: {status: ARCHIVED}) { nodes { title } }
      paged: classes(first: 1) { nodes { title } pageInfo { hasNextPage endCursor } }
    }""", {"jonah": jonah.id})
    assert {k: v for k, v in data.items() if k != "paged"} == {
        "all": {"totalCount": 2, "nodes": [{"title": "The One-Page Screenplay"},
                                           {"title": "Writing a Verse"}]},
        "bySkill": {"nodes": [{"title": "The One-Page Screenplay"}]},
        "byLevel": {"nodes": [{"title": "The One-Page Screenplay"}]},
        "byInstructor": {"nodes": [{"title": "The One-Page Screenplay"}]},
        "search": {"nodes": [{"title": "Writing a Verse"}]},
        "searchSummary": {"nodes": [{"title": "The One-Page Screenplay"}]},
        "archived": {"nodes": [{"title": "Old Screenwriting"}]},
    }
    assert data["paged"]["pageInfo"]["hasNextPage"] is True
    after = data["paged"]["pageInfo"]["endCursor"]
    rest = await api.gql("""query($after: String!) { classes(first: 5, after: $after) {
      nodes { title } pageInfo { hasNextPage } } }""", {"after": after})
    assert rest == {"classes": {"nodes": [{"title": "Writing a Verse"}],
                                "pageInfo": {"hasNextPage": False}}}


# --- lessons and their order --------------------------------------------------------------------


async def test_lesson_video_must_be_a_published_film(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls = await create_class(api, maya)
    song = await api.create_record(maya, "A song", details={"music": {"genre": "soul"}},
                                   publish=True)
    draft_film = await api.create_record(maya, "Unfinished cut", details=FILM)
    for video in (song["id"], draft_film["id"]):
        data = await api.gql(ADD_LESSON, {"input": {"classId": cls["id"], "title": "Watch",
                                                    "videoRecordId": video}}, token=maya.token)
        assert [(e["field"], e["code"]) for e in data["addLesson"]["errors"]] == [
            ("videoRecordId", "INVALID_VIDEO")]
    assert (await row_counts(api))["lessons"] == 0
    film = await api.create_record(maya, "The cut", details=FILM, publish=True)
    lesson = await add_lesson(api, maya, cls["id"], "Watch", body="Look.", prompt="Cut yours.",
                              videoRecordId=film["id"])
    assert lesson == {"id": lesson["id"], "position": 1, "title": "Watch", "body": "Look.",
                      "prompt": "Cut yours.", "video": {"id": film["id"]}}
    cleared = await api.gql("""mutation($id: ID!) { updateLesson(input: {id: $id,
      videoRecordId: null, title: "Read"}) { lesson { title body video { id } } errors { code } } }""",
                            {"id": lesson["id"]}, token=maya.token)
    assert cleared["updateLesson"] == {"lesson": {"title": "Read", "body": "Look.", "video": None},
                                       "errors": []}


async def test_move_lesson_keeps_positions_without_gaps(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls = await create_class(api, maya)
    lessons = [await add_lesson(api, maya, cls["id"], name) for name in "ABCD"]
    assert [lesson["position"] for lesson in lessons] == [1, 2, 3, 4]
    data = await api.gql(MOVE_LESSON, {"lessonId": lessons[3]["id"], "position": 1},
                         token=maya.token)
    assert data["moveLesson"] == {"lesson": {"id": lessons[3]["id"], "position": 1}, "errors": []}
    page = await api.gql(LESSON_POSITIONS, {"slug": cls["slug"]}, token=maya.token)
    assert [(x["title"], x["position"]) for x in page["class"]["lessons"]] == [
        ("D", 1), ("A", 2), ("B", 3), ("C", 4)]
    await api.gql(MOVE_LESSON, {"lessonId": lessons[3]["id"], "position": 3}, token=maya.token)
    await api.gql(MOVE_LESSON, {"lessonId": lessons[0]["id"], "position": 1}, token=maya.token)
    page = await api.gql(LESSON_POSITIONS, {"slug": cls["slug"]}, token=maya.token)
    assert [x["title"] for x in page["class"]["lessons"]] == ["A", "B", "D", "C"]


async def test_impossible_positions_are_refused(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, lessons = await published_class(api, maya, lessons=3)
    before = await positions(api, cls["slug"])
    for position in (0, -1, 4, 2**31 - 1):
        data = await api.gql(MOVE_LESSON, {"lessonId": lessons[0]["id"], "position": position},
                             token=maya.token)
        assert data["moveLesson"] == {"lesson": None, "errors": [{
            "field": "position", "code": "INVALID_POSITION",
            "message": f"position must be between 1 and 3 (the class has 3 lessons); "
                       f"got {position}."}]}
    assert await positions(api, cls["slug"]) == before


async def test_concurrent_moves_keep_positions_one_to_n(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, lessons = await published_class(api, maya, lessons=6)
    rng = random.Random(4)
    moves = [(rng.choice(lessons)["id"], rng.randint(1, 6)) for _ in range(24)]
    results = await asyncio.gather(*(
        api.gql(MOVE_LESSON, {"lessonId": lesson, "position": position}, token=maya.token)
        for lesson, position in moves))
    assert all(r["moveLesson"]["errors"] == [] for r in results)
    final = await positions(api, cls["slug"])
    assert [position for _, position in final] == [1, 2, 3, 4, 5, 6]
    assert sorted(title for title, _ in final) == [f"Lesson {i}" for i in range(1, 7)]
    stored = await api.hub.db.fetch("select position from lessons order by position")
    assert [row["position"] for row in stored] == [1, 2, 3, 4, 5, 6]


async def test_remove_lesson_closes_the_gap(api: Api) -> None:
    maya = await api.sign_up("maya")
    _, lessons = await published_class(api, maya, lessons=3)
    data = await api.gql(REMOVE_LESSON, {"lessonId": lessons[1]["id"]}, token=maya.token)
    assert data["removeLesson"] == {"removedLessonId": lessons[1]["id"], "errors": [], "class": {
        "lessons": [{"title": "Lesson 1", "position": 1}, {"title": "Lesson 3", "position": 2}]}}
    again = await api.gql(REMOVE_LESSON, {"lessonId": lessons[1]["id"]}, token=maya.token)
    assert again["removeLesson"]["errors"] == [{"code": "NOT_FOUND"}]


async def test_a_lesson_with_submissions_is_not_removed(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, lessons = await published_class(api, maya)
    learner = await enrolled(api, "learner", cls["id"])
    record = await api.create_record(learner, "My verse", publish=True)
    await api.gql(SUBMIT, {"lessonId": lessons[0]["id"], "recordId": record["id"]},
                  token=learner.token)
    data = await api.gql(REMOVE_LESSON, {"lessonId": lessons[0]["id"]}, token=maya.token)
    assert data["removeLesson"]["errors"] == [{"code": "INVALID_STATE"}]
    assert await positions(api, cls["slug"]) == [("Lesson 1", 1), ("Lesson 2", 2)]


# --- visibility of lesson content ---------------------------------------------------------------


def lesson_view(readable: set[int], count: int = 2) -> list[dict[str, Any]]:
    return [{
        "position": i, "title": f"Lesson {i}",
        "body": f"Body {i}" if i in readable else None,
        "prompt": f"Prompt {i}" if i in readable else None,
        "locked": i not in readable,
        "video": {"title": "How to rhyme"} if i in readable else None,
    } for i in range(1, count + 1)]


async def test_who_reads_lesson_content(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, _ = await published_class(api, maya)
    admin = await api.sign_up("boss", role="ADMIN")
    no_subscription = await api.sign_up("browser")
    subscribed_not_enrolled = await api.sign_up("window")
    await subscribe(api, subscribed_not_enrolled)
    learner = await enrolled(api, "learner", cls["id"])

    async def page(token: str | None) -> dict[str, Any]:
        return (await api.gql(CLASS_PAGE, {"slug": cls["slug"]}, token=token))["class"]

    common = {"title": "Writing a Verse", "summary": "", "status": "PUBLISHED",
              "instructors": [{"handle": "maya"}]}
    locked = {**common, "lessons": lesson_view(set()), "viewerEnrollment": None}
    assert await page(None) == locked
    assert await page(no_subscription.token) == locked
    assert await page(subscribed_not_enrolled.token) == locked
    assert await page(learner.token) == {**common, "lessons": lesson_view({1, 2}),
                                         "viewerEnrollment": {"progress": 0.0,
                                                              "completedLessons": 0}}
    full = {**common, "lessons": lesson_view({1, 2}), "viewerEnrollment": None}
    assert await page(maya.token) == full
    assert await page(admin.token) == full

    # Enrolled, but the subscription lapsed: the content locks again.
    await subscribe(api, learner, "PAST_DUE")
    lapsed = await page(learner.token)
    assert lapsed["lessons"] == lesson_view(set())
    assert lapsed["viewerEnrollment"] == {"progress": 0.0, "completedLessons": 0}


async def test_free_preview_opens_the_first_lesson_to_everyone(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, lessons = await published_class(api, maya, freePreview=True)
    data = await api.gql(CLASS_PAGE, {"slug": cls["slug"]})
    assert data["class"]["lessons"] == lesson_view({1})
    # The preview is the first lesson, whichever that is after a move.
    await api.gql(MOVE_LESSON, {"lessonId": lessons[1]["id"], "position": 1}, token=maya.token)
    node = await api.gql("""query($a: ID!, $b: ID!) {
      a: node(id: $a) { ... on Lesson { title locked body } }
      b: node(id: $b) { ... on Lesson { title locked body } } }""",
                         {"a": lessons[0]["id"], "b": lessons[1]["id"]})
    assert node == {"a": {"title": "Lesson 1", "locked": True, "body": None},
                    "b": {"title": "Lesson 2", "locked": False, "body": "Body 2"}}
    await api.gql(UPDATE_CLASS, {"input": {"id": cls["id"], "freePreview": False}},
                  token=maya.token)
    data = await api.gql(CLASS_PAGE, {"slug": cls["slug"]})
    assert all(lesson["locked"] for lesson in data["class"]["lessons"])


# --- enrollment ---------------------------------------------------------------------------------


async def test_enroll_errors_write_nothing(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, _ = await published_class(api, maya)
    draft = await create_class(api, maya, "Draft Class")
    archived, _ = await published_class(api, maya, "Archived Class")
    await api.gql(ARCHIVE_CLASS, {"id": archived["id"]}, token=maya.token)
    learner = await api.sign_up("learner")

    async def enroll(member: Member, class_id: str) -> list[dict[str, Any]]:
        data = await api.gql(ENROLL, {"classId": class_id}, token=member.token)
        assert data["enroll"]["enrollment"] is None
        return [{"field": e["field"], "code": e["code"]} for e in data["enroll"]["errors"]]

    assert await enroll(learner, cls["id"]) == [{"field": None, "code": "SUBSCRIPTION_REQUIRED"}]
    await subscribe(api, learner, "CANCELED")
    assert await enroll(learner, cls["id"]) == [{"field": None, "code": "SUBSCRIPTION_REQUIRED"}]
    await api.hub.db.execute("update subscriptions set status = 'ACTIVE', "
                             "current_period_end = now() - interval '1 day'")
    assert await enroll(learner, cls["id"]) == [{"field": None, "code": "SUBSCRIPTION_REQUIRED"}]
    assert (await row_counts(api))["enrollments"] == 0

    await api.hub.db.execute("update subscriptions set current_period_end = null")
    assert await enroll(learner, draft["id"]) == [{"field": "classId", "code": "NOT_FOUND"}]
    assert await enroll(learner, archived["id"]) == [{"field": "classId", "code": "INVALID_STATE"}]
    assert await enroll(learner, learner.id) == [{"field": "classId", "code": "INVALID_ID"}]
    await subscribe(api, maya)
    assert await enroll(maya, cls["id"]) == [{"field": "classId", "code": "INVALID_STATE"}]
    assert (await row_counts(api))["enrollments"] == 0

    ok = await api.gql(ENROLL, {"classId": cls["id"]}, token=learner.token)
    assert ok["enroll"] == {"errors": [], "enrollment": {
        "progress": 0.0, "completedLessons": 0, "class": {"slug": cls["slug"]},
        "member": {"handle": "learner"}}}
    assert await enroll(learner, cls["id"]) == [{"field": "classId", "code": "ALREADY_ENROLLED"}]
    assert (await row_counts(api))["enrollments"] == 1
    errors = await api.errors(ENROLL, {"classId": cls["id"]})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_progress_leave_and_come_back(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, lessons = await published_class(api, maya)
    learner = await enrolled(api, "learner", cls["id"])
    data = await api.gql(COMPLETE, {"lessonId": lessons[0]["id"]}, token=learner.token)
    assert data["completeLesson"] == {"lesson": {"viewerCompleted": True}, "errors": [],
                                      "enrollment": {"progress": 0.5, "completedLessons": 1}}
    again = await api.gql(COMPLETE, {"lessonId": lessons[0]["id"]}, token=learner.token)
    assert again["completeLesson"]["enrollment"] == {"progress": 0.5, "completedLessons": 1}

    left = await api.gql(LEAVE, {"classId": cls["id"]}, token=learner.token)
    assert left["leaveClass"] == {"class": {"viewerEnrollment": None}, "errors": []}
    twice = await api.gql(LEAVE, {"classId": cls["id"]}, token=learner.token)
    assert twice["leaveClass"] == {"class": None, "errors": [{"code": "NOT_ENROLLED"}]}
    not_enrolled = await api.gql(COMPLETE, {"lessonId": lessons[1]["id"]}, token=learner.token)
    assert not_enrolled["completeLesson"]["errors"] == [{"code": "NOT_ENROLLED"}]

    back = await api.gql(ENROLL, {"classId": cls["id"]}, token=learner.token)
    assert back["enroll"]["enrollment"]["completedLessons"] == 1
    mine = await api.gql("""{ viewer { enrollments { nodes { progress class { slug } } } } }""",
                         token=learner.token)
    assert mine == {"viewer": {"enrollments": {"nodes": [
        {"progress": 0.5, "class": {"slug": cls["slug"]}}]}}}
    others = await api.gql("""{ member(handle: "learner") { enrollments { nodes { progress } } } }""",
                           token=maya.token)
    assert others == {"member": {"enrollments": None}}


# --- submissions and feedback -------------------------------------------------------------------


async def test_submissions(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, lessons = await published_class(api, maya)
    learner = await enrolled(api, "learner", cls["id"])
    other = await enrolled(api, "other", cls["id"])
    verse = await api.create_record(learner, "My verse", publish=True)
    draft = await api.create_record(learner, "Half a verse")
    theirs = await api.create_record(other, "Their verse", publish=True)
    their_draft = await api.create_record(other, "Their draft")
    before = await row_counts(api)

    async def submit(record_id: str, lesson: int = 0) -> dict[str, Any]:
        data = await api.gql(SUBMIT, {"lessonId": lessons[lesson]["id"], "recordId": record_id},
                             token=learner.token)
        return data["submitToLesson"]

    for record_id, code in ((theirs["id"], "NOT_YOUR_RECORD"), (draft["id"], "RECORD_NOT_PUBLISHED"),
                            (their_draft["id"], "NOT_FOUND"), (lessons[0]["id"], "INVALID_ID")):
        assert await submit(record_id) == {"submission": None, "errors": [
            {"field": "recordId", "code": code, "message": (await submit(record_id))["errors"][0]
             ["message"]}]}
    assert await row_counts(api) == before

    ok = await submit(verse["id"])
    assert ok == {"errors": [], "submission": {
        "id": ok["submission"]["id"], "record": {"title": "My verse"},
        "learner": {"handle": "learner"}, "lesson": {"title": "Lesson 1"}}}
    assert (await submit(verse["id"]))["errors"][0]["code"] == "ALREADY_SUBMITTED"
    assert (await submit(verse["id"], lesson=1))["errors"] == []

    outsider = await api.sign_up("outsider")
    own = await api.create_record(outsider, "Outside verse", publish=True)
    data = await api.gql(SUBMIT, {"lessonId": lessons[0]["id"], "recordId": own["id"]},
                         token=outsider.token)
    assert data["submitToLesson"]["errors"][0]["code"] == "NOT_ENROLLED"

    listing = await api.gql("""query($slug: String!) { class(slug: $slug) { submissionsCount
      lessons { submissions(first: 5) { totalCount nodes { record { title } } } } } }""",
                            {"slug": cls["slug"]})
    assert listing == {"class": {"submissionsCount": 2, "lessons": [
        {"submissions": {"totalCount": 1, "nodes": [{"record": {"title": "My verse"}}]}},
        {"submissions": {"totalCount": 1, "nodes": [{"record": {"title": "My verse"}}]}}]}}


async def test_feedback_from_instructors_and_fellow_learners_only(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, lessons = await published_class(api, maya)
    learner = await enrolled(api, "learner", cls["id"])
    fellow = await enrolled(api, "fellow", cls["id"])
    outsider = await api.sign_up("outsider")
    await subscribe(api, outsider)
    verse = await api.create_record(learner, "My verse", publish=True)
    submitted = await api.gql(SUBMIT, {"lessonId": lessons[0]["id"], "recordId": verse["id"]},
                              token=learner.token)
    submission_id = submitted["submitToLesson"]["submission"]["id"]

    for who, body in ((maya, "Tighten bar two."), (fellow, "Love the ending.")):
        data = await api.gql(FEEDBACK, {"submissionId": submission_id, "body": body},
                             token=who.token)
        assert data["giveFeedback"] == {"errors": [], "feedback": {
            "body": body, "author": {"handle": who.handle}}}
    errors = await api.errors(FEEDBACK, {"submissionId": submission_id, "body": "Drive-by."},
                              token=outsider.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    empty = await api.gql(FEEDBACK, {"submissionId": submission_id, "body": "  "},
                          token=fellow.token)
    assert empty["giveFeedback"]["errors"] == [{"field": "body", "code": "INVALID_INPUT"}]
    assert (await row_counts(api))["feedback"] == 2

    thread = """query($id: ID!) { node(id: $id) { ... on Submission {
      feedback { totalCount nodes { body author { handle } } } } } }"""
    expected = {"node": {"feedback": {"totalCount": 2, "nodes": [
        {"body": "Tighten bar two.", "author": {"handle": "maya"}},
        {"body": "Love the ending.", "author": {"handle": "fellow"}}]}}}
    for who in (learner, fellow, maya):
        assert await api.gql(thread, {"id": submission_id}, token=who.token) == expected
    assert await api.gql(thread, {"id": submission_id}, token=outsider.token) == {
        "node": {"feedback": None}}
    assert await api.gql(thread, {"id": submission_id}) == {"node": {"feedback": None}}


# --- demo data and statement counts -------------------------------------------------------------


CLASS_LIST = """
query Classes($first: Int!) {
  classes(first: $first) {
    totalCount
    nodes {
      title lessonCount submissionsCount
      instructors { handle }
      lessons { title locked video { title } }
      viewerEnrollment { progress }
    }
  }
}
"""


async def seed_classes(api: Api, count: int) -> Member:
    teachers = [await api.sign_up(f"teacher{i}") for i in range(4)]
    for teacher in teachers:
        await api.create_record(teacher, "Video", details=FILM, publish=True)
    for i in range(count):
        teacher = teachers[i % len(teachers)]
        cls = await create_class(api, teacher, f"Class {i}")
        for n in range(2):
            await add_lesson(api, teacher, cls["id"], f"Lesson {n}")
        await api.gql(PUBLISH_CLASS, {"id": cls["id"]}, token=teacher.token)
    viewer = await api.sign_up("viewer")
    await subscribe(api, viewer)
    return viewer


async def test_class_listing_statements_do_not_grow_with_page_size(api: Api) -> None:
    viewer = await seed_classes(api, 12)

    async def statements(first: int, token: str | None) -> int:
        before = api.statements()
        data = await api.gql(CLASS_LIST, {"first": first}, token=token)
        assert len(data["classes"]["nodes"]) == min(first, 12)
        return api.statements() - before

    # Compiled: one statement (and the session's lookup when signed in).
    assert await statements(5, None) == await statements(50, None) == 1
    assert await statements(5, viewer.token) == await statements(50, viewer.token) == 2
    with api.executor_only():
        # page, count, instructors, lesson counts, submission counts, lessons.
        assert await statements(5, None) == await statements(50, None) == 6
        # Signed in: the session, the viewer's enrollments (one batch); who may read a lesson
        # is decided in the lessons' statement.
        assert await statements(5, viewer.token) == await statements(50, viewer.token) == 8


async def test_demo_classes(api: Api) -> None:
    from hub.seed.demo import seed_demo

    await seed_demo(api.hub.db, api.hub.plugins)
    data = await api.gql("""{ classes(first: 10) { nodes { slug lessonCount submissionsCount
      instructors { handle } } } }""")
    by_slug = {c["slug"]: c for c in data["classes"]["nodes"]}
    assert sorted(by_slug) == ["songwriting-from-a-single-line", "the-one-page-screenplay",
                               "writing-a-verse"]
    assert by_slug["songwriting-from-a-single-line"]["instructors"] == [{"handle": "maya"},
                                                                        {"handle": "ada"}]
    assert all(c["lessonCount"] >= 2 and c["submissionsCount"] >= 1 for c in by_slug.values())


async def test_enrollments_and_feedback_by_node_follow_the_rules(api: Api) -> None:
    maya = await api.sign_up("maya")
    cls, lessons = await published_class(api, maya)
    learner = await enrolled(api, "learner", cls["id"])
    outsider = await api.sign_up("outsider")
    verse = await api.create_record(learner, "My verse", publish=True)
    submitted = await api.gql(SUBMIT, {"lessonId": lessons[0]["id"], "recordId": verse["id"]},
                              token=learner.token)
    submission_id = submitted["submitToLesson"]["submission"]["id"]
    await api.gql(FEEDBACK, {"submissionId": submission_id, "body": "Nice."}, token=maya.token)
    ids = await api.gql("""query($id: ID!) { node(id: $id) { ... on Submission {
      feedback { nodes { id } } } } viewer { enrollments { nodes { id } } } }""",
                        {"id": submission_id}, token=learner.token)
    enrollment_id = ids["viewer"]["enrollments"]["nodes"][0]["id"]
    feedback_id = ids["node"]["feedback"]["nodes"][0]["id"]
    query = """query($ids: [ID!]!) { nodes(ids: $ids) {
      ... on Enrollment { progress } ... on Feedback { body } } }"""
    variables = {"ids": [enrollment_id, feedback_id]}
    for who in (learner, maya):
        assert await api.gql(query, variables, token=who.token) == {
            "nodes": [{"progress": 0.0}, {"body": "Nice."}]}
    assert await api.gql(query, variables, token=outsider.token) == {"nodes": [None, None]}
    assert await api.gql(query, variables) == {"nodes": [None, None]}


async def test_class_and_lesson_inputs_report_every_problem_at_once(api: Api) -> None:
    maya = await api.sign_up("maya")
    data = await api.gql(CREATE_CLASS, {"input": {
        "title": " ", "skill": "", "level": "BEGINNER", "summary": "x" * 501}}, token=maya.token)
    assert [(e["field"], e["code"]) for e in data["createClass"]["errors"]] == [
        ("title", "INVALID_INPUT"), ("summary", "TOO_LONG"), ("skill", "INVALID_INPUT")]
    cls = await create_class(api, maya, "Verses")
    lesson = await api.gql(ADD_LESSON, {"input": {
        "classId": cls["id"], "title": "", "prompt": "p" * 2001, "videoRecordId": "nonsense"}},
        token=maya.token)
    assert [(e["field"], e["code"]) for e in lesson["addLesson"]["errors"]] == [
        ("title", "INVALID_INPUT"), ("prompt", "TOO_LONG"), ("videoRecordId", "INVALID_ID")]
    counts = await row_counts(api)
    assert (counts["classes"], counts["lessons"]) == (1, 0)
