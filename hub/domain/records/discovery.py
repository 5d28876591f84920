"""The discovery orderings of record lists, ``FRESH`` and ``UNDERSEEN``: formulas that do not
reward a race for popularity, over the ``hearts`` and ``record_views`` tables (README,
"Hearts, views and discovery", states them for people).

FRESH — hearts per unique viewer, smoothed toward the media type's mean, decaying with age::

    score = (H + C·m) / (V + C) · 0.5 ^ (age_days / HALF_LIFE_DAYS)

* H: the record's hearts from accounts at least ``HUB_HEART_MIN_ACCOUNT_AGE_HOURS`` old;
* V: its distinct viewers ever (at least H: a heart counts as a view);
* m: the media type's mean, ΣH / ΣV over its published records (0 without views), kept in
  ``media_type_means`` and refreshed hourly (REFRESH_MEANS), since it reads every heart;
* C = PRIOR_VIEWERS: how many viewers' worth of the mean a record starts with, so that 2
  hearts from 3 viewers does not outrank 90 from 1,000;
* age_days: whole days since the record was first published (its creation if never).

UNDERSEEN — the records few have seen first, in buckets of distinct viewers (0, 1, 2–3,
4–7…: the number of binary digits of V), and inside a bucket in an order that changes every
day (a hash of the record's id seeded with the date), so every record gets its turn at the
top.

Stored, not computed per read: each record's V, H and FRESH's key are kept in its
``record_discovery`` row (migration 0018), written by triggers in the transaction of every
write of hearts (the heart mutation: a heart reorders FRESH at once) and of views (the view
buffer's flush), and rewritten for every record when the means are refreshed (hourly, and
after the seeds). A heart of an account younger than the minimum age therefore starts to
count at the first refresh after the account reaches it (an hour at most later), not at that
very moment. The key orders exactly as the score does, without a daily rewrite: on one day,
``ln(score) = ln(ratio) + (ln 2 / HALF_LIFE_DAYS)·published_day − (ln 2 / HALF_LIFE_DAYS)·today``
and the last term is the same for every row, so the stored key is the rest × 10^12 as a
bigint (hub_fresh_key; a ratio of 0 is the smallest key). FRESH_SCORE below is the formula
as first written, per read: tests check the stored key orders as it does.

Paging: both are keyset orders over stored values, then the id. A FRESH page walks the
index of the keys (one statement, as long whatever the page); its cursors stay valid across
days, since the key does not depend on today. UNDERSEEN's turn depends on the day, so its
cursors page consistently through a day. A heart or view arriving between two pages can move
a record across the cursor (seen twice, or not at all), as in any list ordered by live data.
"""

from __future__ import annotations

from hub.core.rules import Key, Ordering

PRIOR_VIEWERS = 50
HALF_LIFE_DAYS = 14

# The minimum account age of a counted heart: the hub sets ``hub.heart_min_account_age`` on
# every connection (hub/core/db/pool.py, from HUB_HEART_MIN_ACCOUNT_AGE_HOURS); a connection
# opened without it (a script) uses the setting's default.
MIN_AGE = ("coalesce(nullif(current_setting('hub.heart_min_account_age', true), ''), "
           "'72 hours')::interval")

# Over a record row ``{t}``: its counted hearts (H; an index-only range over
# hearts_counted_idx) and its distinct viewers (V), counted per read: the reference of the
# stored values (hub_discovery_refresh counts the same), for tests.
COUNTED_HEARTS = (f"(select count(*) from hearts {{t}}_hh where {{t}}_hh.record_id = {{t}}.id "
                  f"and {{t}}_hh.member_since <= now() - {MIN_AGE})")
VIEWERS = ("(select count(distinct {t}_v.viewer) from record_views {t}_v "
           "where {t}_v.record_id = {t}.id)")

# The media type's mean m, from media_type_means (0 until the first refresh).
_MEAN = ("coalesce((select {t}_mt.hearts::float8 / greatest({t}_mt.viewers, {t}_mt.hearts, 1) "
         "from media_type_means {t}_mt where {t}_mt.media_type = {t}.media_type), 0)")
_AGE_DAYS = "greatest(0, current_date - coalesce({t}.published_at, {t}.created_at)::date)"

# Every media type's ΣH and ΣV over its published records, written to media_type_means: it
# reads every heart and view, so it runs from time to time (REFRESH_MEANS_SECONDS, by each
# hub process's view buffer, and after the seeds), never per read.
REFRESH_MEANS = (
    "insert into media_type_means as t (media_type, hearts, viewers, refreshed_at) "
    "select coalesce(h.media_type, v.media_type), coalesce(h.n, 0), coalesce(v.n, 0), now() "
    "from (select r.media_type, count(*) as n from hearts x join records r on r.id = x.record_id "
    f"where r.status = 'PUBLISHED' and r.deleted_at is null and x.member_since <= now() - {MIN_AGE} "
    "group by r.media_type) h full join ("
    "select r.media_type, count(*) as n from (select distinct record_id, viewer from "
    "record_views) x join records r on r.id = x.record_id "
    "where r.status = 'PUBLISHED' and r.deleted_at is null group by r.media_type) v "
    "on v.media_type = h.media_type "
    # Only when the means are older than $1 seconds (or missing): a one-time filter, so a
    # fresh table costs nothing and several processes do not all recompute.
    "where not exists (select 1 from media_type_means f where f.refreshed_at > "
    "now() - make_interval(secs => $1::float8)) "
    "on conflict (media_type) do update set hearts = excluded.hearts, "
    "viewers = excluded.viewers, refreshed_at = excluded.refreshed_at"
)
REFRESH_MEANS_SECONDS = 3600

# How a page in a discovery order reads the stored values: its rows joined to their
# record_discovery row (every record has one) under the alias ``{t}_d``. Only those orders
# join it (Ordering.join): a newest-first page or a count does not pay a lookup per row.
JOIN = "join record_discovery {t}_d on {t}_d.record_id = {t}.id"

# Recompute every record's stored row, after the means changed (hub_discovery_refresh_all,
# migration 0018: the same counts as COUNTED_HEARTS and VIEWERS; its triggers recompute the
# rows of the records a write touches with hub_discovery_refresh).
REFRESH_ALL = "select hub_discovery_refresh_all()"

# FRESH from the counts, per read: the reference the stored key keeps the order of (tests
# compare them; no request computes it).
FRESH_SCORE = (
    f"(({COUNTED_HEARTS} + {PRIOR_VIEWERS} * {_MEAN}) "
    f"/ (greatest({VIEWERS}, {COUNTED_HEARTS}) + {PRIOR_VIEWERS})::float8 "
    f"* power(0.5, {_AGE_DAYS}::float8 / {HALF_LIFE_DAYS}))"
)
# The number of binary digits of V, exact (a logarithm in floating point is not, at powers
# of two): 0 → 0, 1 → 1, 2–3 → 2, 4–7 → 3…; from the stored V.
UNDERSEEN_BUCKET = "length(ltrim({t}_d.viewers::bit(64)::text, '0'))::bigint"
DAILY_TURN = "hashint8extended({t}.id, (current_date - date '2000-01-01')::bigint)"

# The second key is the stored row's copy of the id, so that a keyset condition
# (fresh_key, record_id) < (…) is a range of record_discovery_fresh_idx.
FRESH = Ordering((Key("{t}_d.fresh_key", "bigint"), Key("{t}_d.record_id", "bigint")), True,
                 join=JOIN)
UNDERSEEN = Ordering((Key(UNDERSEEN_BUCKET, "bigint"), Key(DAILY_TURN, "bigint"),
                      Key("{t}.id", "bigint")), False, join=JOIN)
