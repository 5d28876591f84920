"""Record details: the plugin-defined part of a record.

Details travel as Strawberry input objects, are normalised by the media-type plugin
(``hub_normalize_details``), stored as JSON keyed by Python field names, and come back as the
plugin's output type. A record whose plugin is disabled keeps its JSON untouched; its
``details`` read as null until the plugin returns.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import typing
from typing import Any

import strawberry

from hub.plugin_api import MediaType


def input_to_json(value: Any) -> dict[str, Any]:
    """A Strawberry input instance as a JSON-ready dict: unset fields omitted, enums by value."""
    return {
        field.name: _json_value(getattr(value, field.name))
        for field in dataclasses.fields(value)
        if getattr(value, field.name) is not strawberry.UNSET
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return input_to_json(value)
    return value


@functools.cache
def _enum_fields(details_type: type) -> tuple[dict[str, type[enum.Enum]], frozenset[str]]:
    hints = typing.get_type_hints(details_type, include_extras=False)
    enums = {}
    for name, hint in hints.items():
        candidates = typing.get_args(hint) or (hint,)
        for candidate in candidates:
            if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
                enums[name] = candidate
    names = frozenset(field.name for field in dataclasses.fields(details_type))
    return enums, names


def load_details(media_type: MediaType | None, data: Any) -> Any:
    """The plugin's output object for stored ``data`` (a JSON object as the hub writes it);
    None when the plugin is disabled."""
    if media_type is None:
        return None
    if not isinstance(data, dict):
        data = {}  # not written by the hub: no stored values (the compiled path reads it so)
    enums, names = _enum_fields(media_type.details_type)
    values = {}
    for name, value in data.items():
        if name not in names:
            continue  # written by another version of the plugin: kept in storage, not shown
        enum_type = enums.get(name)
        if enum_type is not None and value is not None:
            try:
                value = enum_type(value)
            except ValueError:
                value = None
        values[name] = value
    return media_type.details_type(**values)
