"""What changed in the schema since a released SDL, by schema coordinate, and which changes
break clients.

graphql-core's ``find_schema_changes`` lists every breaking, dangerous and safe change (types,
fields, arguments, input fields, enum values, directives) in sentences that name the element by
its schema coordinate (``Type.field``, ``Type.field(arg:)``, ``Enum.VALUE``, ``@directive``);
``_coordinate`` reads it back. New deprecations, which graphql-core does not report, come from a
walk over both schemas. Description changes are left out: they change no client's code.

A breaking change is *accepted* when the element it removes or changes was ``@deprecated`` in
the released SDL (clients were warned); every other breaking change fails
tests/graphql_api/test_schema_changes.py. schema/CHANGELOG.md must name every change's coordinate in the
section of the release it belongs to (``## Unreleased`` for changes not yet released);
``recordhub schema-diff`` prints the lines to paste.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from graphql import (
    BreakingChangeType,
    DangerousChangeType,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    specified_scalar_types,
)
from graphql.utilities.find_schema_changes import SafeChangeType, find_schema_changes

UNRELEASED = "Unreleased"
_STANDARD = set(specified_scalar_types)  # a mapping of the standard scalars by name

_NAME = r"[_A-Za-z][_0-9A-Za-z]*"
# A member coordinate (Type.field, Type.field(arg:), Enum.VALUE) or a directive's (@d, @d(arg:)).
_MEMBER = re.compile(rf"@{_NAME}(?:\({_NAME}:\))?|{_NAME}\.{_NAME}(?:\({_NAME}:\))?")
# Changes whose sentence names the type first: "X was added.", "X changed from ...".
_TYPE_FIRST = {"TYPE_ADDED", "TYPE_REMOVED", "TYPE_CHANGED_KIND"}


@dataclass(frozen=True, order=True)
class SchemaChange:
    """One change, named by its schema coordinate
    (https://spec.graphql.org/draft/#sec-Schema-Coordinates)."""

    coordinate: str
    kind: str  # a graphql-core change type (e.g. FIELD_REMOVED) or DEPRECATED
    description: str
    breaking: bool = False
    dangerous: bool = False
    accepted: bool = False  # breaking, but the element was @deprecated in the released SDL

    def changelog_line(self) -> str:
        label = ("Breaking (was deprecated)" if self.accepted else "Breaking" if self.breaking
                 else "Dangerous" if self.dangerous else "Deprecated"
                 if self.kind == "DEPRECATED" else "Added" if self.kind.endswith("_ADDED")
                 else "Changed")
        return f"- {label}: `{self.coordinate}` — {self.description}"


def load_sdl(sdl: str) -> GraphQLSchema:
    """A schema from SDL that uses the federation directives without defining them."""
    return build_schema(sdl, assume_valid_sdl=True)


def _coordinate(kind: str, description: str) -> str:
    """The coordinate that graphql-core's sentence for a change names."""
    if kind in ("TYPE_ADDED_TO_UNION", "TYPE_REMOVED_FROM_UNION"):
        return description.rstrip(".").rsplit(" ", 1)[1]  # "... to union type U."
    if kind == "IMPLEMENTED_INTERFACE_ADDED":
        return description.rstrip(".").rsplit(" ", 1)[1]  # "... implemented by T."
    if kind == "IMPLEMENTED_INTERFACE_REMOVED":
        return description.split(" ", 1)[0]  # "T no longer implements interface I."
    if kind in _TYPE_FIRST:
        words = description.split()
        return words[2] if description.startswith("Standard scalar") else words[0].rstrip(".")
    match = _MEMBER.search(description)
    if match is None:
        raise ValueError(f"cannot read a schema coordinate from {kind}: {description!r}")
    coordinate = match.group(0)
    if kind.startswith("DIRECTIVE_") and "(" in coordinate:
        coordinate = coordinate[: coordinate.index("(")]
    return coordinate


def _elements(schema: GraphQLSchema) -> Iterator[tuple[str, object]]:
    """Every coordinate of the schema's own (not introspection) types and directives."""
    for name, named in schema.type_map.items():
        if name.startswith("__"):
            continue
        yield name, named
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                yield f"{name}.{field_name}", field
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name}:)", arg
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                yield f"{name}.{field_name}", input_field
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                yield f"{name}.{value_name}", value
    for directive in schema.directives:
        yield f"@{directive.name}", directive
        for arg_name, arg in directive.args.items():
            yield f"@{directive.name}({arg_name}:)", arg


def _deprecated(element: object) -> bool:
    return getattr(element, "deprecation_reason", None) is not None


def _parent(coordinate: str) -> str:
    """``Type.field(arg:)`` → ``Type.field``; ``Type.field`` → ``Type``; ``Type`` → ``Type``."""
    if coordinate.endswith(":)"):
        return coordinate[: coordinate.index("(")]
    return coordinate.rsplit(".", 1)[0]


def _uses(schema: GraphQLSchema, type_name: str) -> Iterator[tuple[str, object]]:
    """The fields, arguments and input fields whose type is (a list of) ``type_name``."""
    for coordinate, element in _elements(schema):
        if isinstance(element, GraphQLField | GraphQLArgument | GraphQLInputField):
            named: GraphQLNamedType = get_named_type(element.type)
            if named.name == type_name:
                yield coordinate, element


def _accepted(released: GraphQLSchema, coordinate: str, kind: str) -> bool:
    """Was the removed or changed element (or, for a new required argument, its field)
    deprecated in the released schema?"""
    elements = dict(_elements(released))
    if kind in ("TYPE_REMOVED", "TYPE_CHANGED_KIND"):
        # A type cannot be deprecated; its removal was announced when every use of it was.
        uses = list(_uses(released, coordinate))
        return bool(uses) and all(_deprecated(element) for _, element in uses)
    for candidate in (coordinate, _parent(coordinate)):
        if candidate in elements and _deprecated(elements[candidate]):
            return True
    return False


def diff(released: GraphQLSchema, current: GraphQLSchema) -> list[SchemaChange]:
    """Every change from ``released`` to ``current`` but description changes, sorted by
    coordinate."""
    changes: list[SchemaChange] = []
    for change in find_schema_changes(released, current):
        kind = change.type
        if kind is SafeChangeType.DESCRIPTION_CHANGED:
            continue
        if kind is SafeChangeType.TYPE_ADDED and change.description.split()[0] in _STANDARD:
            continue  # Int, String...: in every schema, listed only once something uses them
        coordinate = _coordinate(kind.name, change.description)
        breaking = isinstance(kind, BreakingChangeType)
        changes.append(SchemaChange(
            coordinate, kind.name, change.description, breaking=breaking,
            dangerous=isinstance(kind, DangerousChangeType),
            accepted=breaking and _accepted(released, coordinate, kind.name)))
    before = dict(_elements(released))
    for coordinate, element in _elements(current):
        if (coordinate in before and _deprecated(element)
                and not _deprecated(before[coordinate])):
            reason = getattr(element, "deprecation_reason", "")
            changes.append(SchemaChange(coordinate, "DEPRECATED",
                                        f"{coordinate} is deprecated: {reason}"))
    return sorted(changes)


# --- releases and the changelog -------------------------------------------------------------

def released_versions(released_dir: Path) -> list[tuple[str, Path]]:
    """The released SDL files (``<version>.graphql``), oldest first."""
    def key(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in path.stem.split("."))

    files = sorted(released_dir.glob("*.graphql"), key=key)
    return [(path.stem, path) for path in files]


def changelog_sections(changelog: str) -> dict[str, str]:
    """The changelog's ``## <version>`` sections by version (``Unreleased`` included)."""
    sections: dict[str, str] = {}
    title = None
    for line in changelog.splitlines():
        if line.startswith("## "):
            title = line[3:].strip().split()[0]
            sections[title] = ""
        elif title is not None:
            sections[title] += line + "\n"
    return sections


def unlogged(changes: list[SchemaChange], section: str) -> list[SchemaChange]:
    """The changes whose coordinate the changelog section does not name (in backticks)."""
    return [change for change in changes if f"`{change.coordinate}`" not in section]


def release_steps(released_dir: Path, current_sdl: str) -> list[tuple[str, list[SchemaChange]]]:
    """(section, changes) for each step: each release from the one before it, then the current
    schema from the latest release (section ``Unreleased``)."""
    releases = released_versions(released_dir)
    schemas = [(version, path.read_text()) for version, path in releases]
    schemas.append((UNRELEASED, current_sdl))
    steps = []
    for (_, older), (version, newer) in pairwise(schemas):
        steps.append((version, diff(load_sdl(older), load_sdl(newer))))
    return steps


@dataclass(frozen=True)
class Review:
    """The schema's changes against the releases and the changelog."""

    steps: list[tuple[str, list[SchemaChange]]]  # (changelog section, its changes)
    unaccepted: list[SchemaChange]  # breaking changes since the latest release, not deprecated
    unlogged: dict[str, list[SchemaChange]]  # section → changes the section does not name


def review(released_dir: Path, changelog: str, current_sdl: str) -> Review:
    steps = release_steps(released_dir, current_sdl)
    sections = changelog_sections(changelog)
    missing = {section: unlogged(changes, sections.get(section, ""))
               for section, changes in steps}
    latest = steps[-1][1] if steps else []
    return Review(
        steps=steps,
        unaccepted=[change for change in latest if change.breaking and not change.accepted],
        unlogged={section: changes for section, changes in missing.items() if changes},
    )
