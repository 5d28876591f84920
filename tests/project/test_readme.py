"""The README tells the truth: its GraphQL examples run against the demo hub, its tables give
every setting with its real default, and its frontend section lists every error code.

How an example is written (the README says so to its readers too):

* a ```` ```graphql ```` block is an operation; a ```` ```json ```` block right after it holds
  its variables;
* ``<!-- as: HANDLE -->`` before it runs it as that member: a demo member logs in with the demo
  password, a member an earlier example signed up uses the token that example returned;
  without it the example runs anonymously;
* a variable written ``"<createRecord.record.id>"`` takes the value an earlier example returned
  at that path of its ``data``;
* ``<!-- expect errors: CODE, … -->`` says the example shows a refusal: its payload ``errors``
  carry exactly those codes. Otherwise an example must answer without GraphQL errors, with
  empty payload ``errors``, and with data: no root field null, no list empty, no
  ``totalCount`` zero.

Subscriptions, and the examples in docs/*.md (which need state the guides build step by step),
are validated against the schema instead of run.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    parse,
    validate,
)

from hub.core.config import _KNOWN, Security, Settings
from hub.core.errors import ErrorCode
from hub.http.app import Hub
from hub.seed.demo import DEMO_PASSWORD, seed_demo
from tests.api import Api
from tests.paths import ROOT

README = ROOT / "README.md"
GUIDES = sorted((ROOT / "docs").glob("*.md"))

_BLOCK = re.compile(
    r"((?:<!--[^\n]*-->\n)*)```graphql\n(.*?)```\n(?:\s*```json\n(.*?)```)?", re.S
)
_DIRECTIVE = re.compile(r"<!--\s*([a-z ]+):\s*(.*?)\s*-->")
_PLACEHOLDER = re.compile(r"^<([A-Za-z_][\w.]*)>$")


@dataclass
class Example:
    """One GraphQL example of a page, with what its page says about running it."""

    page: Path
    line: int
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    member: str | None = None
    expect_errors: list[str] | None = None

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def is_subscription(self) -> bool:
        return any(isinstance(d, OperationDefinitionNode) and d.operation.value == "subscription"
                   for d in parse(self.query).definitions)


def examples(page: Path) -> list[Example]:
    text = page.read_text()
    found = []
    for match in _BLOCK.finditer(text):
        directives = dict(_DIRECTIVE.findall(match.group(1)))
        member = directives.get("as")
        expect = directives.get("expect errors")
        found.append(Example(
            page=page, line=text.count("\n", 0, match.start(2)) + 1, query=match.group(2),
            variables=json.loads(match.group(3)) if match.group(3) else {},
            member=None if member in (None, "anonymous") else member,
            expect_errors=[c.strip() for c in expect.split(",")] if expect else None,
        ))
    return found


def substituted(value: Any, answers: dict[str, Any]) -> Any:
    """``value`` with each ``"<root.path>"`` replaced by what an earlier example answered."""
    if isinstance(value, dict):
        return {key: substituted(item, answers) for key, item in value.items()}
    if isinstance(value, list):
        return [substituted(item, answers) for item in value]
    match = _PLACEHOLDER.match(value) if isinstance(value, str) else None
    if not match:
        return value
    found: Any = answers
    for part in match.group(1).split("."):
        if not isinstance(found, dict) or part not in found:
            raise AssertionError(f"{value}: no earlier example answered {match.group(1)}")
        found = found[part]
    return found


def emptiness(data: Any, path: str = "") -> list[str]:
    """Where ``data`` has no data: a null root field, an empty list (but ``errors``), a zero
    ``totalCount``; and payload ``errors`` that are not empty."""
    problems = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else key
            if key == "errors":
                if value:
                    problems.append(f"{where}: {value}")
            elif value is None and not path:
                problems.append(f"{where} is null")
            elif key == "totalCount" and value == 0:
                problems.append(f"{where} is 0")
            elif isinstance(value, list) and not value:
                problems.append(f"{where} is empty")
            else:
                problems.extend(emptiness(value, where))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            problems.extend(emptiness(item, f"{path}[{i}]"))
    return problems


def payload_codes(data: Any) -> list[str]:
    if isinstance(data, dict):
        codes = [e["code"] for e in data.get("errors") or [] if isinstance(e, dict)]
        return codes + [c for k, v in data.items() if k != "errors" for c in payload_codes(v)]
    return [c for item in data for c in payload_codes(item)] if isinstance(data, list) else []


async def test_the_readme_examples_run_against_the_demo_hub(api: Api) -> None:
    await seed_demo(api.hub.db, api.hub.plugins, settings=api.hub.settings)
    tokens: dict[str, str] = {}
    answers: dict[str, Any] = {}
    failures = []
    ran = 0
    for example in examples(README):
        if example.is_subscription:
            continue
        token = None
        if example.member:
            if example.member not in tokens:
                data = await api.gql(
                    "mutation($h: String!, $p: String!) { logIn(input: {handle: $h, password: $p})"
                    " { token errors { code } } }", {"h": example.member, "p": DEMO_PASSWORD})
                assert data["logIn"]["token"], f"{example.name}: no member {example.member}"
                tokens[example.member] = data["logIn"]["token"]
            token = tokens[example.member]
        status, body = await api.post(example.query, substituted(example.variables, answers),
                                      token=token)
        ran += 1
        data = body.get("data") or {}
        if status != 200 or body.get("errors"):
            failures.append(f"{example.name}: HTTP {status}, {body.get('errors')}")
            continue
        if example.expect_errors is not None:
            if payload_codes(data) != example.expect_errors:
                failures.append(f"{example.name}: expected payload errors "
                                f"{example.expect_errors}, got {payload_codes(data)}")
            continue
        failures.extend(f"{example.name}: {problem}" for problem in emptiness(data))
        answers.update(data)
        for payload in data.values():  # a sign-up's token, for the examples that act as them
            if isinstance(payload, dict) and payload.get("token"):
                tokens[payload["member"]["handle"]] = payload["token"]
    assert failures == [], "\n".join(failures)
    assert ran >= 8, "the README lost its tour"
    # What the tour's text says of its answers: the plugin normalised the key, and publishing
    # bumped the version (which is why the update passes the one publishRecord returned).
    created = answers["createRecord"]["record"]
    assert created["details"]["key"] == "F# minor"
    assert answers["publishRecord"]["record"]["version"] > created["version"]
    after = await api.gql("query($id: ID!) { record(id: $id) { title version } }",
                          {"id": created["id"]})
    assert after["record"] == {"title": "Harbor Lights (live)",  # the CONFLICT wrote nothing
                               "version": answers["updateRecord"]["record"]["version"]}


def operations(query: str) -> list[DocumentNode]:
    """Each operation of an example with the fragments it may use: a guide's block may list
    several anonymous operations, one per line, to show a family of mutations."""
    document = parse(query)
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    return [DocumentNode(definitions=(d, *fragments)) for d in document.definitions
            if isinstance(d, OperationDefinitionNode)]


SEARCH_COUNT = """
query Search($text: String!) { records(first: 1, filter: {search: $text}) { totalCount } }
"""


async def test_the_search_syntax_is_what_the_readme_says(api: Api) -> None:
    """Each row of the README's search table, run over the demo records."""
    await seed_demo(api.hub.db, api.hub.plugins)
    readme = README.read_text()
    assert "| `harbor or tides` | contain either word" in readme

    async def count(text: str) -> int:
        return (await api.gql(SEARCH_COUNT, {"text": text}))["records"]["totalCount"]

    harbor, tides, both = await count("harbor"), await count("tides"), await count("harbor tides")
    assert harbor > both > 0 and tides > both
    assert await count("harbor or tides") == harbor + tides - both
    assert await count("harbor OR tides") == harbor + tides - both
    assert await count("harbor | tides") == both  # not an operator: both words
    assert await count("harbor -tides") == harbor - both
    assert await count("tide") == tides  # stemmed
    # words bind tighter than `or`: harbor, or (tides without harbor)
    assert await count("harbor or tides -harbor") == harbor + tides - both
    assert 0 < await count('"quiet harbor"') < await count("quiet harbor")
    assert await count("the") == 0


@pytest.mark.parametrize("page", [README, *GUIDES], ids=lambda page: page.name)
async def test_every_example_is_valid_against_the_schema(page: Path, hub: Hub) -> None:
    schema = hub.schema._schema
    invalid = {example.name: [error.message for operation in operations(example.query)
                              for error in validate(schema, operation)]
               for example in examples(page)}
    assert {name: errors for name, errors in invalid.items() if errors} == {}


def test_the_example_reader_sees_directives_variables_and_placeholders(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text('<!-- as: june -->\n<!-- expect errors: CONFLICT -->\n```graphql\n'
                    'mutation M($id: ID!) { x }\n```\n\n```json\n{"id": "<a.b>"}\n```\n'
                    'text\n```graphql\n{ y }\n```\n')
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        first, second = examples(page)
    finally:
        ROOT = saved
    assert (first.member, first.expect_errors, first.variables) == ("june", ["CONFLICT"],
                                                                     {"id": "<a.b>"})
    assert (second.member, second.expect_errors, second.variables, second.line) == (
        None, None, {}, 12)
    assert substituted(first.variables, {"a": {"b": 7}}) == {"id": 7}
    assert emptiness({"records": {"totalCount": 0, "nodes": [], "errors": []},
                      "member": None}) == ["records.totalCount is 0", "records.nodes is empty",
                                           "member is null"]


# Settings ---------------------------------------------------------------------------------

# Variable → attribute where the name does not say it (HUB_X → x otherwise).
_ATTRIBUTES = {"HUB_DB_POOL_MIN": "pool_min_size", "HUB_DB_POOL_MAX": "pool_max_size",
               "HUB_PLUGINS": "enabled_plugins"}
# Read by a plugin or by the suite, not by Settings: (default, where it is defined).
_ELSEWHERE: dict[str, Any] = {"HUB_WEBHOOK_URLS": None, "HUB_WEBHOOK_SECRET": None,
                              "HUB_TEST_DATABASE_URL": None, "HUB_SMTP_HOST": None}


def _digest_default(name: str) -> Any:
    from hub_email_digest import DEFAULT_FROM, DEFAULT_PORT

    return {"HUB_SMTP_PORT": DEFAULT_PORT, "HUB_SMTP_FROM": DEFAULT_FROM}[name]


def real_default(name: str) -> Any:
    if name == "HUB_WEBHOOK_TIMEOUT_SECONDS":
        from hub_webhooks import DEFAULT_TIMEOUT_SECONDS

        return DEFAULT_TIMEOUT_SECONDS
    if name in ("HUB_SMTP_PORT", "HUB_SMTP_FROM"):
        return _digest_default(name)
    if name in _ELSEWHERE:
        return _ELSEWHERE[name]
    attribute = _ATTRIBUTES.get(name, name.removeprefix("HUB_").lower())
    for owner in (Settings(), Security()):
        if attribute in {f.name for f in fields(owner)}:  # type: ignore[arg-type]
            return getattr(owner, attribute)
    raise AssertionError(f"{name}: no setting {attribute!r} in hub/core/config.py "
                         "(map it in tests/project/test_readme.py _ATTRIBUTES)")


def documented_default(cell: str) -> str:
    """The value a table's default cell starts with: ``2,000`` of "`2,000` (2 s)"."""
    cell = cell.strip().replace("`", "")
    if cell.startswith(("*(", "–", "unset", "generated")):
        return "unset"
    return re.split(r"[ (]", cell, maxsplit=1)[0].replace(",", "")


def as_written(value: Any) -> str:
    if value is None or value == () or value == frozenset():
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def setting_rows(page: Path) -> list[tuple[str, str]]:
    """(variable, default cell) of every table row that names one ``HUB_*`` variable in a
    table with a "default" column."""
    rows = []
    header: list[str] | None = None
    for line in page.read_text().splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if "default" not in header or set(line) <= set("|-: "):
            continue
        names = [n for c in cells for n in re.findall(r"^`(HUB_[A-Z_]+)`$", c)]
        if len(names) == 1:
            rows.append((names[0], cells[header.index("default")]))
    return rows


def test_the_readme_gives_every_setting_with_its_real_default() -> None:
    readme = dict(setting_rows(README))
    assert sorted(set(_KNOWN) - set(readme)) == []
    wrong = {name: (cell, as_written(real_default(name))) for name, cell in readme.items()
             if name != "HUB_DATA_DIR" and documented_default(cell) != as_written(real_default(name))}
    assert wrong == {}
    assert "recordhub" in readme["HUB_DATA_DIR"]


def test_the_guides_settings_tables_agree_with_the_code() -> None:
    wrong = {f"{page.name}: {name}": (cell, as_written(real_default(name)))
             for page in GUIDES for name, cell in setting_rows(page)
             if documented_default(cell) != as_written(real_default(name))}
    assert wrong == {}


def test_the_security_section_gives_the_fixed_caps() -> None:
    from hub.api.limits import MAX_TOKENS
    from hub.api.nodes import MAX_NODES
    from hub.core.search import MAX_SEARCH_LENGTH, MAX_SEARCH_TERMS

    security = README.read_text().split("## Security", 1)[1]
    assert f"| `{MAX_SEARCH_LENGTH}` characters, `{MAX_SEARCH_TERMS}` words |" in security
    assert f"| `{MAX_TOKENS:,}` |" in security
    assert f"| `nodes(ids:)` | `{MAX_NODES}` IDs |" in security
    assert f"| page size (`first`/`last`) | `{Settings().max_page_size}` |" in security


# Error codes ------------------------------------------------------------------------------

def graphql_error_codes() -> set[str]:
    """The ``extensions.code`` values the hub's code sets by name."""
    pattern = re.compile(r'(?:\bcode\s*=\s*|"code":\s*|DocumentRefused\(\s*'
                         r'|_error_response\(\d+,\s*)"([A-Z][A-Z_]+)"')
    return {code for path in (ROOT / "hub").rglob("*.py")
            for code in pattern.findall(path.read_text())}


def test_the_frontend_section_lists_every_error_code() -> None:
    section = README.read_text().split("## For frontend developers", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([A-Z][A-Z_]+)`", section))
    assert sorted({code.value for code in ErrorCode} - listed) == []
    assert sorted(graphql_error_codes() - listed) == []
    assert {"CSRF_PREVENTED", "UNTRUSTED_DOCUMENT", "BAD_REQUEST"} <= graphql_error_codes()
