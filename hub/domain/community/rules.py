"""The read rules of hearts, views and follows, each declared once (hub/core/rules.py says how
both the executor and the compiled twins render them).

Hearts: who hearted a record is private to each member (``Record.viewerHearted`` answers for
the viewer only); how many did is public (``Record.heartCount``), counted from the ``hearts``
rows over their primary key — there is no counter row that every heart would update.

Follows: who follows whom is public (``Member.followers``/``following``), as are the counts.
A member's activity (the published records of the members they follow, the calls of the
collaborations they follow) is theirs alone.

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

# The activity of the parent member, newest first: the published records (remixes among
# them) of the members they follow, and the calls opened by the collaborations they follow or
# that the members they follow own. A record is an activity once, when it is first published
# (unpublishing or deleting it takes it out); a call once, when it opened (a draft never
# shows). Each row carries a record's columns (null for a call), ``collaboration_id`` (null
# for a record), ``kind`` (the API's ActivityKind), ``occurred_at``, ``actor_id`` and
# ``activity_key``, unique across both kinds (a record's id doubled, a call's doubled plus
# one), which breaks ties in the keyset order. More sources (a comment) join as more branches
# with the same columns.
_REMIX = "exists (select 1 from record_sources {t}_s where {t}_s.remix_id = {t}.id)"
_PUBLISHED = (records.PUBLISHED & ~records.DELETED
              & Condition("{t}.published_at is not null")).sql("{t}_r")
_RECORD_COLUMNS = ", ".join(f"{{t}}_r.{column}" for column in records.RECORDS.columns)
_CALLED = ("select {t}_cf.member_id as follower_id, {t}_cf.collaboration_id "
           "from collaboration_follows {t}_cf union "
           "select {t}_mf.follower_id, {t}_o.collaboration_id from member_follows {t}_mf "
           "join collaboration_owners {t}_o on {t}_o.member_id = {t}_mf.followed_id")
ACTIVITY = Listing(
    source=(
        f"(select {_RECORD_COLUMNS}, null::bigint as collaboration_id, "
        f"(case when {_REMIX.replace('{t}.', '{t}_r.')} then 'REMIX_PUBLISHED' "
        "else 'RECORD_PUBLISHED' end) as kind, {t}_r.published_at as occurred_at, "
        "{t}_r.author_id as actor_id, {t}_r.id * 2 as activity_key, "
        "{t}_f.follower_id as follower_id "
        "from member_follows {t}_f join records {t}_r on {t}_r.author_id = {t}_f.followed_id "
        f"where {_PUBLISHED} "
        f"union all select {_RECORD_COLUMNS}, {{t}}_c.id, 'COLLABORATION_OPENED', "
        "{t}_c.opened_at, {t}_c.created_by, {t}_c.id * 2 + 1, {t}_x.follower_id "
        f"from ({_CALLED}) {{t}}_x join collaborations {{t}}_c "
        "on {t}_c.id = {t}_x.collaboration_id "
        # A call shows once it opened, in every later state but a draft.
        "left join records {t}_r on false "
        "where {t}_c.opened_at is not null and {t}_c.status <> 'DRAFT') {t}"),
    columns=(records.COLUMNS + ", {t}.collaboration_id, {t}.kind, {t}.occurred_at, "
             "{t}.actor_id, {t}.activity_key"),
    where=EVERY_ROW, parent="{t}.follower_id",
    orderings={"NEWEST": Ordering((Key("{t}.occurred_at", "timestamptz"),
                                   Key("{t}.activity_key", "bigint")), True)})
# What an activity row carries, as the API's Activity type reads it.
ACTIVITY_ROW = Table("records", ("kind", "occurred_at"))
