"""Compilation settings: the publishing-target plugin's part of a compilation.

Like record details: they arrive as the target's Strawberry input (a member of the ``@oneOf``
``CompilationSettingsInput``), are stored as JSON keyed by Python field names, and come back
as the target's output type (a member of the ``CompilationSettings`` union). A compilation
whose target plugin is disabled keeps its JSON; its ``settings`` read as null meanwhile.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from typing import Any

import strawberry

from hub.api.records.details import input_to_json
from hub.plugin_api import PublishingTarget


@strawberry.input(description="Stands in for the plugin @oneOf input until the schema is built.")
class UnboundSettingsInput:
    unbound: bool | None = None


def chosen_settings(settings: Any) -> tuple[str, dict[str, Any]]:
    """(target key, settings JSON) from a ``CompilationSettingsInput``."""
    chosen = [(f.name, getattr(settings, f.name)) for f in dataclasses.fields(settings)
              if getattr(settings, f.name) not in (None, strawberry.UNSET)]
    if len(chosen) != 1:
        raise ValueError("Give settings for exactly one target.")
    key, value = chosen[0]
    return key, input_to_json(value)


def _enum_of(hint: Any) -> type[enum.Enum] | None:
    for candidate in typing.get_args(hint) or (hint,):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


def load_settings(target: PublishingTarget | None, data: dict[str, Any]) -> Any:
    """The target's output object for stored ``data``; None when the plugin is disabled."""
    if target is None:
        return None
    settings_type = target.settings_type
    hints = typing.get_type_hints(settings_type)
    names = {f.name for f in dataclasses.fields(settings_type)}
    values = {}
    for name, value in data.items():
        if name not in names:
            continue  # written by another version of the plugin: kept, not shown
        enum_type = _enum_of(hints.get(name))
        if enum_type is not None and value is not None:
            try:
                value = enum_type(value)
            except ValueError:
                value = None
        values[name] = value
    return settings_type(**values)
