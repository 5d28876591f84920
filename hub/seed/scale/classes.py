"""Subscriptions and Class Projects of the scale seed: lessons, learners, submissions and
feedback (:func:`_plan_class` says what a class holds)."""


from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from hub.domain.classes.services import slugify, unique_slug
from hub.seed.demo import ADJECTIVES, NOUNS, SKILLS
from hub.seed.scale.world import (
    CLASS_COLUMNS,
    CLASS_CYCLE,
    CLASS_EVERY,
    CLASS_TITLES,
    FEEDBACK,
    LESSON_COLUMNS,
    LESSON_STEPS,
    LESSONS_PER_CLASS,
    MAX_LEARNERS,
    SUBSCRIBER_SHARE,
    SUBSCRIPTION_COLUMNS,
    ClassCounts,
    Row,
    World,
    copy_rows,
    new_ids,
)


@dataclass
class _Learner:
    member_id: int
    enrolled_at: dt.datetime
    completed: int  # the first ``completed`` lessons are done
    submission: int | None  # a record index submitted to lesson ``completed``
    feedback: bool  # the lead instructor answered the submission


@dataclass
class _ClassPlan:
    row: Row  # in CLASS_COLUMNS order
    instructors: list[int]  # the creator first
    lessons: list[tuple[str, str, str, int | None]]  # title, body, prompt, video record index
    learners: list[_Learner]

    def get(self, column: str) -> Any:
        return self.row[CLASS_COLUMNS.index(column)]


@dataclass
class _Learning:
    """The rows of enrollments, completions and submissions of every class, and for each
    submission its feedback (author, body, time) or None."""

    enrollments: list[Row] = field(default_factory=list)
    completions: list[Row] = field(default_factory=list)
    submissions: list[Row] = field(default_factory=list)
    feedback: list[tuple[int, str, dt.datetime] | None] = field(default_factory=list)


async def load_classes(
    connection: asyncpg.Connection, rng: random.Random, world: World, records: int,
) -> ClassCounts:
    subscriptions = _subscription_rows(rng, world)
    world.subscribers = [row[0] for row in subscriptions]
    await copy_rows(connection, "subscriptions", SUBSCRIPTION_COLUMNS, subscriptions)
    plans = _plan_classes(rng, world, max(1, records // CLASS_EVERY))
    await copy_rows(connection, "classes", CLASS_COLUMNS, [plan.row for plan in plans])
    class_ids = await new_ids(connection, "classes", len(plans))
    await copy_rows(connection, "class_instructors", ("class_id", "member_id", "added_at"), [
        (class_id, member_id, plan.get("created_at") + dt.timedelta(minutes=n))
        for class_id, plan in zip(class_ids, plans, strict=True)
        for n, member_id in enumerate(plan.instructors)])
    lesson_rows = _lesson_rows(world, plans, class_ids)
    await copy_rows(connection, "lessons", LESSON_COLUMNS, lesson_rows)
    lesson_ids = await new_ids(connection, "lessons", len(lesson_rows))
    learning = _learning_rows(world, plans, class_ids, lesson_ids)
    await copy_rows(connection, "enrollments", ("class_id", "member_id", "enrolled_at"),
                learning.enrollments)
    await copy_rows(connection, "lesson_completions", ("member_id", "lesson_id", "completed_at"),
                learning.completions)
    await copy_rows(connection, "submissions",
                ("class_id", "lesson_id", "member_id", "record_id", "created_at"),
                learning.submissions)
    submission_ids = await new_ids(connection, "submissions", len(learning.submissions))
    feedback = [(submission_id, *given) for submission_id, given
                in zip(submission_ids, learning.feedback, strict=True) if given is not None]
    await copy_rows(connection, "feedback", ("submission_id", "author_id", "body", "created_at"),
                feedback)
    return ClassCounts(
        subscriptions=len(subscriptions), classes=len(plans),
        published=sum(plan.get("status") == "PUBLISHED" for plan in plans),
        lessons=len(lesson_rows), enrollments=len(learning.enrollments),
        completions=len(learning.completions), submissions=len(learning.submissions),
        feedback=len(feedback))


def _subscription_rows(rng: random.Random, world: World) -> list[Row]:
    """Subscriptions of about :data:`SUBSCRIBER_SHARE` of the members, most of them ACTIVE;
    learners are drawn from these members (some have lapsed since they enrolled)."""
    rows: list[Row] = []
    for member_id in world.members:
        if rng.random() >= SUBSCRIBER_SHARE:
            continue
        u = rng.random()
        if u < 0.85:
            status, end = "ACTIVE", world.now + dt.timedelta(days=rng.randint(1, 30))
        elif u < 0.95:
            status, end = "PAST_DUE", world.now - dt.timedelta(days=rng.randint(1, 5))
        else:
            status, end = "CANCELED", world.now - dt.timedelta(days=rng.randint(10, 200))
        rows.append((member_id, status, rng.choice(("monthly", "yearly")), end, "cli", world.now))
    return rows


def _plan_classes(rng: random.Random, world: World, count: int) -> list[_ClassPlan]:
    total = len(world.created)
    # Creation moments among the newer 90% of the records, in order, so ids follow time.
    moments = sorted(rng.randrange(total // 10, total) for _ in range(count))
    taken: set[str] = set()
    return [_plan_class(rng, world, CLASS_CYCLE[n % len(CLASS_CYCLE)], at, taken)
            for n, at in enumerate(moments)]


def _plan_class(
    rng: random.Random, world: World, status: str, at: int, taken: set[str],
) -> _ClassPlan:
    """A class made when record ``at`` was: taught by one to three members who list its skill,
    4–12 lessons (the first with a published film as its video half the time), and, once
    published, learners from the subscribers with their progress and a few submissions."""
    skill = rng.choice(SKILLS)
    level = rng.choice(("BEGINNER", "INTERMEDIATE", "ADVANCED"))
    title = rng.choice(CLASS_TITLES).format(
        Skill=skill.title(), skill=skill, adjective=rng.choice(ADJECTIVES),
        noun=rng.choice(NOUNS))
    slug = unique_slug(slugify(title), taken)  # the app's own rule: "-2", "-3"… on a clash
    taken.add(slug)
    teachers = world.skilled.get(skill) or world.members
    instructors = rng.sample(teachers, min(len(teachers), rng.choice((1, 1, 1, 2, 2, 3))))
    created = world.created[at]
    published = min(world.now, created + dt.timedelta(days=2)) if status != "DRAFT" else None
    archived = published + (world.now - published) * rng.random() \
        if published and status == "ARCHIVED" else None
    n_lessons = rng.randint(*LESSONS_PER_CLASS)
    films = world.before("film", at)
    video = rng.choice(films) if films and rng.random() < 0.5 else None
    lessons = [(step, body.format(skill=skill), prompt.format(skill=skill),
                video if position == 1 else None)
               for position, (step, body, prompt) in enumerate(LESSON_STEPS[:n_lessons], 1)]
    row = (slug, title, f"A {level.lower()} class in {skill}: {n_lessons} lessons from a first "
           "sketch to a finished piece.",
           f"Learn {skill} by doing: every lesson ends with a prompt you answer with a record, "
           "and classmates remix each other's answers.", skill, level, status,
           rng.random() < 0.4, instructors[0], created, archived or published or created,
           published)
    learners = _plan_learners(rng, world, instructors, n_lessons, published,
                              archived or world.now) if published else []
    return _ClassPlan(row=row, instructors=instructors, lessons=lessons, learners=learners)


def _plan_learners(
    rng: random.Random, world: World, instructors: list[int], n_lessons: int,
    opened: dt.datetime, closed: dt.datetime,
) -> list[_Learner]:
    """Up to :data:`MAX_LEARNERS` subscribers (most classes have a handful) who enrolled while
    the class was open; some completed a few lessons, a third of those submitted one of their
    own published records to the last lesson they completed."""
    want = min(len(world.subscribers), int(MAX_LEARNERS * rng.random() ** 2))
    learners: list[_Learner] = []
    for member_id in rng.sample(world.subscribers, want):
        if member_id in instructors:
            continue
        done = rng.randint(0, n_lessons)
        own = world.by_author.get(member_id, [])
        submission = rng.choice(own) if done and own and rng.random() < 0.3 else None
        learners.append(_Learner(member_id, opened + (closed - opened) * rng.random(), done,
                                 submission, rng.random() < 0.5))
    return learners


def _lesson_rows(world: World, plans: list[_ClassPlan], class_ids: list[int]) -> list[Row]:
    return [(class_id, position, title, body, prompt,
             world.record_id(video) if video is not None else None,
             plan.get("created_at"), plan.get("created_at"))
            for class_id, plan in zip(class_ids, plans, strict=True)
            for position, (title, body, prompt, video) in enumerate(plan.lessons, 1)]


def _learning_rows(
    world: World, plans: list[_ClassPlan], class_ids: list[int], lesson_ids: list[int],
) -> _Learning:
    learning = _Learning()
    first = 0  # where the current class's lessons start in lesson_ids (copied in order)
    for class_id, plan in zip(class_ids, plans, strict=True):
        lessons = lesson_ids[first:first + len(plan.lessons)]
        for learner in plan.learners:
            _learn(world, learning, class_id, plan, lessons, learner)
        first += len(plan.lessons)
    return learning


def _learn(
    world: World, learning: _Learning, class_id: int, plan: _ClassPlan, lesson_ids: list[int],
    learner: _Learner,
) -> None:
    """One learner's enrollment, completed lessons (spread from enrolling to now) and
    submission (when they finished the lesson, or when its record appeared if later)."""
    enrolled = learner.enrolled_at
    learning.enrollments.append((class_id, learner.member_id, enrolled))
    done_at = enrolled
    for n in range(learner.completed):
        done_at = enrolled + (world.now - enrolled) * (n + 1) / (learner.completed + 1)
        learning.completions.append((learner.member_id, lesson_ids[n], done_at))
    if learner.submission is None:
        return
    at = min(world.now, max(done_at, world.created[learner.submission]))
    learning.submissions.append((class_id, lesson_ids[learner.completed - 1], learner.member_id,
                                 world.record_id(learner.submission), at))
    body = FEEDBACK[learner.member_id % len(FEEDBACK)]
    learning.feedback.append((plan.instructors[0], body, at + (world.now - at) / 2)
                             if learner.feedback else None)


# --- compilations -------------------------------------------------------------------------------
