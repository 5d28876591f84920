"""Input checks shared by the slices, in two layers.

* **Text.** Every string a request carries — each argument and input field at any depth,
  written in the document or sent as a variable — must be text PostgreSQL can hold: no NUL
  (U+0000) and no lone surrogate (JSON's ``"\\ud800"`` escape decodes to one, and UTF-8 cannot
  encode it). :func:`unfit_character` says what is wrong with one; hub/api/text_check.py checks
  every string of an operation before it runs and answers one GraphQL error,
  ``INVALID_INPUT``, that names the argument. No resolver ever sees such a string.
* **Meaning.** Services check their input with :func:`clean_text` and :func:`clean_labels`,
  each raising :class:`InputProblem` for one field. A mutation checks its whole input first
  and reports every problem at once (:class:`Problems`); checks against the database (does
  the record exist, may you change it) come before or after, and stop at the first problem,
  as each depends on the one before.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from hub.core.errors import ErrorCode, InputProblem, Problem

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


# --- meaning ------------------------------------------------------------------------------------


class Problems:
    """The problems of one input, collected so that a mutation reports all of them at once.

    Check each field with :meth:`check` (or a block with :meth:`collecting`), then call
    :meth:`raise_any` before using what the checks returned: a failed check returns None.
    """

    def __init__(self) -> None:
        self.errors: list[Problem] = []

    def check(self, clean: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``clean(*args, **kwargs)``; None (noted) when it raises :class:`InputProblem`."""
        with self.collecting():
            return clean(*args, **kwargs)
        # Reached only when ``collecting`` swallowed the problem: the None is never read,
        # the caller raises with raise_any() first.
        return None

    @contextlib.contextmanager
    def collecting(self) -> Iterator[None]:
        """Notes the :class:`InputProblem` the block raises instead of letting it stop the
        mutation (the block ends there)."""
        try:
            yield
        except InputProblem as problem:
            self.errors.extend(problem.errors)

    def add(self, code: ErrorCode, message: str, field: str | None) -> None:
        self.errors.append(Problem(field=field, message=message, code=code))

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
