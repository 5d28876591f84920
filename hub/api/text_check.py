"""Every string an operation carries must be text PostgreSQL can hold (hub/core/validation.py
says why): :func:`unfit_text_error` checks each argument and input field at any depth, written
in the document or sent as a variable, when an operation is prepared (hub/api/operation.py),
before either path runs it. The error is validation's verdict rather than raised, so that it
reaches a client over WebSocket too (Strawberry ends a subscription without a word when a hook
raises)."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

from hub.core.errors import CodedError, ErrorCode
from hub.core.validation import unfit_character

Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


def unfit_text_error(
    document: DocumentNode, operation: OperationDefinitionNode | None,
    variables: dict[str, Any] | None,
) -> CodedError | None:
    """An ``INVALID_INPUT`` error for the first string of this request that cannot be text
    (in ``operation``'s arguments and variable defaults, the document's fragments, or the
    variables sent), or None. ``operation``: the one the request runs (None when there is no
    single one: validation words the problem). Walks without recursion: a value may be nested
    deeply."""
    if operation is None:
        return None
    literals = _literals_of(document, operation)
    if literals.unfit is not None:
        return _argument_error(*literals.unfit)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if variables is not None and name in variables:
            found = _unfit_in_json(variables[name])
        elif definition.default_value is not None:
            found = _unfit_in_literal(definition.default_value)
        else:
            continue
        if found is not None:
            inner, reason = found
            if name not in literals.usages:
                return CodedError(f"Variable ${dotted((name, *inner))} contains {reason}.",
                                  code=ErrorCode.INVALID_INPUT.value)
            owner, path = literals.usages[name]
            return _argument_error(owner, path + inner, reason)
    return None


@dataclass(frozen=True)
class _Literals:
    """What an operation's text says, whatever its variables: the first written string that
    cannot be text (owner, path, reason), and where each variable is first used."""

    unfit: tuple[str, Path, str] | None
    usages: dict[str, tuple[str, Path]]


# Per operation node, for as long as it lives (parsed documents are cached, so reused). Keyed
# by identity: a node's own hash walks the whole tree.
_literals: dict[int, tuple[weakref.ref[OperationDefinitionNode], _Literals]] = {}


def _literals_of(document: DocumentNode, operation: OperationDefinitionNode) -> _Literals:
    key = id(operation)
    known = _literals.get(key)
    if known is not None and known[0]() is operation:
        return known[1]
    literals = _read_literals(document, operation)
    _literals[key] = (weakref.ref(operation, lambda _: _literals.pop(key, None)), literals)
    return literals


def _read_literals(document: DocumentNode, operation: OperationDefinitionNode) -> _Literals:
    unfit = None
    usages: dict[str, tuple[str, Path]] = {}
    for owner, path, node in _argument_values(document, operation):
        if isinstance(node, VariableNode):
            usages.setdefault(node.name.value, (owner, path))
        elif isinstance(node, StringValueNode) and unfit is None:
            reason = unfit_character(node.value)
            if reason is not None:
                unfit = (owner, path, reason)
    return _Literals(unfit, usages)


def _argument_error(owner: str, path: Path, reason: str) -> CodedError:
    return CodedError(f"{dotted(path)} (an argument of {owner}) contains {reason}.",
                      code=ErrorCode.INVALID_INPUT.value, field=owner, argument=dotted(path))


def _argument_values(
    document: DocumentNode, operation: OperationDefinitionNode,
) -> Iterator[tuple[str, Path, ValueNode]]:
    """(owner, argument path, value node) for every value written in an argument of a field
    or directive of ``operation`` and of the document's fragments."""
    # A stack, filled in reverse so that nodes come out in the document's order.
    pending: list[Any] = [d for d in reversed(document.definitions)
                          if isinstance(d, FragmentDefinitionNode)] + [operation]
    while pending:
        node = pending.pop()
        for directive in getattr(node, "directives", None) or ():
            yield from _values_of(f"@{directive.name.value}", directive)
        if isinstance(node, FieldNode):
            yield from _values_of(node.name.value, node)
        selection_set: SelectionSetNode | None = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(reversed(selection_set.selections))
        if isinstance(node, OperationDefinitionNode):
            pending.extend(reversed(node.variable_definitions or ()))


def _values_of(
    owner: str, node: FieldNode | DirectiveNode,
) -> Iterator[tuple[str, Path, ValueNode]]:
    return _walk(owner, [((argument.name.value,), argument.value)
                         for argument in reversed(node.arguments or ())])


def _walk(
    owner: str, pending: list[tuple[Path, ValueNode]],
) -> Iterator[tuple[str, Path, ValueNode]]:
    """Each value in ``pending`` (a stack) and every value nested in it, in written order."""
    while pending:
        path, value = pending.pop()
        yield owner, path, value
        if isinstance(value, ObjectValueNode):
            pending.extend((path + (field.name.value,), field.value)
                           for field in reversed(value.fields))
        elif isinstance(value, ListValueNode):
            pending.extend((path + (index,), value.values[index])
                           for index in reversed(range(len(value.values))))


def _unfit_in_literal(value: ValueNode) -> tuple[Path, str] | None:
    for _, path, node in _walk("", [((), value)]):
        if isinstance(node, StringValueNode) and (reason := unfit_character(node.value)):
            return path, reason
    return None


def _unfit_in_json(value: Any) -> tuple[Path, str] | None:
    """(path, reason) of the first string (or object key) in a JSON value that cannot be
    text."""
    pending: list[tuple[Path, Any]] = [((), value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if reason := unfit_character(item):
                return path, reason
        elif isinstance(item, dict):
            for key in item:
                if isinstance(key, str) and (reason := unfit_character(key)):
                    return path, f"a key with {reason}"
            pending.extend((path + (key,), item[key]) for key in reversed(item))
        elif isinstance(item, list):
            pending.extend((path + (index,), item[index]) for index in reversed(range(len(item))))
    return None
