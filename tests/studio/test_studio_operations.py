"""The studio as any client sees it, without a browser: its GraphQL documents
(schema/operations/studio/) validate against the schema, ship byte for byte in the package
(hub/http/studio/operations.json), run as trusted documents, and its reads are compiled; its
pages carry the Content-Security-Policy and serve nothing but the app's own files."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch

import orjson
from aiohttp.test_utils import TestClient
from click.testing import CliRunner
from graphql import parse, validate

from hub.cli import main
from hub.core.relay import encode_id
from hub.http.studio import ASSETS, CONTENT_SECURITY_POLICY, bundle_operations
from hub.http.trusted_documents import DocumentGate, build_manifest
from hub.plugins import HubPlugins
from hub.seed.demo import seed_demo
from tests.api import Api
from tests.compilations_api import ADD_ITEM, CREATE, story
from tests.graphql_api.test_compiled import both_ways
from tests.paths import ROOT

STUDIO_OPERATIONS = ROOT / "schema" / "operations" / "studio"


def bundled() -> dict[str, str]:
    return orjson.loads((ASSETS / "operations.json").read_bytes())


def test_the_package_ships_the_studio_operations_unchanged() -> None:
    assert (ASSETS / "operations.json").read_bytes() == bundle_operations(STUDIO_OPERATIONS), (
        "hub/http/studio/operations.json is out of date: run `python -m hub.http.studio > "
        "hub/http/studio/operations.json`")
    # Every operation the app calls is in the bundle.
    called = set(re.findall(r'gql\("(Studio[A-Za-z]+)"', (ASSETS / "app.js").read_text()))
    called |= set(re.findall(r'transition\("(Studio[A-Za-z]+)"', (ASSETS / "app.js").read_text()))
    assert called and called <= set(bundled()), called - set(bundled())


def test_every_studio_operation_validates_against_the_schema(plugins: HubPlugins) -> None:
    from hub.api.schema import build_schema

    schema = build_schema(plugins)._schema
    for path in sorted(STUDIO_OPERATIONS.glob("*.graphql")):
        assert validate(schema, parse(path.read_text())) == [], path.name


def test_a_hub_running_trusted_documents_accepts_the_studio() -> None:
    # `recordhub trusted-documents` (schema/operations and its folders) includes the studio's.
    printed = CliRunner().invoke(main, ["trusted-documents", str(ROOT / "schema" / "operations")])
    assert printed.exit_code == 0, printed.output
    manifest = orjson.loads(printed.output)["documents"]
    assert manifest == build_manifest((ROOT / "schema" / "operations").rglob("*.graphql"))
    gate = DocumentGate(manifest, False)
    for name, text in bundled().items():
        assert gate.resolve({"query": text, "operationName": name})["query"] == text


async def test_the_studio_reads_are_compiled_and_answer_as_the_executor(api: Api) -> None:
    eddie = await api.sign_up("eddie", "EDITOR")
    created = await api.gql(CREATE, {"input": {"title": "Harbor stories", "target": "book"}},
                            token=eddie.token)
    compilation = created["createCompilation"]["compilation"]["id"]
    record = await story(api, eddie, "The harbor")
    await api.gql(ADD_ITEM, {"input": {"compilationId": compilation, "recordId": record["id"]}},
                  token=eddie.token)
    api.allow_cost(100_000)
    operations = bundled()
    for name, variables in (("StudioDashboard", {}), ("StudioCompilation", {"id": compilation}),
                            ("StudioFindRecords", {"search": "harbor"})):
        body, statements = await both_ways(api, operations[name], variables, token=eddie.token)
        assert "errors" not in body, (name, body)
        assert statements <= 2, (name, statements)  # the session lookup, then one statement
    body, _ = await both_ways(api, operations["StudioCompilation"], {"id": compilation},
                              token=eddie.token)
    (item,) = body["data"]["compilation"]["itemConnection"]["nodes"]
    assert item["record"]["title"] == "The harbor"
    # The target's side is the executor's (settings, problems and file URLs have no twin).
    body, _ = await both_ways(api, operations["StudioCompilationTarget"], {"id": compilation},
                              token=eddie.token)
    assert body["data"]["compilation"]["settings"]["__typename"] == "BookSettings"
    # The typed history and the review screen are the executor's too (an entry's event type
    # is chosen per entry; the changes since review are netted in Python), in a fixed number
    # of statements: the session, the compilation, its lists (the history page and count; for
    # the review, the editors, the comments' page and count, the whole history the changes are
    # netted from, the last entries), then one batch each for the members and records named.
    for name in ("StudioHistory", "StudioReview"):
        body, statements = await both_ways(api, operations[name], {"id": compilation},
                                           token=eddie.token)
        assert "errors" not in body, (name, body)
        assert statements <= 10, (name, statements)
    body, _ = await both_ways(api, operations["StudioRecordTitles"], {"ids": [record["id"]]},
                              token=eddie.token)
    assert body["data"]["nodes"] == [{"id": record["id"], "title": "The harbor",
                                      "author": {"handle": "eddie"}}]


async def test_the_finder_narrows_by_author_and_collaboration(api: Api) -> None:
    # The finder's filters: a handle resolved to the member's ID (`author`), a collaboration
    # from its select (`collaboration`); each found record with its credits.
    await seed_demo(api.hub.db, api.hub.plugins)
    editor = await api.sign_up("finder_ed", "EDITOR")
    api.allow_cost(100_000)
    operations = bundled()
    body, statements = await both_ways(api, operations["StudioFinderFilters"], {},
                                       token=editor.token)
    assert statements <= 2
    listed = body["data"]["collaborations"]["nodes"]
    assert listed and "DRAFT" not in {c["status"] for c in listed}
    body, _ = await both_ways(api, operations["StudioFinderMember"], {"handle": "ada"},
                              token=editor.token)
    ada = body["data"]["member"]["id"]
    body, statements = await both_ways(api, operations["StudioFindRecords"], {"author": ada},
                                       token=editor.token)
    assert statements <= 2, statements
    found = body["data"]["records"]["nodes"]
    assert found and {r["author"]["handle"] for r in found} == {"ada"}
    credited = [edge["author"]["handle"] for r in found for edge in r["sources"]["edges"]]
    assert credited  # the demo's remixes credit their sources' authors
    accepted = {encode_id("Record", row["record_id"]) for row in await api.hub.db.fetch(
        "select c.record_id from contributions c join records r on r.id = c.record_id "
        "where c.status = 'ACCEPTED' and r.status = 'PUBLISHED'")}
    for collaboration in listed:
        body, statements = await both_ways(api, operations["StudioFindRecords"], {
            "collaboration": collaboration["id"]}, token=editor.token)
        assert statements <= 2, statements
        assert {r["id"] for r in body["data"]["records"]["nodes"]} <= accepted


async def test_the_studio_page_is_served_with_its_policy(client: TestClient) -> None:
    response = await client.get("/studio/")
    assert response.status == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    page = await response.text()
    # No inline script: every <script> names its file, and that file is served.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all('src="' in attributes and not body.strip()
                           for attributes, body in scripts)
    for source in re.findall(r'(?:src|href)="([a-z0-9_.-]+)"', page):
        asset = await client.get(f"/studio/{source}")
        assert asset.status == 200, source
        assert asset.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    module = await client.get("/studio/vendor/preact.mjs")
    assert module.headers["Content-Type"].startswith("text/javascript")

    redirect = await client.get("/studio", allow_redirects=False)
    assert (redirect.status, redirect.headers["Location"]) == (302, "/studio/")


async def test_the_studio_serves_only_its_own_assets(client: TestClient) -> None:
    for name in ("__init__.py", "vendor/README.md", "vendor/LICENSE-preact", "../app.py",
                 "%2e%2e/app.py", "nothing.js"):
        response = await client.get(f"/studio/{name}")
        assert response.status == 404, name


def test_every_studio_file_ships_in_the_package() -> None:
    # An asset the app loads but [tool.setuptools.package-data] leaves out works from a
    # checkout and is missing after `pip install`.
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["hub"]
    hub_dir = ROOT / "hub"
    for path in ASSETS.rglob("*"):
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts:
            relative = path.relative_to(hub_dir).as_posix()
            assert any(fnmatch(relative, pattern) for pattern in patterns), relative
