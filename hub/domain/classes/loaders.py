"""DataLoaders of the Class Projects slice: one SQL statement per batch.

Paged relations (``Member.classesTeaching``, ``Member.enrollments``, ``Lesson.submissions``,
``Submission.feedback``) cost one statement per distinct page shape in a request, however many
parents ask: each batch is one ``LATERAL`` query over all the parents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from hub.core.db import Database
from hub.core.loaders import MAX_BATCH, RowsByIdLoader, grouped
from hub.core.relay import PageArgs
from hub.domain.classes import store


class ClassByIdLoader(RowsByIdLoader[Any]):
    """Class rows by id (drafts included; callers apply visibility)."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.classes_by_ids(self.db, ids)


class LessonByIdLoader(RowsByIdLoader[Any]):
    """Lesson rows by id (callers apply the class's visibility and the lesson access rule)."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.lessons_by_ids(self.db, ids)


class EnrollmentByIdLoader(RowsByIdLoader[Any]):
    """Enrollment rows by id, with progress counts."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.enrollments_by_ids(self.db, ids)


class SubmissionByIdLoader(RowsByIdLoader[Any]):
    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.submissions_by_ids(self.db, ids)


class FeedbackByIdLoader(RowsByIdLoader[Any]):
    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.feedback_by_ids(self.db, ids)


class _ListByIdLoader(DataLoader[int, list[Any]]):
    """A list of rows per id; subclasses fetch all of them in one statement."""

    group_key = "class_id"

    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        raise NotImplementedError

    async def _load(self, ids: list[int]) -> list[list[Any]]:
        rows = await self.fetch(list(ids))
        return grouped(list(ids), rows, lambda row: row[self.group_key])


class InstructorsByClassIdLoader(_ListByIdLoader):
    """Member rows of each class's instructors, in the order they joined."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.instructors_of_classes(self.db, ids)


class LessonsByClassIdLoader(_ListByIdLoader):
    """Each class's lessons, by position."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.lessons_of_classes(self.db, ids)


class _CountByIdLoader(DataLoader[int, int]):
    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        raise NotImplementedError

    async def _load(self, ids: list[int]) -> list[int]:
        counts = {row["id"]: row["n"] for row in await self.fetch(list(ids))}
        return [counts.get(pk, 0) for pk in ids]


class LessonCountByClassIdLoader(_CountByIdLoader):
    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.lesson_counts(self.db, ids)


class SubmissionCountByClassIdLoader(_CountByIdLoader):
    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.submission_counts(self.db, ids)


class SubmissionCountByLessonIdLoader(_CountByIdLoader):
    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.submission_counts_of_lessons(self.db, ids)


class FeedbackCountBySubmissionIdLoader(_CountByIdLoader):
    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.feedback_counts(self.db, ids)


class _ByPairLoader(DataLoader[tuple[int, int], Any]):
    """Keyed by (class id, member id): the viewer's relation to a class."""

    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)


class EnrollmentByViewerLoader(_ByPairLoader):
    """The enrollment of (class id, member id), or None."""

    async def _load(self, pairs: list[tuple[int, int]]) -> list[Any]:
        rows = await store.enrollments_by_pairs(self.db, pairs)
        found = {(row["class_id"], row["member_id"]): row for row in rows}
        return [found.get(pair) for pair in pairs]


class CompletedLessonIdsLoader(_ByPairLoader):
    """The ids of the lessons a member completed in a class, keyed by (class id, member id)."""

    async def _load(self, pairs: list[tuple[int, int]]) -> list[set[int]]:
        found: dict[tuple[int, int], set[int]] = {pair: set() for pair in pairs}
        for row in await store.completed_lessons(self.db, pairs):
            found[(row["class_id"], row["member_id"])].add(row["lesson_id"])
        return [found[pair] for pair in pairs]


# --- pages per parent ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageKey:
    """One parent's page; ``viewer``/``admin`` are part of the key when visibility depends on
    them, so one request never mixes pages of different viewers."""

    parent_id: int
    page: PageArgs
    viewer: int | None = None
    admin: bool = False


class _PagesLoader(DataLoader[PageKey, list[Any]]):
    """Batches every parent with the same page shape into one statement."""

    group_key = ""

    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def fetch(self, parent_ids: list[int], shape: PageKey) -> Sequence[Any]:
        raise NotImplementedError

    async def _load(self, keys: list[PageKey]) -> list[list[Any]]:
        by_shape: dict[tuple[Any, ...], list[PageKey]] = {}
        for key in keys:
            by_shape.setdefault((key.page, key.viewer, key.admin), []).append(key)
        found: dict[PageKey, list[Any]] = {}
        for shape_keys in by_shape.values():
            parent_ids = [key.parent_id for key in shape_keys]
            rows = await self.fetch(parent_ids, shape_keys[0])
            groups = grouped(parent_ids, rows, lambda row: row[self.group_key])
            found.update(zip(shape_keys, groups, strict=True))
        return [found[key] for key in keys]


class ClassesByInstructorLoader(_PagesLoader):
    group_key = "instructor_id"

    async def fetch(self, parent_ids: list[int], shape: PageKey) -> Sequence[Any]:
        return await store.classes_of_instructors(
            self.db, parent_ids, shape.viewer, shape.admin, shape.page
        )


class EnrollmentsByMemberLoader(_PagesLoader):
    group_key = "member_id"

    async def fetch(self, parent_ids: list[int], shape: PageKey) -> Sequence[Any]:
        return await store.enrollments_of_members(self.db, parent_ids, shape.page)


class SubmissionsByLessonLoader(_PagesLoader):
    group_key = "lesson_id"

    async def fetch(self, parent_ids: list[int], shape: PageKey) -> Sequence[Any]:
        return await store.submissions_of_lessons(self.db, parent_ids, shape.page)


class FeedbackBySubmissionLoader(_PagesLoader):
    group_key = "submission_id"

    async def fetch(self, parent_ids: list[int], shape: PageKey) -> Sequence[Any]:
        return await store.feedback_of_submissions(self.db, parent_ids, shape.page)
