"""A member's classes: ``Member.classesTeaching`` (drafts only for their instructors and
admins) and ``Member.enrollments`` (the member themself and admins only) page and count like
every list, the same whichever way the hub answers."""

from __future__ import annotations

from typing import Any

from tests.api import Api
from tests.classes.test_classes import create_class, enrolled, published_class
from tests.graphql_api.test_compiled import both_ways

MEMBER_CLASSES = """
query MemberClasses($handle: String!) {
  member(handle: $handle) {
    classesTeaching(first: 1) { totalCount nodes { title status } pageInfo { hasNextPage } }
    enrollments(first: 5) { totalCount nodes { progress completedLessons class { title } } }
  }
}
"""


async def test_a_members_classes_and_enrollments_are_counted(api: Api) -> None:
    teacher = await api.sign_up("teacher")
    await published_class(api, teacher, "Writing a Verse")
    second, _ = await published_class(api, teacher, "Writing a Hook")
    await create_class(api, teacher, "Unfinished")  # a draft
    learner = await enrolled(api, "learner", second["id"])

    def taught(body: dict[str, Any]) -> dict[str, Any]:
        return body["data"]["member"]["classesTeaching"]

    anonymous, _ = await both_ways(api, MEMBER_CLASSES, {"handle": "teacher"})
    assert taught(anonymous)["totalCount"] == 2  # the draft is the instructors'
    assert taught(anonymous)["pageInfo"] == {"hasNextPage": True}
    own, _ = await both_ways(api, MEMBER_CLASSES, {"handle": "teacher"}, token=teacher.token)
    assert taught(own)["totalCount"] == 3
    assert taught(own)["nodes"] == [{"title": "Unfinished", "status": "DRAFT"}]

    assert anonymous["data"]["member"]["enrollments"] is None
    others, _ = await both_ways(api, MEMBER_CLASSES, {"handle": "learner"}, token=teacher.token)
    assert others["data"]["member"]["enrollments"] is None  # private, even to the teacher
    mine, _ = await both_ways(api, MEMBER_CLASSES, {"handle": "learner"}, token=learner.token)
    assert mine["data"]["member"]["enrollments"] == {"totalCount": 1, "nodes": [
        {"progress": 0.0, "completedLessons": 0, "class": {"title": "Writing a Hook"}}]}
