"""The import contracts of [tool.importlinter] in pyproject.toml hold: the layers (CLI, seed,
HTTP, API, realtime, domain, plugin manager, plugin API, core), no Strawberry in the domain,
the domain slices' DAG, no cycles between slices, plugins importing only ``hub``. CI runs
``lint-imports`` too; this test makes a broken contract fail the suite where it is written."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    lint = shutil.which("lint-imports")
    assert lint, "import-linter is in the test extra: pip install -e '.[test]'"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
