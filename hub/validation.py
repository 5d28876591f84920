"""Input checks shared by the slices; each raises :class:`InputProblem` naming the field."""

from __future__ import annotations

from hub.errors import ErrorCode, InputProblem


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
    if "\x00" in text:
        raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} must not contain NUL bytes.", field)
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
        if label not in cleaned:
            cleaned.append(label)
    return cleaned
