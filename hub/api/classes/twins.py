"""SQL twins of a class page as an anonymous visitor sees it (hub/compiled/).

Anonymous only: the one entry, ``Query.class``, sends signed-in viewers to the executor, where
instructors, admins, enrollments and subscriptions decide what they may read (types.py). An
anonymous visitor sees classes that are not drafts, every lesson's title, and a lesson's
``body``/``prompt`` only for the first lesson of a ``freePreview`` class; ``viewerEnrollment``
is null and ``viewerIsInstructor`` false.
"""

from __future__ import annotations

from typing import Any

from hub.api.compiled.plan import AlwaysNull, Bound, Builder, Column, NotCompilable, Registry, Selection, Spec
from hub.domain.classes.store import LONGEST_SLUG, SUBMITTED_RECORD_PUBLIC

CLASS_COLUMNS = {
    "id": "hub_global_id('Class', {row}.id)",
    "slug": "{row}.slug",
    "title": "{row}.title",
    "summary": "{row}.summary",
    "description": "{row}.description",
    "skill": "{row}.skill",
    "level": "{row}.level",
    "status": "{row}.status",
    "freePreview": "{row}.free_preview",
    "createdAt": "hub_iso({row}.created_at)",
    "updatedAt": "hub_iso({row}.updated_at)",
    "publishedAt": "hub_iso({row}.published_at)",
    "lessonCount": "(select count(*) from lessons l where l.class_id = {row}.id)",
    "submissionsCount": (f"(select count(*) from submissions s where s.class_id = {{row}}.id "
                         f"and {SUBMITTED_RECORD_PUBLIC})"),
    "viewerIsInstructor": "false",
}

# Lesson rows carry ``readable``, computed by Class.lessons for the anonymous visitor.
LESSON_COLUMNS = {
    "id": "hub_global_id('Lesson', {row}.id)",
    "position": "{row}.position",
    "title": "{row}.title",
    "locked": "(not {row}.readable)",
    "body": "(case when {row}.readable then {row}.body end)",
    "prompt": "(case when {row}.readable then {row}.prompt end)",
    "createdAt": "hub_iso({row}.created_at)",
    "updatedAt": "hub_iso({row}.updated_at)",
}


class ClassBySlug(Spec):
    """``Query.class(slug)`` for anonymous visitors: null for drafts and unknown slugs."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        if viewer_id is not None:
            raise NotCompilable("a signed-in viewer's access is the executor's")
        slug = arguments["slug"]
        if len(slug) > LONGEST_SLUG:  # as queries.py: null without a query
            return Bound(False)
        return Bound(True, (slug.strip().lower(),))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        if not b.bound(selection).shape:
            return "null::json"
        c = b.alias("c")
        return (f"(select {b.object('Class', selection.children, c)} from classes {c} "
                f"where {c}.slug = {b.param(selection, 0, 'text')} and {c}.status <> 'DRAFT')")


class Instructors(Spec):
    """The creator first, then in the order they joined (store.instructors_of_classes)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        i, m = b.alias("i"), b.alias("m")
        member = b.object("Member", selection.children, m)
        order = f"{i}.member_id <> {row}.created_by, {i}.added_at, {i}.member_id"
        return (f"(select {aggregate_list(member, order)} from class_instructors {i} "
                f"join members {m} on {m}.id = {i}.member_id where {i}.class_id = {row}.id)")


class Lessons(Spec):
    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        lesson = b.alias("l")
        item = b.object("Lesson", selection.children, lesson)
        return (f"(select {aggregate_list(item, f'{lesson}.position')} from ("
                f"select *, ({row}.free_preview and position = 1) as readable from lessons "
                f"where class_id = {row}.id) {lesson})")


def aggregate_list(item: str, order: str) -> str:
    """A JSON list of ``item`` over the rows aggregated, in ``order``; ``[]`` when empty."""
    return f"coalesce(json_agg({item} order by {order}), '[]'::json)"


def specs() -> Registry:
    registry: Registry = {("Class", name): Column(template)
                          for name, template in CLASS_COLUMNS.items()}
    registry.update({("Lesson", name): Column(template)
                     for name, template in LESSON_COLUMNS.items()})
    registry[("Class", "viewerEnrollment")] = AlwaysNull()
    registry[("Class", "instructors")] = Instructors()
    registry[("Class", "lessons")] = Lessons()
    registry[("Query", "class")] = ClassBySlug()
    return registry
