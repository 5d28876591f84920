"""The read rules of notifications, each declared once (hub/core/rules.py says how both the
executor and the compiled twins render them).

A member's notifications are theirs alone: the inbox, its unread count and the preferences
are null (or refused) for anyone else. What a notification is about is shown by that
subject's own rule, read when the notification is read: a record through
:data:`hub.domain.records.rules.VISIBLE` (a record that became a draft since reads as
unavailable), a collaboration through its slice's ``VISIBLE``; none is copied here.
"""

from __future__ import annotations

from hub.core.rules import EVERY_ROW, Condition, Filter, Key, Listing, Ordering, Table, of_viewer
from hub.domain.collaborations import rules as collaborations
from hub.domain.compilations import rules as compilations
from hub.domain.records import rules as records

# The kinds, as the API's NotificationKind names them (and the column stores them).
RECORD_REMIXED = "RECORD_REMIXED"
RECORD_COMMENTED = "RECORD_COMMENTED"
MENTIONED = "MENTIONED"
RECORD_HEARTED = "RECORD_HEARTED"
CONTRIBUTION_ACCEPTED = "CONTRIBUTION_ACCEPTED"
CONTRIBUTION_DECLINED = "CONTRIBUTION_DECLINED"
FOLLOWED_COLLABORATION_CLOSING = "FOLLOWED_COLLABORATION_CLOSING"
CLASS_FEEDBACK = "CLASS_FEEDBACK"
PAYOUT_PROPOSED = "PAYOUT_PROPOSED"
PAYOUT_FINALIZED = "PAYOUT_FINALIZED"
COMPILATION_RETURNED = "COMPILATION_RETURNED"
COMPILATION_APPROVED = "COMPILATION_APPROVED"
KINDS = (RECORD_REMIXED, RECORD_COMMENTED, MENTIONED, RECORD_HEARTED, CONTRIBUTION_ACCEPTED,
         CONTRIBUTION_DECLINED, FOLLOWED_COLLABORATION_CLOSING, CLASS_FEEDBACK, PAYOUT_PROPOSED,
         PAYOUT_FINALIZED, COMPILATION_RETURNED, COMPILATION_APPROVED)
# Kinds whose actors are private acts: the notification counts them and names none (who
# hearted a record is private to each member, hub/domain/community/rules.py).
ANONYMOUS_ACTORS = frozenset({RECORD_HEARTED})

# What a notification row carries wherever it is read.
# ``actor_count``: a grouped notification's actors are rows of notification_actors (counted
# over their primary key, so a heart updates no counter); another has its one actor, or none
# (the hub's own notices).
NOTIFICATIONS = Table("notifications", (
    "id", "recipient_id", "kind", "actor_id", "record_id", "collaboration_id",
    "compilation_id", "group_key", "created_at", "read_at",
), {"read": "{t}.read_at is not null",
    "actor_count": "case when {t}.group_key is not null then (select count(*) from "
                   "notification_actors {t}_a where {t}_a.notification_id = {t}.id)::int "
                   "when {t}.actor_id is not null then 1 else 0 end"})

# Over a member row ``{t}``: the one member who may read its notifications, themself.
OWN = of_viewer("{t}.id = {viewer}")

# Over a notification row ``{t}``: whether its record (if any) is visible to the viewer, and
# its collaboration and its compilation (if any): the subjects' own rules.
RECORD_SEEN = Condition(
    "exists (select 1 from records {t}_r where {t}_r.id = {t}.record_id and "
    + records.VISIBLE.sql("{t}_r", "{viewer}") + ")")
COLLABORATION_SEEN = Condition(
    "exists (select 1 from collaborations {t}_c where {t}_c.id = {t}.collaboration_id and "
    + collaborations.VISIBLE.sql("{t}_c", "{viewer}") + ")")
COMPILATION_SEEN = Condition(
    "exists (select 1 from compilations {t}_k where {t}_k.id = {t}.compilation_id and "
    + compilations.VISIBLE.sql("{t}_k", "{viewer}") + ")")
AVAILABLE = ((Condition("{t}.record_id is null") | RECORD_SEEN)
             & (Condition("{t}.collaboration_id is null") | COLLABORATION_SEEN)
             & (Condition("{t}.compilation_id is null") | COMPILATION_SEEN))

# The inbox of the parent member: newest first (a grouped notification moves up as it grows).
NEWEST = Ordering((Key("{t}.created_at", "timestamptz"), Key("{t}.id", "bigint")), True)
INBOX = Listing(
    source="notifications {t}", where=EVERY_ROW,
    columns=NOTIFICATIONS.select("{t}") + ", (" + AVAILABLE.template + ") as _available",
    parent="{t}.recipient_id", orderings={"NEWEST": NEWEST},
    # unreadOnly: true narrows to the unread; false (or omitted) is no filter.
    filters={"unreadOnly": Filter("{t}.read_at is null and {p}", "boolean",
                                  lambda value: True if value else None)})

# Over a member row ``{t}``: how many of their notifications are unread.
UNREAD_COUNT = ("(select count(*) from notifications {t}_u "
                "where {t}_u.recipient_id = {t}.id and {t}_u.read_at is null)")
