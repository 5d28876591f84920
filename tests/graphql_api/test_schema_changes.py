"""No silent breaking changes: the schema the code builds is compared with the latest released
SDL (schema/released/), a breaking change fails unless the element was @deprecated in that
release, and schema/CHANGELOG.md names every change by its schema coordinate.

When a test here fails on your change: run `recordhub schema-diff`, paste the lines it prints
under `## Unreleased` in schema/CHANGELOG.md (saying why), and if it reports a breaking change,
deprecate the element instead (`@deprecated(reason: ...)` / Strawberry's `deprecation_reason`)
and remove it in a later release.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hub.api.schema import build_schema, printed_sdl
from hub.api.schema_changes import diff, load_sdl, review
from hub.cli import main
from hub.plugins import HubPlugins
from tests.paths import ROOT

RELEASED = ROOT / "schema" / "released"
CHANGELOG = ROOT / "schema" / "CHANGELOG.md"

RELEASED_SDL = '''
type Query {
  "A record by id."
  record(id: ID!, lang: String @deprecated(reason: "Unused.")): Record
  records: [Record!]!
}
type Record {
  id: ID!
  title: String!
  "Use `title`."
  name: String @deprecated(reason: "Use `title`.")
  status: Status!
}
enum Status { DRAFT PUBLISHED ARCHIVED @deprecated(reason: "Never set.") }
'''


def write_release(tmp_path: Path, sdl: str = RELEASED_SDL) -> Path:
    released = tmp_path / "released"
    released.mkdir()
    (released / "0.1.0.graphql").write_text(sdl)
    return released


def test_the_current_schema_breaks_nothing_that_was_not_deprecated(plugins: HubPlugins) -> None:
    current = printed_sdl(build_schema(plugins))
    result = review(RELEASED, CHANGELOG.read_text(), current)
    assert [change.description for change in result.unaccepted] == [], (
        "breaking schema changes that were not @deprecated in the latest release "
        "(see `recordhub schema-diff`)")


def test_the_changelog_names_every_schema_change(plugins: HubPlugins) -> None:
    current = printed_sdl(build_schema(plugins))
    result = review(RELEASED, CHANGELOG.read_text(), current)
    missing = {section: [change.changelog_line() for change in changes]
               for section, changes in result.unlogged.items()}
    assert missing == {}, (
        "schema/CHANGELOG.md does not list these changes: run `recordhub schema-diff` "
        "and paste its lines under the section named")


def test_the_first_release_is_the_sdl_of_version_0_1_0() -> None:
    released = load_sdl((RELEASED / "0.1.0.graphql").read_text())
    assert released.query_type is not None and "record" in released.query_type.fields
    assert "## Unreleased" in CHANGELOG.read_text() and "## 0.1.0" in CHANGELOG.read_text()


def test_removing_a_field_that_was_not_deprecated_is_breaking(tmp_path: Path) -> None:
    current = RELEASED_SDL.replace("  title: String!\n", "")
    result = review(write_release(tmp_path), "## Unreleased\n- `Record.title` removed\n", current)
    assert [(c.coordinate, c.kind) for c in result.unaccepted] == [
        ("Record.title", "FIELD_REMOVED")]


def test_a_change_to_a_non_null_type_is_breaking_for_clients(tmp_path: Path) -> None:
    current = RELEASED_SDL.replace("  title: String!\n", "  title: String\n")
    [change] = diff(load_sdl(RELEASED_SDL), load_sdl(current))
    assert (change.coordinate, change.kind, change.breaking, change.accepted) == (
        "Record.title", "FIELD_CHANGED_KIND", True, False)


def test_removing_what_was_deprecated_is_accepted(tmp_path: Path) -> None:
    current = (RELEASED_SDL.replace('  name: String @deprecated(reason: "Use `title`.")\n', "")
               .replace(' ARCHIVED @deprecated(reason: "Never set.")', "")
               .replace(', lang: String @deprecated(reason: "Unused.")', ""))
    changelog = "## Unreleased\n- `Record.name`, `Status.ARCHIVED`, `Query.record(lang:)`\n"
    result = review(write_release(tmp_path), changelog, current)
    [(_, changes)] = result.steps
    assert sorted((c.coordinate, c.kind, c.accepted) for c in changes) == [
        ("Query.record(lang:)", "ARG_REMOVED", True),
        ("Record.name", "FIELD_REMOVED", True),
        ("Status.ARCHIVED", "VALUE_REMOVED_FROM_ENUM", True),
    ]
    assert result.unaccepted == [] and result.unlogged == {}


def test_additions_and_deprecations_must_be_in_the_changelog(tmp_path: Path) -> None:
    current = (RELEASED_SDL
               .replace("  status: Status!\n",
                        '  status: Status!\n  tags: [String!]!\n'
                        '  records(first: Int): [Record!]!\n')
               .replace("  records: [Record!]!\n",
                        '  records: [Record!]! @deprecated(reason: "Use `feed`.")\n')
               .replace("enum Status {", "type Feed { items: [Record!]! }\nenum Status {")
               .replace("DRAFT PUBLISHED", "DRAFT REVIEW PUBLISHED"))
    changelog = "## Unreleased\n- Added `Record.tags`: the record's tags.\n"
    result = review(write_release(tmp_path), changelog, current)
    assert result.unaccepted == []
    assert [(c.coordinate, c.kind) for c in result.unlogged["Unreleased"]] == [
        ("Feed", "TYPE_ADDED"),
        ("Query.records", "DEPRECATED"),
        ("Record.records", "FIELD_ADDED"),
        ("Status.REVIEW", "VALUE_ADDED_TO_ENUM"),
    ]


def test_each_release_is_checked_against_the_one_before(tmp_path: Path) -> None:
    released = write_release(tmp_path)
    second = RELEASED_SDL.replace("  status: Status!\n", "  status: Status!\n  tags: [String]\n")
    (released / "0.2.0.graphql").write_text(second)
    result = review(released, "## Unreleased\n\n## 0.2.0\n\n## 0.1.0\n", second)
    assert [section for section, _ in result.steps] == ["0.2.0", "Unreleased"]
    assert [c.coordinate for c in result.unlogged["0.2.0"]] == ["Record.tags"]
    assert "Unreleased" not in result.unlogged


def test_the_cli_prints_the_lines_to_paste(tmp_path: Path) -> None:
    released = write_release(tmp_path)
    sdl = tmp_path / "current.graphql"
    sdl.write_text(RELEASED_SDL.replace("  title: String!\n", "  title: String!\n  tags: [String!]\n")
                   .replace("  status: Status!\n", ""))
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("## Unreleased\n")
    result = CliRunner().invoke(main, ["schema-diff", "--sdl", str(sdl), "--released",
                                       str(released), "--changelog", str(changelog)])
    assert result.exit_code == 1
    assert "- Added: `Record.tags` — Field Record.tags was added." in result.output
    assert "- Breaking: `Record.status` — Field Record.status was removed." in result.output
    assert ("breaking, not deprecated first: Field Record.status was removed."
            in result.stderr)
