"""The graphql-http package's GraphQL-over-HTTP audit against a running hub: every check ok.

Needs Node and ``npm ci`` in tests/http_audit (``.ci/run`` does both); skips otherwise.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from tests.hubprocess import running_hub
from tests.paths import TESTS

AUDIT = TESTS / "http_audit"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (AUDIT / "node_modules" / "graphql-http").is_dir(),
    reason="needs Node.js and `npm ci` in tests/http_audit (as .ci/run does)",
)


async def test_graphql_over_http_audit_passes_every_check(database_url: str, tmp_path: Path) -> None:
    async with running_hub(database_url, tmp_path) as hub:
        process = await asyncio.create_subprocess_exec(
            "node", str(AUDIT / "audit.mjs"), f"{hub.base_url}/graphql",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    summary = json.loads(stdout)
    failing = [r for r in summary["results"] if r["status"] != "ok"]
    assert failing == []
    assert summary["ok"] >= 60  # the audit's size when this test was written
