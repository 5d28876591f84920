"""Input checks shared by the slices, in two layers.

* **Text.** Every string a request carries — each argument and input field at any depth,
  written in the document or sent as a variable — must be text PostgreSQL can hold: no NUL
  (U+0000) and no lone surrogate (JSON's ``"\\ud800"`` escape decodes to one, and UTF-8 cannot
  encode it). :class:`RefuseUnfitText` checks them all before the operation runs and answers
  one GraphQL error, ``INVALID_INPUT``, that names the argument; the compiled path
  (hub/compiled/http.py) leaves such requests to it. No resolver ever sees such a string.
* **Meaning.** Services check their input with :func:`clean_text` and :func:`clean_labels`,
  each raising :class:`InputProblem` for one field. A mutation checks its whole input first
  and reports every problem at once (:class:`Problems`); checks against the database (does
  the record exist, may you change it) come before or after, and stop at the first problem,
  as each depends on the one before.
"""

from __future__ import annotations

import contextlib
import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

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
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension

from hub.core.errors import CodedError, ErrorCode, InputProblem, UserError

T = TypeVar("T")

# --- text ---------------------------------------------------------------------------------------

_UNFIT = re.compile("[\x00\ud800-\udfff]")


def unfit_character(text: str) -> str | None:
    """What in ``text`` cannot be stored as text, in words; None when nothing.

    A Python string holds a surrogate only when it is lone (JSON decoding joins pairs)."""
    match = _UNFIT.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return "a NUL character (U+0000), which text cannot hold"
    return f"a lone surrogate (U+{ord(match.group()):04X}), which is not Unicode text"


Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


def unfit_text_error(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None,
) -> CodedError | None:
    """An ``INVALID_INPUT`` error for the first string of this request that cannot be text
    (in the chosen operation's arguments and variable defaults, its fragments, or the
    variables sent), or None. Walks without recursion: a value may be nested deeply."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None  # validation words the problem
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


class RefuseUnfitText(SchemaExtension):
    """Refuses a valid operation, before it runs, when one of its strings cannot be text (see
    the module docstring): ``INVALID_INPUT`` naming the argument.

    The error becomes the validation's result rather than being raised, so that it reaches a
    client over WebSocket too (Strawberry ends a subscription without a word when a hook
    raises). It must therefore follow ``ValidationCache``, which sets that result."""

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None and not execution.pre_execution_errors:
            error = unfit_text_error(document, execution.operation_name, execution.variables)
            if error is not None:
                execution.pre_execution_errors = [error]
        yield


# --- meaning ------------------------------------------------------------------------------------


class Problems:
    """The problems of one input, collected so that a mutation reports all of them at once.

    Check each field with :meth:`check` (or a block with :meth:`collecting`), then call
    :meth:`raise_any` before using what the checks returned: a failed check returns None.
    """

    def __init__(self) -> None:
        self.errors: list[UserError] = []

    def check(self, clean: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``clean(*args, **kwargs)``; None (noted) when it raises :class:`InputProblem`."""
        with self.collecting():
            return clean(*args, **kwargs)
        return None  # type: ignore[return-value]  # read only after raise_any()

    @contextlib.contextmanager
    def collecting(self) -> Iterator[None]:
        """Notes the :class:`InputProblem` the block raises instead of letting it stop the
        mutation (the block ends there)."""
        try:
            yield
        except InputProblem as problem:
            self.errors.extend(problem.errors)

    def add(self, code: ErrorCode, message: str, field: str | None) -> None:
        self.errors.append(UserError(field=field, message=message, code=code))

    def raise_any(self) -> None:
        """Raise every problem noted so far, together; nothing when there is none."""
        if self.errors:
            raise InputProblem.many(self.errors)


def clean_text(value: str, field: str, *, max_length: int, required: bool = False) -> str:
    """Strip ``value``; refuse it when empty (if required) or longer than ``max_length``."""
    text = value.strip()
    if required and not text:
        raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} must not be empty.", field)
    if len(text) > max_length:
        raise InputProblem(
            ErrorCode.TOO_LONG,
            f"{field} is {len(text):,} characters long; the maximum is {max_length:,}.", field,
        )
    if reason := unfit_character(text):
        raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} contains {reason}.", field)
    return text


def clean_labels(
    values: list[str], field: str, *, max_items: int, max_length: int,
) -> list[str]:
    """Tags and skills: trimmed, lower-cased, de-duplicated in order, bounded."""
    if len(values) > max_items:
        raise InputProblem(
            ErrorCode.TOO_LONG, f"{field} has {len(values)} items; the maximum is {max_items}.",
            field,
        )
    cleaned: list[str] = []
    for value in values:
        label = " ".join(value.split()).lower()
        if not label:
            raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} must not contain blanks.", field)
        if len(label) > max_length:
            raise InputProblem(
                ErrorCode.TOO_LONG,
                f"{field}: {label[:20]!r}… is longer than {max_length} characters.", field,
            )
        if reason := unfit_character(label):
            raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} contains {reason}.", field)
        if label not in cleaned:
            cleaned.append(label)
    return cleaned
