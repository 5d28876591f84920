"""The editorial workflow: which action moves a compilation from which status to which.

::

    DRAFT ──submit──▶ IN_REVIEW ──approve──▶ APPROVED ──publish──▶ PUBLISHED ─┐
      ▲                   │                     │                     ▲      │ publish again
      └──────return───────┴─────────────────────┘                     └──────┘ (a new version)
    any status but ARCHIVED ──archive──▶ ARCHIVED

Items change only while the compilation is a DRAFT (a review approves a fixed list).
``approve`` must come from an editor other than the one who submitted (four eyes), and pins
the version of every item's record. ``reopen`` (APPROVED → IN_REVIEW) is no mutation of its
own: publishing takes it when an item's record changed after approval, so the change is
reviewed before it is published.
Every transition writes a history entry (who, when, what, and the reason of a return).
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT = "DRAFT"
IN_REVIEW = "IN_REVIEW"
APPROVED = "APPROVED"
PUBLISHED = "PUBLISHED"
ARCHIVED = "ARCHIVED"
STATUSES = (DRAFT, IN_REVIEW, APPROVED, PUBLISHED, ARCHIVED)
# Seen by everyone; the others are editorial work in progress.
PUBLIC_STATUSES = frozenset({PUBLISHED, ARCHIVED})
EDITABLE_STATUSES = frozenset({DRAFT})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t for t in (
        Transition("submit", frozenset({DRAFT}), IN_REVIEW),
        Transition("approve", frozenset({IN_REVIEW}), APPROVED),
        Transition("return", frozenset({IN_REVIEW, APPROVED}), DRAFT),
        Transition("reopen", frozenset({APPROVED}), IN_REVIEW),
        Transition("publish", frozenset({APPROVED, PUBLISHED}), PUBLISHED),
        Transition("archive", frozenset({DRAFT, IN_REVIEW, APPROVED, PUBLISHED}), ARCHIVED),
    )
}


def next_status(action: str, status: str) -> str | None:
    """The status ``action`` leads to from ``status``, or None when it is not allowed."""
    transition = TRANSITIONS[action]
    return transition.target if status in transition.sources else None


def allowed_from(action: str) -> list[str]:
    return sorted(TRANSITIONS[action].sources, key=STATUSES.index)
