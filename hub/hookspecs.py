"""Every plugin hook of recordhub: the plugin author's reference.

A plugin is a module (or package) with functions named like the hooks below, each decorated
with ``@hookimpl``, registered through the ``recordhub`` entry-point group::

    # pyproject.toml of your plugin
    [project.entry-points.recordhub]
    my_plugin = "my_plugin"

    # my_plugin.py
    from hub import hookimpl

    @hookimpl
    def hub_media_types():
        ...

A hook implementation may accept any subset of the hook's arguments, by name. Any hook may
return an awaitable instead of a value; the hub awaits it. Hooks run in the hub's event loop,
so block only briefly (use ``asyncio.to_thread`` for slow work).

Hooks marked *first result* stop at the first implementation that returns something other
than ``None`` (newest registered first, as in pluggy); the others collect every result.
An exception raised by a hook fails the request that called it, cleanly, and the log names the
plugin; start-up hooks that raise stop the hub with the plugin's name in the message.

The first-party plugins under ``plugins/`` (``hub_music``, ``hub_film``, ``hub_writing``) use
these hooks and nothing else; read them as worked examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from hub.events import Event
    from hub.plugins import MediaType, SchemaAdditions

hookspec = pluggy.HookspecMarker("recordhub")
hookimpl = pluggy.HookimplMarker("recordhub")


# --- media types --------------------------------------------------------------------------------


@hookspec
def hub_media_types() -> list[MediaType]:
    """Declare the media types this plugin provides.

    Called once at start-up, while the hub assembles its GraphQL schema.

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
        A duplicate key or a malformed type stops start-up, naming the plugin.
    """


@hookspec(firstresult=True)
def hub_normalize_details(media_type: str, details: dict[str, Any]) -> dict[str, Any] | None:
    """Validate and normalise a record's details before they are stored.

    Called (first result) whenever a record of ``media_type`` is created or its details are
    updated, inside the write's transaction, before anything is written.

    :param media_type: the record's media-type key. Return ``None`` for keys that are not
        yours, so the plugin that owns the key answers.
    :param details: the client's input as a JSON-ready dict keyed by the input type's Python
        field names; fields the client left out are absent, enums are their values.
    :returns: the dict to store (keyed by the *output* type's field names; add computed fields
        such as a word count here). Raise :class:`hub.DetailsError` (with the offending
        ``field`` name) for invalid details: the client gets an ``INVALID_DETAILS`` payload
        error and nothing is written.
    """


@hookspec(firstresult=True)
def hub_details_search_text(media_type: str, details: dict[str, Any]) -> str | None:
    """Give the text of a record's details that full-text search should find.

    Called (first result) after :func:`hub_normalize_details`, with the normalised details,
    whenever a record's details are written. The text is indexed with the record's title,
    description and tags (e.g. a story's text, a song's genre and instruments).

    :param media_type: the record's media-type key; return ``None`` for keys that are not yours.
    :param details: the normalised details, as they will be stored.
    :returns: plain text (the hub indexes its first 100,000 characters), or ``None``.
    """


# --- the GraphQL schema -------------------------------------------------------------------------


@hookspec
def hub_schema_additions() -> SchemaAdditions | None:
    """Add fields and types to the GraphQL API.

    Called once at start-up while the schema is assembled, after the media types.

    :returns: a :class:`hub.SchemaAdditions` with an optional ``query`` and ``mutation``
        Strawberry type (their fields are merged into the root ``Query``/``Mutation``) and extra
        ``types`` to include, or ``None``. A field name that collides with the core's or
        another plugin's stops start-up, naming the plugin. Resolvers get the request context
        as ``info.context`` (:class:`hub.context.Context`: the database, the DataLoaders, the
        viewer); use it, so that your fields follow the same visibility rules and batching.
    """


# --- events -------------------------------------------------------------------------------------


@hookspec
def hub_event(event: Event) -> None:
    """React to a committed change (e.g. to send a webhook or update a search index).

    Called for every implementation after the transaction that made the change has committed,
    never for a change that was rolled back. The event names the change (``kind``: e.g.
    ``record.created``, ``record.published``, ``record.unpublished``, ``record.deleted``,
    ``member.signed_up``), the ``subject`` (a global ID), the ``actor`` (the viewer's member
    global ID, if any) and a JSON-ready ``payload``.

    A hook that raises is logged with the plugin's name; the change stays committed and the
    client's request still succeeds. Slow work belongs in a task the hook schedules.

    :returns: nothing (or an awaitable, which the hub awaits before answering the request).
    """
