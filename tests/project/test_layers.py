"""The import contracts of [tool.importlinter] in pyproject.toml hold: the layers (CLI, seed,
HTTP, API, realtime, domain, plugin manager, plugin API, core), no Strawberry in the domain,
the domain slices' DAG, no cycles between slices, plugins importing only ``hub``. CI runs
``lint-imports`` too; this test makes a broken contract fail the suite where it is written."""

from __future__ import annotations

import shutil
import subprocess

from tests.paths import ROOT


def test_import_contracts_are_kept():
    lint = shutil.which("lint-imports")
    assert lint, "import-linter is in the test extra: pip install -e '.[test]'"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# A module longer than this says why in its docstring, in a paragraph "(Over 400 lines: …)".
MODULE_LINES = 400


def test_long_modules_say_why_they_are_long():
    import ast

    unexplained = []
    for path in sorted([*ROOT.glob("hub/**/*.py"), *ROOT.glob("plugins/**/*.py")]):
        text = path.read_text()
        if text.count("\n") <= MODULE_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if f"(Over {MODULE_LINES} lines:" not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert not unexplained, ("split these modules, or say in their docstring why they are "
                             f"long, as '(Over {MODULE_LINES} lines: …)': {unexplained}")
