"""The plugin manager: finds the plugins, builds the registries from what they declare, and
calls their hooks.

Plugins come from the ``recordhub`` entry-point group (first-party ones too) and, in tests,
from ``create_plugins(extra=[...])``. ``HUB_DISABLED_PLUGINS`` names entry points not to load;
``HUB_PLUGINS``, when set, names the only ones to load.

How a hook is called follows its spec in :mod:`hub.hookspecs`:

* a *keyed* hook (its first argument is ``media_type`` or ``target``) goes through
  :meth:`HubPlugins.call_owner`, to the one plugin that declared that key: the registries
  know each key's owner, so no plugin checks whether a key is its own;
* a *first-result* hook goes through :meth:`HubPlugins.first`, any other through
  :meth:`HubPlugins.each` (or :meth:`HubPlugins.call_plugin`, one plugin's implementation).

Each awaits an awaitable answer and wraps a failure in :class:`PluginFailure`, which names the
plugin. This module knows no domain: the types it registers live in :mod:`hub.plugin_api`.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from hub import hookspecs
from hub.plugin_api import DetailsError, MediaType, PublishingTarget, SchemaAdditions

ENTRY_POINT_GROUP = "recordhub"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
# The first argument that makes a hook keyed, and the registry that knows each key's owner.
KEYS = {"media_type": "media_types", "target": "publishing_targets"}
# Hooks that refuse bad input by raising DetailsError (or MediaError): the caller turns it into
# payload errors, so it passes through unwrapped. From any other hook it is a failure.
REFUSING_HOOKS = frozenset({"hub_normalize_details", "hub_extract_metadata"})
# The declaring start-up hooks: what each returns, its name in messages, its registry, and the
# fields holding its Strawberry output and input types.
DECLARATIONS: dict[str, tuple[type[MediaType | PublishingTarget], str, str, tuple[str, str]]] = {
    "hub_media_types": (MediaType, "media type", "media_types", ("details_type", "input_type")),
    "hub_publishing_targets": (PublishingTarget, "publishing target", "publishing_targets",
                               ("settings_type", "settings_input_type")),
}


class PluginError(RuntimeError):
    """A plugin failed to load or declared something invalid; the message names it."""


class PluginFailure(RuntimeError):
    """A plugin raised inside a hook while serving a request."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        super().__init__(f"plugin {plugin!r} failed in {hook}: {error!r}")
        self.plugin = plugin
        self.hook = hook


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


@functools.cache
def keyed_by(hook: str) -> str | None:
    """The argument that names a keyed hook's key (``media_type`` or ``target``), else None."""
    first = next(iter(inspect.signature(getattr(hookspecs, hook)).parameters), None)
    return first if first in KEYS else None


def _key_argument(hook: str) -> str:
    argument = keyed_by(hook)
    if argument is None:
        raise TypeError(f"{hook} is not a keyed hook")
    return argument


@dataclass
class HubPlugins:
    """The pluggy manager plus what the plugins declared."""

    pm: pluggy.PluginManager
    installed: list[PluginInfo] = field(default_factory=list)
    media_types: dict[str, MediaType] = field(default_factory=dict)
    publishing_targets: dict[str, PublishingTarget] = field(default_factory=dict)
    schema_additions: list[SchemaAdditions] = field(default_factory=list)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object (tests use this); call :meth:`collect` afterwards."""
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        registered = self.pm.register(plugin, name=name)
        self.installed.append(PluginInfo(
            name=registered or str(name), module=getattr(plugin, "__name__", repr(plugin)),
            distribution=None, version=None, enabled=True,
        ))

    # --- calling hooks ---------------------------------------------------------------------

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # pluggy calls the most recently registered implementation first.
        return list(reversed(getattr(self.pm.hook, hook).get_hookimpls()))

    async def _call(self, impl: pluggy.HookImpl, hook: str, kwargs: dict[str, Any]) -> Any:
        """One implementation's answer, awaited; a failure is wrapped, naming the plugin."""
        try:
            return await await_me_maybe(impl.function(**{a: kwargs[a] for a in impl.argnames}))
        except Exception as error:
            if isinstance(error, DetailsError) and hook in REFUSING_HOOKS:
                raise
            raise PluginFailure(impl.plugin_name, hook, error) from error

    @staticmethod
    def _unkeyed(hook: str) -> str:
        if keyed_by(hook):
            raise TypeError(f"{hook} is keyed by {keyed_by(hook)}: call it through call_owner")
        return hook

    async def first(self, hook: str, **kwargs: Any) -> Any:
        """Call a first-result hook: the first non-None answer, awaited if needed."""
        for impl in self._impls(self._unkeyed(hook)):
            result = await self._call(impl, hook, kwargs)
            if result is not None:
                return result
        return None

    async def each(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation; returns (plugin name, result) pairs."""
        return [(impl.plugin_name, await self._call(impl, hook, kwargs))
                for impl in self._impls(self._unkeyed(hook))]

    def implementers(self, hook: str) -> list[str]:
        """The names of the plugins implementing ``hook``, in calling order."""
        return [impl.plugin_name for impl in self._impls(hook)]

    async def call_plugin(self, plugin: str, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of ``hook``; None when it has none. (The event
        dispatcher delivers to each plugin separately, so one failing plugin never
        re-triggers another.)"""
        for impl in self._impls(hook):
            if impl.plugin_name == plugin:
                return await self._call(impl, hook, kwargs)
        return None

    def owner(self, hook: str, key: str) -> str | None:
        """The plugin that declared ``key`` for the keyed ``hook``; None when no enabled
        plugin did."""
        declared = getattr(self, KEYS[_key_argument(hook)]).get(key)
        return declared.plugin if declared is not None else None

    async def call_owner(self, hook: str, key: str, **kwargs: Any) -> Any:
        """Call a keyed hook on the plugin that declared ``key`` only, awaited; None when no
        enabled plugin declared it or its plugin does not implement ``hook``."""
        owner = self.owner(hook, key)
        if owner is None:
            return None
        return await self.call_plugin(owner, hook, **{_key_argument(hook): key, **kwargs})

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
        """(Re)build the media-type, publishing-target and schema registries from the hooks."""
        for hook in DECLARATIONS:
            registry: dict[str, Any] = {}
            for plugin, declared in self.each_at_startup(hook):
                for item in declared or ():
                    self._declare(hook, plugin, item, registry)
            setattr(self, DECLARATIONS[hook][2], registry)
        self.schema_additions = []
        for plugin, additions in self.each_at_startup("hub_schema_additions"):
            if additions is None:
                continue
            if not isinstance(additions, SchemaAdditions):
                raise PluginError(
                    f"plugin {plugin!r}: hub_schema_additions must return SchemaAdditions"
                )
            self.schema_additions.append(
                dataclasses.replace(additions, types=tuple(additions.types), plugin=plugin))
        return self

    @staticmethod
    def _declare(hook: str, plugin: str, item: Any, registry: dict[str, Any]) -> None:
        """Check one declared media type or target and add it, owned by ``plugin``."""
        cls, what, _, (output_field, input_field) = DECLARATIONS[hook]
        if not isinstance(item, cls):
            raise PluginError(f"plugin {plugin!r}: {hook} must return {cls.__name__} objects")
        if not KEY_PATTERN.match(item.key):
            raise PluginError(f"plugin {plugin!r}: {what} key {item.key!r} must match "
                              f"{KEY_PATTERN.pattern}")
        if item.key in registry:
            raise PluginError(f"plugin {plugin!r}: {what} {item.key!r} is already provided by "
                              f"{registry[item.key].plugin!r}")
        for name in (output_field, input_field):
            definition = getattr(getattr(item, name), "__strawberry_definition__", None)
            if definition is None or definition.is_input != (name == input_field):
                expected = "a @strawberry.input" if name == input_field else "a @strawberry.type"
                raise PluginError(f"plugin {plugin!r}: {what} {item.key!r}: {name} must be "
                                  f"{expected}")
        # Stored with tuples where the plugin may have given lists (accepted_media_types…).
        tuples: dict[str, Any] = {
            name: tuple(value) for name, value in vars(item).items() if isinstance(value, list)}
        registry[item.key] = dataclasses.replace(item, plugin=plugin, **tuples)


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
