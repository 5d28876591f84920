"""The plugin manager: entry-point discovery, enable/disable, and the registries built from
the hooks (media types, schema additions).

Plugins come from the ``recordhub`` entry-point group (first-party ones too) and, in tests,
from :meth:`HubPlugins.register`. ``HUB_DISABLED_PLUGINS`` names entry points not to load;
``HUB_PLUGINS``, when set, names the only ones to load.
Hooks are called through :meth:`HubPlugins.first` and :meth:`HubPlugins.each`, which await
awaitable results and name the plugin when one fails.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from hub import hookspecs
from hub.plugin_api.compilations import PublishingTarget

log = logging.getLogger("hub.plugins")

ENTRY_POINT_GROUP = "recordhub"
_MEDIA_KEY = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class PluginError(RuntimeError):
    """A plugin failed to load or declared something invalid; the message names it."""


class PluginFailure(RuntimeError):
    """A plugin raised inside a hook while serving a request."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        super().__init__(f"plugin {plugin!r} failed in {hook}: {error!r}")
        self.plugin = plugin
        self.hook = hook


class DetailsError(ValueError):
    """Raised by ``hub_normalize_details`` for invalid details: the client gets one
    ``INVALID_DETAILS`` payload error per problem, all at once.

    ``DetailsError(message, field)`` is one problem; ``DetailsError.many([...])`` several
    (check every field, collect a ``DetailsError`` for each one that is wrong, raise them
    together). ``field`` names the input field as the schema does: camelCase
    (``tempoBpm``; a Python name such as ``tempo_bpm`` is converted), a dotted path into
    nested input (``credits.0.role``), or None for the details as a whole. Messages name
    fields the same way.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems: list[DetailsError] = [self]

    @classmethod
    def many(cls, problems: Iterable[DetailsError]) -> DetailsError:
        """One error carrying every problem in ``problems`` (at least one)."""
        problems = list(problems)
        if not problems:
            raise ValueError("DetailsError.many needs at least one problem")
        error = cls("; ".join(problem.message for problem in problems), problems[0].field)
        error.problems = [p for problem in problems for p in problem.problems]
        return error


@dataclass(frozen=True)
class MediaType:
    """A media type declared by a plugin through ``hub_media_types``."""

    key: str
    label: str
    description: str
    details_type: type
    input_type: type
    plugin: str = ""


@dataclass(frozen=True)
class SchemaAdditions:
    """Extra root fields and types declared by a plugin through ``hub_schema_additions``."""

    query: type | None = None
    mutation: type | None = None
    types: tuple[type, ...] = ()
    plugin: str = ""


@dataclass(frozen=True)
class PluginInfo:
    """One installed plugin, for ``recordhub plugins``."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    enabled: bool


async def await_me_maybe(value: Any) -> Any:
    """Hooks may return a value or an awaitable; this resolves either."""
    if inspect.isawaitable(value):
        return await value
    return value


@dataclass
class HubPlugins:
    """The pluggy manager plus what the hooks declared."""

    pm: pluggy.PluginManager
    installed: list[PluginInfo] = field(default_factory=list)
    media_types: dict[str, MediaType] = field(default_factory=dict)
    schema_additions: list[SchemaAdditions] = field(default_factory=list)
    publishing_targets: dict[str, PublishingTarget] = field(default_factory=dict)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object (tests use this); call :meth:`collect` afterwards."""
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        registered = self.pm.register(plugin, name=name)
        self.installed.append(PluginInfo(
            name=registered or str(name), module=getattr(plugin, "__name__", repr(plugin)),
            distribution=None, version=None, enabled=True,
        ))

    @property
    def enabled_names(self) -> list[str]:
        return [info.name for info in self.installed if info.enabled]

    # --- calling hooks ---------------------------------------------------------------------

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # pluggy calls the most recently registered implementation first.
        return list(reversed(getattr(self.pm.hook, hook).get_hookimpls()))

    def _call_sync(self, impl: pluggy.HookImpl, hook: str, kwargs: dict[str, Any]) -> Any:
        try:
            return impl.function(**{name: kwargs[name] for name in impl.argnames})
        except DetailsError:
            raise
        except Exception as error:
            raise PluginFailure(impl.plugin_name, hook, error) from error

    async def first(self, hook: str, **kwargs: Any) -> Any:
        """Call a first-result hook: the first non-None answer, awaited if needed."""
        for impl in self._impls(hook):
            result = self._call_sync(impl, hook, kwargs)
            try:
                result = await await_me_maybe(result)
            except DetailsError:
                raise
            except Exception as error:
                raise PluginFailure(impl.plugin_name, hook, error) from error
            if result is not None:
                return result
        return None

    async def each(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation; returns (plugin name, result) pairs."""
        results = []
        for impl in self._impls(hook):
            result = self._call_sync(impl, hook, kwargs)
            try:
                results.append((impl.plugin_name, await await_me_maybe(result)))
            except Exception as error:
                raise PluginFailure(impl.plugin_name, hook, error) from error
        return results

    def implementers(self, hook: str) -> list[str]:
        """The names of the plugins implementing ``hook``, in calling order."""
        return [impl.plugin_name for impl in self._impls(hook)]

    async def call_plugin(self, plugin: str, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of ``hook`` (the event dispatcher delivers to
        each plugin separately, so one failing plugin never re-triggers another)."""
        for impl in self._impls(hook):
            if impl.plugin_name != plugin:
                continue
            result = self._call_sync(impl, hook, kwargs)
            try:
                return await await_me_maybe(result)
            except Exception as error:
                raise PluginFailure(impl.plugin_name, hook, error) from error
        return None

    async def sample_details(
        self, media_type: str, count: int, seed: int,
    ) -> list[dict[str, Any]] | None:
        """Demo details for ``media_type`` from the plugin that declared it
        (``hub_sample_details``); None when that plugin does not implement the hook. Raises
        :class:`PluginFailure` when the hook fails or answers something other than a list of
        dicts."""
        hook = "hub_sample_details"
        owner = self.media_types[media_type].plugin
        if owner not in self.implementers(hook):
            return None
        samples = await self.call_plugin(owner, hook, media_type=media_type, count=count,
                                         seed=seed)
        if samples is not None and not (
            isinstance(samples, list) and all(isinstance(item, dict) for item in samples)
        ):
            raise PluginFailure(owner, hook, TypeError(
                f"expected a list of details dicts, got {type(samples).__name__}"))
        return samples

    def each_at_startup(self, hook: str) -> list[tuple[str, Any]]:
        """Call a start-up hook synchronously, in registration order (so a later plugin that
        repeats an earlier one's declaration is the one blamed); failures stop start-up."""
        results = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            try:
                result = impl.function()
            except Exception as error:
                raise PluginError(f"plugin {impl.plugin_name!r} failed in {hook}: {error}") from error
            if inspect.isawaitable(result):
                raise PluginError(f"plugin {impl.plugin_name!r}: {hook} must not be async")
            results.append((impl.plugin_name, result))
        return results

    # --- registries ------------------------------------------------------------------------

    def collect(self) -> HubPlugins:
        """(Re)build the media-type and schema registries from the hooks."""
        self.media_types = {}
        for plugin, declared in self.each_at_startup("hub_media_types"):
            for media_type in declared or ():
                self._add_media_type(plugin, media_type)
        self.publishing_targets = {}
        for plugin, declared in self.each_at_startup("hub_publishing_targets"):
            for target in declared or ():
                self._add_publishing_target(plugin, target)
        self.schema_additions = []
        for plugin, additions in self.each_at_startup("hub_schema_additions"):
            if additions is None:
                continue
            if not isinstance(additions, SchemaAdditions):
                raise PluginError(
                    f"plugin {plugin!r}: hub_schema_additions must return SchemaAdditions"
                )
            self.schema_additions.append(
                SchemaAdditions(additions.query, additions.mutation, tuple(additions.types), plugin)
            )
        return self

    def _add_media_type(self, plugin: str, media_type: Any) -> None:
        if not isinstance(media_type, MediaType):
            raise PluginError(f"plugin {plugin!r}: hub_media_types must return MediaType objects")
        if not _MEDIA_KEY.match(media_type.key):
            raise PluginError(
                f"plugin {plugin!r}: media type key {media_type.key!r} must match "
                f"{_MEDIA_KEY.pattern}"
            )
        if media_type.key in self.media_types:
            other = self.media_types[media_type.key].plugin
            raise PluginError(
                f"plugin {plugin!r}: media type {media_type.key!r} is already provided by {other!r}"
            )
        for kind, cls in (("details_type", media_type.details_type),
                          ("input_type", media_type.input_type)):
            definition = getattr(cls, "__strawberry_definition__", None)
            if definition is None or definition.is_input != (kind == "input_type"):
                expected = "a @strawberry.input" if kind == "input_type" else "a @strawberry.type"
                raise PluginError(
                    f"plugin {plugin!r}: media type {media_type.key!r}: {kind} must be {expected}"
                )
        self.media_types[media_type.key] = MediaType(
            media_type.key, media_type.label, media_type.description,
            media_type.details_type, media_type.input_type, plugin,
        )


    def _add_publishing_target(self, plugin: str, target: Any) -> None:
        if not isinstance(target, PublishingTarget):
            raise PluginError(
                f"plugin {plugin!r}: hub_publishing_targets must return PublishingTarget objects"
            )
        if not _MEDIA_KEY.match(target.key):
            raise PluginError(f"plugin {plugin!r}: publishing target key {target.key!r} must "
                              f"match {_MEDIA_KEY.pattern}")
        if target.key in self.publishing_targets:
            other = self.publishing_targets[target.key].plugin
            raise PluginError(f"plugin {plugin!r}: publishing target {target.key!r} is already "
                              f"provided by {other!r}")
        for kind, cls in (("settings_type", target.settings_type),
                          ("settings_input_type", target.settings_input_type)):
            definition = getattr(cls, "__strawberry_definition__", None)
            if definition is None or definition.is_input != (kind == "settings_input_type"):
                expected = "a @strawberry.input" if kind == "settings_input_type" else (
                    "a @strawberry.type")
                raise PluginError(f"plugin {plugin!r}: publishing target {target.key!r}: "
                                  f"{kind} must be {expected}")
        self.publishing_targets[target.key] = PublishingTarget(
            target.key, target.label, target.description, target.settings_type,
            target.settings_input_type, tuple(target.accepted_media_types),
            tuple(target.credit_roles), plugin,
        )


def create_plugins(
    disabled: Iterable[str] = (), *, only: Iterable[str] | None = None,
    entry_points: bool = True, extra: Iterable[object] = (),
) -> HubPlugins:
    """Load the plugins: every ``recordhub`` entry point not in ``disabled`` (and, when
    ``only`` is given, named in it: ``HUB_PLUGINS``), then ``extra``. A name in ``only``
    that no installed entry point has stops start-up (a typo must not pass silently)."""
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    plugins = HubPlugins(pm)
    disabled = set(disabled)
    allowed = set(only) if only is not None else None
    if entry_points:
        found = _entry_points()
        missing = sorted((allowed or set()) - {entry_point.name for entry_point in found})
        if missing:
            raise PluginError(f"HUB_PLUGINS names {', '.join(map(repr, missing))}, which is not "
                              "installed (`recordhub plugins` lists what is)")
        for entry_point in found:
            enabled = entry_point.name not in disabled and (
                allowed is None or entry_point.name in allowed)
            plugins.installed.append(_load(pm, entry_point, enabled=enabled))
    for plugin in extra:
        plugins.register(plugin)
    return plugins.collect()


def _entry_points() -> list[metadata.EntryPoint]:
    seen: dict[str, metadata.EntryPoint] = {}
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        seen.setdefault(entry_point.name, entry_point)  # one per name, first on sys.path wins
    return sorted(seen.values(), key=lambda ep: ep.name)


def _load(pm: pluggy.PluginManager, entry_point: metadata.EntryPoint, enabled: bool) -> PluginInfo:
    dist = entry_point.dist
    info = PluginInfo(
        name=entry_point.name, module=entry_point.value,
        distribution=dist.metadata["Name"] if dist else None,
        version=dist.version if dist else None, enabled=enabled,
    )
    if not enabled:
        pm.set_blocked(entry_point.name)
        return info
    try:
        plugin = entry_point.load()
    except Exception as error:
        raise PluginError(
            f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: {error!r}"
        ) from error
    try:
        pm.register(plugin, name=entry_point.name)
    except Exception as error:
        raise PluginError(f"plugin {entry_point.name!r} could not be registered: {error}") from error
    return info
