"""Typed client code from the schema: GraphQL Code Generator writes TypeScript from
schema/hub.graphql and every operation in schema/operations/, and `tsc --noEmit` type-checks the
example client in clients/typescript/src/client.ts against it.

A schema change that breaks what the operations select (a field renamed, a type made nullable
that the client reads as non-null), or an operation that no longer validates, fails here as it
would fail a frontend's build. The generated files are not committed (clients/typescript/
README.md says why); this test writes them afresh each run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.paths import ROOT

CLIENT = ROOT / "clients" / "typescript"
TIMEOUT = 300  # seconds; codegen and tsc take ~10 s each, more on a loaded 2-core machine

if shutil.which("node") is None or shutil.which("npm") is None:
    pytest.skip("node/npm are not installed: the codegen check needs Node >= 20 "
                "(then run `cd clients/typescript && npm ci`)", allow_module_level=True)
if not (CLIENT / "node_modules" / ".bin" / "graphql-codegen").exists():
    pytest.skip("clients/typescript/node_modules is missing: run `cd clients/typescript && npm ci`",
                allow_module_level=True)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=CLIENT, capture_output=True, text=True, timeout=TIMEOUT,
                          check=False)


@pytest.fixture(scope="module")
def generated() -> Path:
    result = run("npm", "run", "--silent", "codegen")
    assert result.returncode == 0, f"codegen failed:\n{result.stdout}\n{result.stderr}"
    return CLIENT / "src" / "generated"


def test_codegen_writes_a_typed_document_per_operation(generated: Path) -> None:
    operations = (generated / "graphql.ts").read_text()
    for name in ("Feed", "RecordPage", "RecordLineage", "MemberPage", "Search", "ClassPage"):
        assert f"export const {name}Document = " in operations
        assert f"DocumentNode<{name}Query, {name}QueryVariables>" in operations
    schema_types = (generated / "schema.ts").read_text()
    assert "export type Record = " in schema_types
    assert "DateTime: { input: string; output: string; }" in schema_types


def test_the_example_client_type_checks(generated: Path) -> None:
    result = run("npx", "--no-install", "tsc", "--noEmit")
    assert result.returncode == 0, f"tsc found type errors:\n{result.stdout}\n{result.stderr}"


def test_tsc_rejects_a_call_that_does_not_match_the_schema(generated: Path) -> None:
    # The check is only worth something if a wrong call fails it: Search's `text` is a String!
    # and its result has no `edges`, so both lines below are type errors.
    wrong = CLIENT / "src" / "wrong_usage.ts"
    wrong.write_text(
        'import { request } from "./client.js";\n'
        'import { SearchDocument } from "./generated/graphql.js";\n'
        "const options = { url: \"http://localhost:8000/graphql\" };\n"
        "export const bad = request(options, SearchDocument, { text: 42 });\n"
        "export const worse = request(options, SearchDocument, { text: \"x\" })\n"
        "  .then((data) => data.records.edges);\n"
    )
    try:
        result = run("npx", "--no-install", "tsc", "--noEmit")
    finally:
        wrong.unlink()
    assert result.returncode != 0
    errors = [line for line in result.stdout.splitlines() if "wrong_usage.ts" in line]
    assert any("TS2322" in line and "number" in line for line in errors), result.stdout
    assert any("TS2339" in line and "edges" in line for line in errors), result.stdout
