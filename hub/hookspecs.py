"""Every plugin hook of recordhub: the plugin author's reference.

A plugin is a module (or package) with functions named like the hooks below, each decorated
with ``@hookimpl``, registered through the ``recordhub`` entry-point group::

    # pyproject.toml of your plugin
    [project.entry-points.recordhub]
    my_plugin = "my_plugin"

    # my_plugin.py
    from hub import hookimpl, MediaType

    @hookimpl
    def hub_media_types() -> list[MediaType]:
        ...

Everything a plugin imports comes from ``hub`` (defined in :mod:`hub.plugin_api`): the
``hookimpl`` marker, the errors it raises and the plain data it declares, reads and returns.

**Arguments.** An implementation may accept any subset of the hook's arguments, by name: a
plugin that owns one media type can leave ``media_type`` out.

**How each hook is called.** Every docstring below says which of three ways applies:

* *Keyed*: the hook's first argument is a ``media_type`` or a ``target`` key, and the hub calls
  only the plugin that declared that key (in :func:`hub_media_types` or
  :func:`hub_publishing_targets`); no plugin ever sees another plugin's key, so no
  implementation checks whether a key is its own. A plugin that declares several keys gets
  the key in the argument.
* *First result*: implementations are called newest registered first, until one returns
  something other than ``None``.
* *Every implementation*: all are called and all answers are used.

**Async and blocking.** Any hook called while serving may return an awaitable instead of a
value; the hub awaits it. Hooks run in the hub's event loop, so block only briefly (use
``asyncio.to_thread`` for slow work). The start-up hooks must answer synchronously.

**Failures.** An exception raised by a hook fails the request that called it, cleanly (the
client sees an internal error, the log names the plugin), except the refusals a hook documents
(:class:`hub.DetailsError`, :class:`hub.MediaError`), which become payload errors. A start-up
hook that raises stops the hub with the plugin's name in the message.

The hooks are grouped by when the hub calls them: at start-up (declarations), when a record's
details are written, when a file is attached, when a compilation is checked and published,
after a change is committed (events), when a notifications digest is due (``hub_notify``),
when a member enrolls (billing), and when demo data is seeded. The first-party plugins under
``plugins/`` (``hub_music``, ``hub_film``, ``hub_writing``, ``hub_image``, ``hub_book``,
``hub_tv``, ``hub_webhooks``, ``hub_email_digest``) use these hooks and nothing else; read them
as worked examples.

(Over 400 lines: one hook per function with the docstring a plugin author reads, as
pytest's and Datasette's hookspecs are; splitting it would split the reference.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    from hub.plugin_api import (
        AcceptedMedia,
        AnchorSpan,
        Artifact,
        BookPreview,
        CompilationSnapshot,
        Deliveries,
        Digest,
        Event,
        ExtractedMedia,
        MediaType,
        Problem,
        PublishingTarget,
        SampleCompilation,
        SampleRecord,
        SchemaAdditions,
        TimelinePreview,
    )

hookspec = pluggy.HookspecMarker("recordhub")


# --- start-up: declarations ---------------------------------------------------------------------


@hookspec
def hub_media_types() -> list[MediaType] | None:
    """Declare the media types this plugin provides.

    *Every implementation*: called once at start-up, synchronously, while the hub assembles
    its GraphQL schema. The plugin that declares a key is the only one its keyed hooks
    (:func:`hub_normalize_details`, :func:`hub_media_accepts`…) are called on.

    Each :class:`hub.MediaType` gives a ``key`` (lower-case, e.g. ``"music"``: stored on every
    record, shown as ``Record.mediaType`` and used as the field name in
    ``RecordDetailsInput``), a ``label`` and ``description`` (listed by the ``mediaTypes``
    query), a Strawberry output type for ``Record.details`` (a member of the
    ``RecordDetails`` union) and a Strawberry input type (a member of the ``@oneOf``
    ``RecordDetailsInput``). Types must be named uniquely across plugins.

    Details are stored as JSON keyed by the Python field names of the output type; the hub
    rebuilds the output type from it (enum fields by value), so output fields must be
    optional or have defaults: a field added in a later plugin version is simply ``None``
    on old records.

    :returns: a list of :class:`hub.MediaType` (empty or ``None`` if the plugin has none).
        A key declared twice or a malformed type stops start-up, naming the plugin.
    """


@hookspec
def hub_publishing_targets() -> list[PublishingTarget] | None:
    """Declare the publishing targets this plugin provides (a book, a TV episode, an album…).

    *Every implementation*: called once at start-up, synchronously, while the hub assembles
    its GraphQL schema, after :func:`hub_media_types`. The plugin that declares a key is the
    only one its keyed hooks (:func:`hub_compilation_problems`,
    :func:`hub_render_compilation`, :func:`hub_sample_compilation`) are called on.

    Each :class:`hub.PublishingTarget` gives a ``key`` (lower-case, e.g. ``"book"``: stored on
    every compilation as ``Compilation.target`` and used as the field name in the ``@oneOf``
    ``CompilationSettingsInput``), a ``label`` and ``description`` (listed by the
    ``publishingTargets`` query), a Strawberry output type for ``Compilation.settings`` (a
    member of the ``CompilationSettings`` union; fields optional or defaulted, since settings
    are stored as JSON keyed by its Python field names) and a Strawberry input type, the media
    types it accepts (``accepted_media_types``; the hub reports other items as
    ``WRONG_MEDIA_TYPE`` problems; empty accepts any) and the ``credit_roles`` its credits
    name. Types must be named uniquely across plugins.

    :returns: a list of :class:`hub.PublishingTarget` (empty or ``None`` if the plugin has
        none). A key declared twice or a malformed type stops start-up, naming the plugin.
    """


@hookspec
def hub_schema_additions() -> SchemaAdditions | None:
    """Add fields and types to the GraphQL API.

    *Every implementation*: called once at start-up, synchronously, while the schema is
    assembled, after the media types and publishing targets.

    :returns: a :class:`hub.SchemaAdditions` with an optional ``query`` and ``mutation``
        Strawberry type (their fields are merged into the root ``Query``/``Mutation``) and extra
        ``types`` to include, or ``None``. A field name that collides with the core's or
        another plugin's stops start-up, naming the plugin. Resolvers get the request context
        as ``info.context`` (:class:`hub.api.context.Context`: the database, the DataLoaders,
        the viewer); use it, so that your fields follow the same visibility rules and batching.
    """


# --- record details -----------------------------------------------------------------------------


@hookspec(firstresult=True)
def hub_normalize_details(media_type: str, details: dict[str, Any]) -> dict[str, Any] | None:
    """Validate and normalise a record's details before they are stored.

    *Keyed*: the hub calls only the plugin that declared ``media_type``. Called whenever a
    record of that type is created or its details are updated, inside the write's
    transaction, before anything is written (and by the demo seed, for
    :func:`hub_sample_details`' answers).

    :param media_type: the record's media-type key, one of yours.
    :param details: the client's input as a JSON-ready dict keyed by the input type's Python
        field names; fields the client left out are absent, enums are their values.
    :returns: the dict to store (keyed by the *output* type's field names; add computed fields
        such as a word count here), or ``None`` to store ``details`` as they came. Raise
        :class:`hub.DetailsError` (with the offending ``field``, named as the schema names it:
        ``tempoBpm``) for invalid details; check every field and raise
        ``DetailsError.many(problems)`` when several are wrong. The client gets one
        ``INVALID_DETAILS`` payload error per problem, all at once, and nothing is written.
    """


@hookspec(firstresult=True)
def hub_details_search_text(media_type: str, details: dict[str, Any]) -> str | None:
    """Give the text of a record's details that full-text search should find.

    *Keyed*: the hub calls only the plugin that declared ``media_type``. Called after
    :func:`hub_normalize_details`, with the normalised details, whenever a record's details
    are written (a file's extracted values included). The text is indexed with the record's
    title, description and tags (e.g. a story's text, a song's genre and instruments).

    :param media_type: the record's media-type key, one of yours.
    :param details: the normalised details, as they will be stored.
    :returns: plain text (the hub indexes its first 100,000 characters), or ``None`` for none.
    """


@hookspec(firstresult=True)
def hub_comment_anchors(media_type: str, details: dict[str, Any]) -> AnchorSpan | None:
    """Say what a comment on a record may point into: a moment of its media, a passage.

    *Keyed*: the hub calls only the plugin that declared ``media_type``. Called when a member
    anchors a comment on a record of yours (``addComment(input: {atSeconds})`` or ``{quote,
    quoteOffset}``), with the record's stored details; the hub refuses an anchor outside what
    you return with ``ANCHOR_OUT_OF_RANGE``.

    :param media_type: the record's media-type key, one of yours.
    :param details: the record's details, as stored (normalised by :func:`hub_normalize_details`).
    :returns: an :class:`AnchorSpan` (``duration_seconds`` for media that plays, ``text`` for
        writing), or ``None`` when records of this type take no anchors.
    """


# --- media files --------------------------------------------------------------------------------


@hookspec(firstresult=True)
def hub_media_accepts(media_type: str) -> AcceptedMedia | None:
    """Say which files records of ``media_type`` accept, and how large they may be.

    *Keyed*: the hub calls only the plugin that declared ``media_type``. Called for every file
    attached to a record (``attachMedia``, or ``files`` at ``createRecord``), after the upload
    was streamed to a temporary file and its type was sniffed from its bytes, before anything
    is stored.

    :param media_type: the record's media-type key, one of yours.
    :returns: a :class:`hub.AcceptedMedia` with ``mime_types`` (exact types such as
        ``"image/png"`` or families such as ``"audio/*"``, matched against the *sniffed* type,
        never the client's word) and ``max_bytes``. A media type whose plugin answers ``None``
        (or does not implement the hook) accepts no files: the client gets
        ``UNSUPPORTED_FILE_TYPE``. A file of another type gets ``UNSUPPORTED_FILE_TYPE``, a
        larger one ``FILE_TOO_LARGE``; nothing is kept.
    """


@hookspec(firstresult=True)
def hub_extract_metadata(media_type: str, path: Path, mime_type: str) -> ExtractedMedia | None:
    """Read metadata from an accepted file, and offer values for the record's details.

    *Keyed*: the hub calls only the plugin that declared ``media_type``. Called once per
    accepted file, after :func:`hub_media_accepts`, while the file is still a temporary file
    on local disk; the record's transaction is open, so a :class:`hub.MediaError` rolls the
    whole write back. Return an awaitable and do the reading in a thread
    (``asyncio.to_thread``): parsing a large file blocks.

    :param media_type: the record's media-type key, one of yours.
    :param path: the uploaded file (read it; do not move or delete it).
    :param mime_type: the type sniffed from the bytes (one your ``hub_media_accepts`` allows).
    :returns: a :class:`hub.ExtractedMedia`: ``metadata`` (JSON-ready, shown as
        ``MediaFile.metadata``, e.g. ``{"durationSeconds": 3.2, "sampleRate": 44100}``),
        ``details`` (values for the record's details, keyed by the details type's Python field
        names, copied only where the record's value is empty) and an optional ``thumbnail``
        (small PNG/JPEG bytes). ``None`` means no metadata. Raise :class:`hub.MediaError` for a
        file you refuse (corrupt, an image bomb): the client gets ``INVALID_FILE`` and nothing
        is kept.
    """


# --- publishing ---------------------------------------------------------------------------------


@hookspec(firstresult=True)
def hub_compilation_problems(
    target: str, compilation: CompilationSnapshot,
) -> list[Problem] | None:
    """Say what blocks a compilation from being published to your target.

    *Keyed*: the hub calls only the plugin that declared ``target``. Called whenever
    ``Compilation.problems`` is read and, inside the publish's transaction, before
    :func:`hub_render_compilation`; your problems are added to the hub's own (``EMPTY``,
    ``RECORD_UNAVAILABLE``, ``WRONG_MEDIA_TYPE``, ``TARGET_NOT_ENABLED``). Any problem blocks
    publishing: the client gets one ``PUBLISHING_BLOCKED`` error per problem and nothing is
    written. Keep it fast and pure.

    :param target: the compilation's target key, one of yours.
    :param compilation: a read-only :class:`hub.CompilationSnapshot` (title, settings dict,
        items in order with their records' details, authors and contributors; no file bytes).
    :returns: a list of :class:`hub.Problem` (``code``, ``message``, optional ``item_id``),
        empty or ``None`` when nothing blocks publishing.
    """


@hookspec(firstresult=True)
def hub_render_compilation(
    target: str, compilation: CompilationSnapshot,
) -> list[Artifact] | None:
    """Render a compilation into the files of a publication (an EPUB, a timeline, an EDL…).

    *Keyed*: the hub calls only the plugin that declared ``target``. Called by
    ``publishCompilation`` once no problem blocks it, inside the publish's transaction: an
    exception rolls everything back (the client sees an internal error whose log names the
    plugin) and no file is kept. Return an awaitable and do the work in a thread
    (``asyncio.to_thread``): rendering blocks.

    :param target: the compilation's target key, one of yours.
    :param compilation: a read-only :class:`hub.CompilationSnapshot` whose items' ``media``
        carry their bytes (``data``) up to 20 MiB per file, and whose ``version`` is the
        version being published.
    :returns: a non-empty list of :class:`hub.Artifact` (``name``: a plain, unique file name
        such as ``"book.epub"``; ``mime_type``; ``data`` bytes or a ``path`` to read). The hub
        stores each as a content-addressed blob, lists it in ``Publication.files`` and serves
        it at ``/publications/{sha256}/{name}``. Anything else fails the publish.
    """


@hookspec(firstresult=True)
def hub_preview_publication(
    target: str, compilation: CompilationSnapshot,
) -> BookPreview | TimelinePreview | None:
    """Show what a compilation would publish as, before anyone publishes it.

    The studio's preview screen shows it (``Compilation.preview`` in the API).

    *Keyed*: the hub calls only the plugin that declared ``target``. Called whenever a member
    of the compilation's editors team (or an ADMIN) reads ``Compilation.preview``, in any
    status; nobody else ever gets a preview, so a draft's content never leaves its team.
    Nothing is stored. Keep it quick and pure, like :func:`hub_compilation_problems` (return
    an awaitable and use ``asyncio.to_thread`` for slow work).

    :param target: the compilation's target key, one of yours.
    :param compilation: a read-only :class:`hub.CompilationSnapshot` holding only the items
        whose records are public (an item unpublished or deleted since it was added is left
        out, so a preview never shows hidden content), no file bytes, and each media file's
        public ``url``.
    :returns: a :class:`hub.BookPreview` (pages: ``PreviewChapter(title, html, credits)``,
        whose HTML the hub sanitizes to plain text markup) or a :class:`hub.TimelinePreview`
        (``PreviewClip`` and ``PreviewMarker`` in seconds, the runtime and the target); ``None``
        when your target has no preview (the field is then null). Anything else fails the
        request.
    """


# --- events -------------------------------------------------------------------------------------


@hookspec
def hub_event(event: Event, deliveries: Deliveries) -> None:
    """React to a committed change (e.g. to send a webhook or update a search index).

    *Every implementation*, each separately: called after the transaction that made the change
    has committed, never for a change that was rolled back. The change and its event are
    written in one transaction (the outbox, see hub/realtime) and a background dispatcher
    calls each plugin's implementation on its own, from whichever hub instance holds that
    plugin's delivery lease.

    Guarantees: **at least once** (a hub that stops between your hook returning and its
    cursor being saved calls you again with the same event), **in order** (commit order,
    so in order per subject; the next event waits until this one is accepted), and **retried
    with backoff**: a hook that raises is logged with the plugin's name and called again
    after ``HUB_EVENT_RETRY_BASE_MS``, doubling each time, up to ``HUB_EVENT_MAX_ATTEMPTS``
    attempts; then the event is recorded in the ``event_failures`` table and skipped. Make
    the hook idempotent by ``event.id`` (remember the ids you handled, or send the id along
    so the receiver can). The client's request never waits for, or fails because of, a hook.
    A plugin first seen by a running hub receives the events committed after that hub
    started, not older history.

    :param event: the :class:`hub.Event`: ``kind`` names the change (e.g. ``record.created``,
        ``record.published``, ``record.unpublished``, ``record.deleted``, ``remix.created``,
        ``member.signed_up``), ``subject`` is a global ID, ``actor`` the viewer's member
        global ID (if any), ``payload`` a JSON-ready dict, ``occurred_at`` an aware datetime
        and ``id`` the outbox id (increasing in commit order).
    :param deliveries: optional to take: a :class:`hub.Deliveries`, the record in the hub's
        database of which endpoints accepted this event, shared by every instance and kept
        across restarts, and the idempotency key of each (endpoint, event) to send along.
    :returns: nothing (or an awaitable, which the dispatcher awaits: the event counts as
        accepted when it completes without raising).
    """


# --- notifications -------------------------------------------------------------------------------


@hookspec
def hub_notify(digest: Digest) -> bool | None:
    """Deliver one member's digest of notifications (by email, a chat message…).

    *Every implementation*: called by the daily digest run — at ``HUB_DIGEST_HOUR`` (UTC), by
    whichever hub instance takes the run's lock first, or at once by ``recordhub digest
    --send-now`` — once per member who gave an address (``setNotificationEmail``), has not
    unsubscribed, has not had a digest since the last run's hour, and has notifications not
    yet sent whose kinds they keep on for email (``setNotificationPreference``). Only what
    the member may see is in it: a subject hidden since reads as no longer available.

    The hub marks the digest's notifications sent only when some implementation returns
    ``True``; otherwise (no plugin configured, ``None`` or ``False``, or an exception, which is
    logged with the plugin's name) they are offered again at the next run. So delivery is at
    least once: a crash between your send and the hub's mark sends the digest again.

    :param digest: the :class:`hub.Digest`: the member's ``member_id``, ``handle``,
        ``display_name`` and ``address``, the ``items`` (:class:`hub.DigestItem`: ``kind``,
        ``text``, ``occurred_at``), newest first, ``more`` (how many were left out) and the
        ``unsubscribe_url`` (one click, signed by the hub: show it and send it as
        ``List-Unsubscribe``).
    :returns: ``True`` when you delivered it; ``None`` (or ``False``) when you did not, e.g.
        when your plugin is not configured (or an awaitable of either).
    """


# --- classes: billing ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def hub_billing_subscription(member_id: str, handle: str) -> dict[str, Any] | None:
    """Tell the hub a member's current subscription, from your billing system.

    *First result*: called by the ``enroll`` mutation when the member's stored subscription
    does not count as active (no subscription, a status other than ACTIVE, or a period that
    has ended), before the enrollment's transaction, so the hub learns of a payment that just
    went through. The hub stores the answer (as ``setSubscription`` would, recorded as set by
    ``billing``), emits a ``subscription.changed`` event and then decides the enrollment with
    it. Not called while the stored subscription is active; push other changes with the
    ``setSubscription`` mutation or ``recordhub set-subscription``.

    :param member_id: the member's global ID (as ``Member.id`` shows it).
    :param handle: the member's handle.
    :returns: ``None`` when you know nothing about the member (the stored subscription stands),
        or a dict with ``status`` (``"NONE"``, ``"ACTIVE"``, ``"PAST_DUE"`` or ``"CANCELED"``),
        optionally ``plan`` (text) and ``current_period_end`` (an aware ``datetime`` or ISO 8601
        text with a time zone; absent or ``None`` for open-ended). Any other answer fails the
        request (an internal error whose log names the hook), and nothing is stored.
    """


# --- demo data ----------------------------------------------------------------------------------


@hookspec(firstresult=True)
def hub_sample_details(media_type: str, count: int, seed: int) -> list[dict[str, Any]] | None:
    """Give believable details for the demo records of one of your media types.

    *Keyed*: the hub calls only the plugin that declared ``media_type``. Called by the demo
    seed (``recordhub seed --demo``, and ``recordhub serve --demo`` on an empty database) and
    by ``recordhub seed --scale N``, once per media type. A media type whose plugin does not
    implement this hook gets no demo records: the seed logs a line naming the media type and
    the plugin, and carries on.

    :param media_type: one of your media-type keys.
    :param count: how many details the seed wants, one per record (a few hundred at most).
    :param seed: an integer to make the answer from (``random.Random(seed)``), so that the same
        seed always gives the same demo data.
    :returns: a list of ``count`` details dicts, each one what a client could send in
        ``createRecord`` (keyed by the input type's Python field names, enums as their values;
        fields your :func:`hub_normalize_details` fills from files may be included). Each goes
        through :func:`hub_normalize_details` and :func:`hub_details_search_text` like a new
        record's details. Fewer dicts are repeated in turn; ``None`` or an empty list means no
        demo records. If the hook raises, returns something else, or
        :func:`hub_normalize_details` refuses one of its dicts, the seed logs the error with the
        plugin's name and seeds the other media types.
    """


@hookspec(firstresult=True)
def hub_sample_compilation(
    target: str, records: list[SampleRecord], seed: int,
) -> SampleCompilation | None:
    """Make a demo compilation for your target out of the demo records on offer.

    *Keyed*: the hub calls only the plugin that declared ``target``. Called by the demo seed
    (``recordhub seed --demo``, ``recordhub serve --demo``: once per target; the compilation
    is then approved, published through :func:`hub_render_compilation` and given a finalized
    payout) and by ``recordhub seed --scale N`` (once per planned compilation of your target,
    each given a workflow status; no files are rendered). A target whose plugin does not
    implement this hook gets no demo compilation, and at scale a generic one (5 to 20 records
    of its accepted media types, default settings).

    :param target: one of your target keys.
    :param records: published demo records of the media types your target accepts, as
        :class:`hub.SampleRecord` (``id``, ``media_type`` and stored ``details``), at most a
        few dozen per media type, the best candidates first (in the demo, remixes, whose
        credits reach their sources; at scale, a random draw).
    :param seed: an integer to make the choice from (``random.Random(seed)``), so that the
        same seed always gives the same compilation.
    :returns: a :class:`hub.SampleCompilation`: ``items`` (ids of offered records, in order,
        each once), ``settings`` (your settings dict, keyed by the settings type's Python field
        names) and an optional ``title``; or ``None`` when the offered records cannot make one
        (e.g. a TV cut without a film). Make one your :func:`hub_compilation_problems` finds
        nothing wrong with: the demo seed publishes it, and logs (naming the plugin) and
        leaves out one with problems. If the hook raises or returns something else, the seed
        logs the error with the plugin's name and makes no compilation of it.
    """
