"""The read rules of hearts, views and follows, each declared once (hub/core/rules.py says how
both the executor and the compiled twins render them).

Hearts: who hearted a record is private to each member (``Record.viewerHearted`` answers for
the viewer only); how many did is public (``Record.heartCount``), counted from the ``hearts``
rows over their primary key — there is no counter row that every heart would update.

Follows: who follows whom is public (``Member.followers``/``following``), as are the counts.
A member's activity (the published records of the members they follow) is theirs alone.

The discovery orderings (``FRESH``, ``UNDERSEEN``) are the records slice's, over the same
tables: hub/domain/records/discovery.py.
"""

from __future__ import annotations

from hub.core.rules import EVERY_ROW, Condition, Key, Listing, Ordering, Table, of_viewer
from hub.domain.members import rules as members
from hub.domain.records import rules as records

# --- hearts -------------------------------------------------------------------------------------

# Over a record row ``{t}``: its hearts, every member's (what Record.heartCount shows).
HEART_COUNT = "(select count(*) from hearts {t}_h where {t}_h.record_id = {t}.id)"
# Over a record row ``{t}``: whether the viewer hearted it (false when anonymous).
VIEWER_HEARTED = of_viewer("exists (select 1 from hearts {t}_vh where {t}_vh.record_id = {t}.id "
                           "and {t}_vh.member_id = {viewer})")

# --- follows ------------------------------------------------------------------------------------

# Followers and followed, newest follow first; the member's id breaks ties (one follow per pair).
_NEWEST_FOLLOW = Ordering((Key("{t}_f.created_at", "timestamptz"), Key("{t}.id", "bigint")), True)

# The members who follow the parent member.
FOLLOWERS = Listing(
    source="member_follows {t}_f join members {t} on {t}.id = {t}_f.follower_id",
    columns=members.COLUMNS, where=EVERY_ROW, parent="{t}_f.followed_id",
    orderings={"NEWEST": _NEWEST_FOLLOW})
# The members the parent member follows.
FOLLOWING = Listing(
    source="member_follows {t}_f join members {t} on {t}.id = {t}_f.followed_id",
    columns=members.COLUMNS, where=EVERY_ROW, parent="{t}_f.follower_id",
    orderings={"NEWEST": _NEWEST_FOLLOW})

# Over a member row ``{t}``: how many follow them, how many they follow.
FOLLOWER_COUNT = "(select count(*) from member_follows {t}_fc where {t}_fc.followed_id = {t}.id)"
FOLLOWING_COUNT = "(select count(*) from member_follows {t}_fc where {t}_fc.follower_id = {t}.id)"
# Over a member row ``{t}``: whether the viewer follows them (false when anonymous).
VIEWER_FOLLOWS_MEMBER = of_viewer(
    "exists (select 1 from member_follows {t}_vf where {t}_vf.followed_id = {t}.id "
    "and {t}_vf.follower_id = {viewer})")
# Over a collaboration row ``{t}``: its followers, and whether the viewer is one.
COLLABORATION_FOLLOWER_COUNT = ("(select count(*) from collaboration_follows {t}_cf "
                                "where {t}_cf.collaboration_id = {t}.id)")
VIEWER_FOLLOWS_COLLABORATION = of_viewer(
    "exists (select 1 from collaboration_follows {t}_vf where {t}_vf.collaboration_id = {t}.id "
    "and {t}_vf.member_id = {viewer})")

# --- activity -----------------------------------------------------------------------------------

# Over a member row ``{t}``: the one member who may read its activity, the member themself.
OWN_ACTIVITY = of_viewer("{t}.id = {viewer}")

# The activity of the parent member: the published records (remixes among them) of the
# members they follow, newest publication first. A record is an activity once, when it is
# first published; unpublishing or deleting it takes it out. Each row is a record, with
# ``kind`` (the API's ActivityKind) and ``occurred_at``. Other kinds (a collaboration's call,
# a comment) join this list as more sources of rows with the same two columns.
_REMIX = "exists (select 1 from record_sources {t}_s where {t}_s.remix_id = {t}.id)"
ACTIVITY = Listing(
    source="member_follows {t}_f join records {t} on {t}.author_id = {t}_f.followed_id",
    columns=(records.COLUMNS + f", (case when {_REMIX} then 'REMIX_PUBLISHED' "
             "else 'RECORD_PUBLISHED' end) as kind, {t}.published_at as occurred_at"),
    where=records.PUBLISHED & ~records.DELETED & Condition("{t}.published_at is not null"),
    parent="{t}_f.follower_id",
    orderings={"NEWEST": Ordering((Key("{t}.published_at", "timestamptz"),
                                   Key("{t}.id", "bigint")), True)})
# What an activity row carries, as the API's Activity type reads it.
ACTIVITY_ROW = Table("records", ("kind", "occurred_at"))
