"""DataLoaders of the Class Projects slice: one SQL statement per batch.

The lists (classes, instructors, lessons, submissions, feedback, enrollments) are the
listings of rules.py, loaded by hub/core/pages.py (``context.pages(listing)``). The loaders
here read rows by id — each carrying the rules' verdicts for the viewer the loader was made
for — and the values of rules.py's computed columns and conditions per id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from hub.core.db import Database
from hub.core.loaders import MAX_BATCH, DataLoader, RowsByIdLoader
from hub.domain.classes import rules, store


class ClassByIdLoader(RowsByIdLoader[Any]):
    """Class rows by id, drafts included, with ``_visible`` for the viewer."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.classes_by_ids(self.db, ids, self.viewer)


class LessonByIdLoader(RowsByIdLoader[Any]):
    """Lesson rows by id with ``readable``, ``viewer_completed`` and ``_visible`` (the class)."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.lessons_by_ids(self.db, ids, self.viewer)


class EnrollmentByIdLoader(RowsByIdLoader[Any]):
    """Enrollment rows by id, with progress counts and ``_visible``."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.enrollments_by_ids(self.db, ids, self.viewer)


class SubmissionByIdLoader(RowsByIdLoader[Any]):
    """Submission rows by id, with ``_visible`` and ``reads_feedback``."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.submissions_by_ids(self.db, ids, self.viewer)


class FeedbackByIdLoader(RowsByIdLoader[Any]):
    """Feedback rows by id, with ``_visible``."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.feedback_by_ids(self.db, ids, self.viewer)


class _ValueByIdLoader(DataLoader[int, Any]):
    """One SQL expression of rules.py (``expression`` over ``{t}`` and ``{viewer}``) per row
    of ``table``, by id."""

    table: ClassVar[str]
    expression: ClassVar[str]

    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, ids: list[int]) -> list[Any]:
        rows = await store.values_of(self.db, self.table, self.expression, list(ids),
                                     self.viewer)
        found = {row["id"]: row["value"] for row in rows}
        return [found.get(pk) for pk in ids]


class LessonCountLoader(_ValueByIdLoader):
    table, expression = "classes", rules.CLASSES.computed["lesson_count"].join("()")


class SubmissionsCountLoader(_ValueByIdLoader):
    table, expression = "classes", rules.CLASSES.computed["submissions_count"].join("()")


class TeachesLoader(_ValueByIdLoader):
    """Whether the viewer teaches the class."""

    table, expression = "classes", rules.TEACHES.template


class CompletedLoader(_ValueByIdLoader):
    """Whether the viewer completed the lesson."""

    table, expression = "lessons", rules.COMPLETED.template


class EnrollmentByViewerLoader(DataLoader[tuple[int, int], Any]):
    """The enrollment of (class id, member id), or None."""

    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, pairs: list[tuple[int, int]]) -> list[Any]:
        rows = await store.enrollments_by_pairs(self.db, pairs)
        found = {(row["class_id"], row["member_id"]): row for row in rows}
        return [found.get(pair) for pair in pairs]
