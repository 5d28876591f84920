"""The read rules of comments, each declared once (hub/core/rules.py says how both the executor
and the compiled twins render them).

Visibility follows the subject, by the subject slice's own rule (none is rewritten here):

* a comment on a record is visible to whoever may see the record (records.VISIBLE: a draft's
  comments to its author only);
* on a collaboration, to whoever may see it (collaborations.VISIBLE);
* on a lesson, to whoever may read the lesson in a class they may see (classes.VISIBLE and
  classes.LESSON_READABLE);
* on a compilation, to its team only (compilations.TEAM: its editors and the admins): these
  are editorial notes, even on a published compilation.

A visible comment's content (``body``, ``bodyHtml``, ``quote``, ``mentions``) is shown unless
it was deleted (a tombstone for everyone) or hidden by moderation (a tombstone for everyone
but its author and the moderators). Its edit history (``previousBodies``) is for its author
and the moderators (ADMIN, MODERATOR) only.
"""

from __future__ import annotations

from hub.core.rules import Condition, Key, Listing, Ordering, Table, of_viewer
from hub.domain.classes import rules as classes
from hub.domain.collaborations import rules as collaborations
from hub.domain.compilations import rules as compilations
from hub.domain.records import rules as records

MAX_BODY = 10_000  # characters of a comment's Markdown
MAX_QUOTE = 1_000  # characters of an anchored passage
MAX_REPORT_TEXT = 2_000
MODERATOR_ROLES = ("MODERATOR", "ADMIN")


def _over(condition: Condition, alias: str) -> str:
    """``condition`` over the row ``alias`` (an alias over ``{t}``), still a template."""
    return condition.sql(alias, "{viewer}")


# --- the viewer ---------------------------------------------------------------------------------

# The viewer moderates (their role as stored; the request reads the same row).
MODERATOR = of_viewer("exists (select 1 from members {t}_mod where {t}_mod.id = {viewer} "
                      "and {t}_mod.role in ('MODERATOR', 'ADMIN'))")

# Over a member row ``{t}``: whether moderators suspended them, for that member and the
# moderators only (null for anyone else).
MEMBER_SUSPENDED = ("case when " + (of_viewer("{t}.id = {viewer}") | MODERATOR).template
                    + " then {t}.suspended_at is not null end")

# --- the subject (conditions over a comment row ``{t}``) ----------------------------------------

ON_RECORD = Condition("exists (select 1 from records {t}_sr where {t}_sr.id = {t}.record_id and "
                      + _over(records.VISIBLE, "{t}_sr") + ")")
ON_COLLABORATION = Condition(
    "exists (select 1 from collaborations {t}_sc where {t}_sc.id = {t}.collaboration_id and "
    + _over(collaborations.VISIBLE, "{t}_sc") + ")")
ON_LESSON = Condition(
    "exists (select 1 from lessons {t}_sl join classes {t}_slc on {t}_slc.id = {t}_sl.class_id "
    "where {t}_sl.id = {t}.lesson_id and " + _over(classes.VISIBLE, "{t}_slc") + " and "
    + _over(classes.LESSON_READABLE, "{t}_sl") + ")")
# Editorial notes: the compilation's team only, whatever the compilation's state.
ON_COMPILATION = Condition(
    "exists (select 1 from compilations {t}_sp where {t}_sp.id = {t}.compilation_id and "
    + _over(compilations.TEAM, "{t}_sp") + ")")
# Exactly one subject column is set, so at most one of these can hold.
VISIBLE = ON_RECORD | ON_COLLABORATION | ON_LESSON | ON_COMPILATION

ROOT = Condition("{t}.parent_id is null")
AUTHOR = of_viewer("{t}.author_id = {viewer}")
PRIVILEGED = AUTHOR | MODERATOR  # sees a hidden comment's content and every edit's history
SHOWN = Condition("{t}.deleted_at is null") & (Condition("{t}.hidden_at is null") | PRIVILEGED)

# What a comment row carries wherever it is read: the content only where SHOWN, the history
# only for PRIVILEGED readers — decided in the row, so both paths serve the same values.
_PREVIOUS = ("(select coalesce(array_agg({t}_e.body order by {t}_e.id), '{{}}') "
             "from comment_edits {t}_e where {t}_e.comment_id = {t}.id)")
COLUMNS = (
    "{t}.id, {t}.author_id, {t}.parent_id, {t}.record_id, {t}.collaboration_id, {t}.lesson_id, "
    "{t}.compilation_id, {t}.at_seconds, {t}.quote_offset, {t}.created_at, {t}.edited_at, "
    "{t}.deleted_at is not null as deleted, {t}.hidden_at is not null as hidden, "
    "{t}.edited_at is not null as edited, "
    f"case when {SHOWN.template} then {{t}}.body end as body, "
    f"case when {SHOWN.template} then {{t}}.body_html end as body_html, "
    f"case when {SHOWN.template} then {{t}}.quote end as quote, "
    f"case when {SHOWN.template} then {{t}}.mention_ids else '{{{{}}}}'::bigint[] end "
    "as mention_ids, "
    f"case when {PRIVILEGED.template} then {_PREVIOUS} end as previous_bodies"
)
# The API's Comment type reads these names from a row of COLUMNS.
COMMENTS = Table("comments", (
    "id", "author_id", "at_seconds", "quote_offset", "created_at", "edited_at", "deleted",
    "hidden", "edited", "body", "body_html", "quote", "previous_bodies",
))

# --- orders -------------------------------------------------------------------------------------

# Media order: a music or film record's comments by their moment, a text's by their passage,
# unanchored ones after them; ties oldest first. (A moment in milliseconds, so one bigint key
# serves both kinds of anchor.)
_ANCHOR = ("coalesce(round({t}.at_seconds * 1000)::bigint, {t}.quote_offset::bigint, "
           "9223372036854775807)")
ORDERINGS = {
    "OLDEST": Ordering((Key("{t}.created_at", "timestamptz"), Key("{t}.id", "bigint")), False),
    "NEWEST": Ordering((Key("{t}.created_at", "timestamptz"), Key("{t}.id", "bigint")), True),
    "MEDIA_ORDER": Ordering((Key(_ANCHOR, "bigint"), Key("{t}.created_at", "timestamptz"),
                             Key("{t}.id", "bigint")), False),
}


def _top_level(subject_column: str, subject_rule: Condition) -> Listing:
    return Listing(source="comments {t}", columns=COLUMNS, where=ROOT & subject_rule,
                   parent="{t}." + subject_column, orderings=ORDERINGS)


# A subject's top-level comments (replies are under each comment's ``replies``).
OF_RECORD = _top_level("record_id", ON_RECORD)
OF_COLLABORATION = _top_level("collaboration_id", ON_COLLABORATION)
OF_LESSON = _top_level("lesson_id", ON_LESSON)
OF_COMPILATION = _top_level("compilation_id", ON_COMPILATION)
# A comment's replies, oldest first (a conversation reads down).
REPLIES = Listing(source="comments {t}", columns=COLUMNS, where=VISIBLE,
                  parent="{t}.parent_id", orderings={"OLDEST": ORDERINGS["OLDEST"],
                                                     "NEWEST": ORDERINGS["NEWEST"]})

# --- moderation ---------------------------------------------------------------------------------

REPORTS = Table("comment_reports", ("id", "comment_id", "reporter_id", "reason", "text",
                                    "created_at"))
# The open reports, oldest first: the moderators' queue (empty for anyone else).
QUEUE = Listing(source="comment_reports {t}", columns=REPORTS.select("{t}"),
                where=Condition("{t}.resolved_at is null") & MODERATOR,
                orderings={"OLDEST": ORDERINGS["OLDEST"]})

LOG = Table("moderation_log", ("id", "actor_id", "action", "comment_id", "member_id", "reason",
                               "created_at"))
# Every moderation act, newest first: moderators only.
MODERATION_LOG = Listing(source="moderation_log {t}", columns=LOG.select("{t}"),
                         where=MODERATOR, orderings={"NEWEST": ORDERINGS["NEWEST"]})
