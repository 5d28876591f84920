"""The documentation's links resolve: every relative link in README.md, CONTRIBUTING.md and
docs/*.md names a file or directory of the repository, and every ``#anchor`` names a heading
of the page it points into (as GitHub renders heading anchors). Links to other sites are not
followed (the suite runs offline)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.paths import ROOT

PAGES = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")])

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target); the target may carry a "title".
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.M)


def prose(text: str) -> str:
    """``text`` without code blocks and inline code, whose brackets are not links."""
    return _CODE.sub("", _FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: markup and punctuation dropped, lower case, spaces
    as hyphens (letters, digits, ``_`` and ``-`` kept)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of ``page``; a repeated heading gets ``-1``, ``-2``… as on GitHub."""
    seen: dict[str, int] = {}
    result = set()
    for match in _HEADING.finditer(_FENCE.sub("", page.read_text())):
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def broken_links(page: Path) -> list[str]:
    problems = []
    for target in _LINK.findall(prose(page.read_text())):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: another site
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / unquote(path_part)).resolve() if path_part else page
        if not linked.exists():
            problems.append(f"{target}: no such file")
        elif ROOT not in linked.parents and linked != ROOT:
            problems.append(f"{target}: outside the repository")
        elif anchor and linked.suffix == ".md" and unquote(anchor) not in anchors(linked):
            problems.append(f"{target}: no heading #{anchor} in {linked.relative_to(ROOT)}")
        elif (line := re.fullmatch(r"L(\d+)", anchor)) and linked.is_file() and (
            int(line.group(1)) > len(linked.read_text().splitlines())
        ):
            problems.append(f"{target}: {linked.relative_to(ROOT)} has no line {line.group(1)}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert page.exists(), f"{page.relative_to(ROOT)} is missing"
    assert broken_links(page) == []


def test_every_repository_path_named_in_code_spans_exists() -> None:
    """A path written as code (`hub/domain/records/rules.py`) names a file or directory that
    exists, so a move of a module cannot leave the docs pointing at nothing. Templates
    (`hub/api/<slice>`) and example names (`tests/test_x.py`) are not paths."""
    named = re.compile(r"`((?:hub|plugins|tests|schema|bench|docs)/[\w./-]*)`")
    missing = [f"{page.relative_to(ROOT)}: {path}" for page in PAGES
               for path in named.findall(_FENCE.sub("", page.read_text()))
               if path != "tests/test_x.py" and not (ROOT / path).exists()]
    assert missing == []


def test_no_paragraph_is_written_twice() -> None:
    """Docs once: the README is the tour and links to docs/ for depth, so no paragraph of
    prose (or table) appears on two pages, or twice on one."""
    seen: dict[str, str] = {}
    repeated = []
    for page in PAGES:
        for paragraph in prose(page.read_text()).split("\n\n"):
            paragraph = paragraph.strip()
            if len(paragraph) < 120:
                continue
            name = str(page.relative_to(ROOT))
            if paragraph in seen:
                repeated.append(f"{seen[paragraph]} and {name}: {paragraph[:60]}…")
            seen[paragraph] = name
    assert repeated == []


def test_contributing_cites_the_line_where_record_visibility_is_decided() -> None:
    """The maintainer's question "where is record visibility decided?" has one file and line
    for an answer; the cited line must still be that rule."""
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    cited = re.search(r"\]\((hub/domain/records/rules\.py)#L(\d+)\)", contributing)
    assert cited, "CONTRIBUTING.md no longer cites the visibility rule's line"
    lines = (ROOT / cited.group(1)).read_text().splitlines()
    assert lines[int(cited.group(2)) - 1].startswith("VISIBLE = ")
    assert f"line {cited.group(2)}]" in contributing  # the text says the same line


def test_the_link_check_notices_a_broken_link(tmp_path: Path) -> None:
    """The checker itself: a missing file, a missing anchor and a link into code are told
    apart from good links."""
    (tmp_path / "other.md").write_text("# Other page\n\n## Events for plugins: the `hub_event` hook\n")
    (tmp_path / "code.py").write_text("a = 1\nb = 2\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n## Run it\n\n[ok](#run-it) [ok](other.md#events-for-plugins-the-hub_event-hook)"
        " [web](https://example.org/x) `[not a link](nowhere.md)`\n\n"
        "[gone](missing.md) [bad anchor](#walk-it) [bad](other.md#nope)\n"
        "[line](other.md#L2) [no line](code.py#L3)\n"
        "```\n[in code](nowhere.md)\n```\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert broken_links(page) == [
            "missing.md: no such file",
            "#walk-it: no heading #walk-it in page.md",
            "other.md#nope: no heading #nope in other.md",
            "other.md#L2: no heading #L2 in other.md",
            "code.py#L3: code.py has no line 3",
        ]
    finally:
        ROOT = saved
