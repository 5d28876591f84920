"""SQL twins of the Class Projects slice's computed fields, each declared beside its field in
types.py and queries.py (``metadata=twin(…)``); the stored columns' twins are derived
(hub/api/compiled/derive.py). Every rule they apply — who sees a class, who reads a lesson or
a feedback thread — is a declaration of hub/domain/classes/rules.py, rendered here with the
statement's viewer (``$1``), so signed-in viewers are compiled too.
"""

from __future__ import annotations

from typing import Any

from hub.api.compiled.derive import Reference
from hub.api.compiled.listing import GuardedListing, ListingTwin
from hub.api.compiled.plan import Bound, Builder, Column, Selection, Spec
from hub.core.rules import ANYONE, Condition, Listing, Table, of_viewer
from hub.domain.classes import rules
from hub.domain.classes.store import LONGEST_SLUG
from hub.domain.members.rules import MEMBERS
from hub.domain.records import rules as records


def _type_name(selection: Selection) -> str:
    assert selection.definition is not None
    named: Any = selection.definition.type
    while hasattr(named, "of_type"):
        named = named.of_type
    return str(named.name)


def computed(table: Table, name: str) -> Column:
    """A computed column of ``table`` (rules.py), over the parent row."""
    expression = table.expression(name, "{row}")
    assert expression is not None, f"{name} is no column of {table.name}"
    return Column(expression)


class Holds(Spec):
    """Whether a condition of rules.py holds of the parent row for the viewer."""

    def __init__(self, condition: Condition) -> None:
        self.condition = condition

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return self.condition.sql(row, b.VIEWER)


def holds(condition: Condition) -> Holds:
    return Holds(condition)


class Lookup(Spec):
    """The row of ``table`` whose id is the parent row's ``key``, read as ``columns`` (over
    ``{t}`` and ``{viewer}``), null unless ``condition`` holds of it for the viewer (and,
    if given, ``guard`` of the parent row)."""

    def __init__(self, table: str, key: str, condition: Condition, columns: str = "{t}.*",
                 guard: str | None = None) -> None:
        self.table, self.key, self.condition = table, key, condition
        self.columns, self.guard = columns, guard

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        t, o = b.alias("x"), b.alias("o")
        rows = (f"select {self.columns.format(t=t, viewer=b.VIEWER)} from {self.table} {t} "
                f"where {t}.id = {row}.{self.key} and {self.condition.sql(t, b.VIEWER)}")
        value = (f"(select {b.object(_type_name(selection), selection.children, o)} "
                 f"from ({rows}) {o})")
        return f"(case when {self.guard.format(row=row)} then {value} end)" if self.guard \
            else value


class AllOf(Spec):
    """A short list (not a connection) of a listing's rows for the parent row, in the
    listing's default order: the executor's one page of ``rules.WHOLE_LIST``."""

    def __init__(self, listing: Listing) -> None:
        self.listing = listing

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        listing = self.listing
        ordering = listing.ordering(listing.default_order, row)
        t, o = b.alias("r"), b.alias("o")
        rows = (f"select {listing.select(t, b.VIEWER)}, {ordering.select_keys(t)} "
                f"from {listing.from_where(t, b.VIEWER, f'{row}.id')} "
                f"order by {ordering.order_by(t)} limit {rules.WHOLE_LIST.limit + 1}")
        item = b.object(_type_name(selection), selection.children, o)
        return (f"(select coalesce(json_agg({item} order by {ordering.order_by_keys(o)}), "
                f"'[]'::json) from ({rows}) {o})")


class ViewerEnrollment(Spec):
    """``Class.viewerEnrollment``: the viewer's enrollment in the class (null when anonymous,
    which matches no member)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        if b.VIEWER == ANYONE:
            return "null::json"  # no enrollment is anyone's: nothing to plan
        e = b.alias("e")
        return (f"(select {b.object('Enrollment', selection.children, e)} from enrollments {e} "
                f"where {e}.class_id = {row}.id and {e}.member_id = {b.VIEWER})")


class ClassBySlug(Spec):
    """``Query.class(slug)``: null for unknown slugs and classes the viewer may not see."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        slug = arguments["slug"]
        if len(slug) > LONGEST_SLUG:  # as queries.py: null without a query
            return Bound(False)
        return Bound(True, (slug.strip().lower(),))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        if not b.bound(selection).shape:
            return "null::json"
        c = b.alias("c")
        return (f"(select {b.object('Class', selection.children, c)} from classes {c} "
                f"where {c}.slug = {b.param(selection, 0, 'text')} "
                f"and {rules.VISIBLE.sql(c, b.VIEWER)})")


class AllClasses(ListingTwin):
    """``Query.classes``: its filter's ``status`` defaults to PUBLISHED, also when no filter
    is given (as the resolver's ``ClassFilter()``)."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        if arguments.get("filter") is None:
            arguments = {**arguments, "filter": {"status": "PUBLISHED"}}
        return super().bind(arguments, viewer_id)


CLASS_BY_SLUG = ClassBySlug()
CLASSES = AllClasses(rules.ALL_CLASSES)
INSTRUCTORS = AllOf(rules.INSTRUCTORS)
LESSONS = AllOf(rules.LESSONS_OF_CLASS)
VIEWER_ENROLLMENT = ViewerEnrollment()
CLASS_OF = Lookup("classes", "class_id", rules.VISIBLE)
COMPLETED = holds(rules.COMPLETED)
# A locked lesson's video is null (its row's ``readable``), and so is one no longer visible.
VIDEO = Lookup("records", "video_record_id", records.VISIBLE, guard="{row}.readable")
SUBMISSIONS = ListingTwin(rules.SUBMISSIONS_OF_LESSON)
LESSON_OF = Lookup("lessons", "lesson_id", rules.of_class(rules.VISIBLE), rules.LESSON_COLUMNS)
RECORD = Lookup("records", "record_id", records.VISIBLE)
MEMBER = Reference(MEMBERS, "member_id")
AUTHOR = Reference(MEMBERS, "author_id")
FEEDBACK = GuardedListing(rules.FEEDBACK_OF_SUBMISSION, rules.READS_FEEDBACK)

# Member.classesTeaching and Member.enrollments (declared in hub/api/members/types.py, which
# calls classes_teaching / enrollments_of in types.py): the same listings, and the
# enrollments only for the member themself and admins.
TAUGHT_BY = ListingTwin(rules.TAUGHT_BY)
ENROLLMENTS_OF_MEMBER = GuardedListing(
    rules.ENROLLMENTS_OF_MEMBER, of_viewer("{t}.id = {viewer}") | rules.ADMIN)
