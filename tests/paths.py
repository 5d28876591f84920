"""Where the tests find the project's files: ``ROOT`` (the checkout) and ``TESTS`` (this
folder, with its fixtures, vendored files and Node harnesses), wherever a test module sits."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
