"""``python -m hub.http.studio [DIR]``: print operations.json from DIR's ``*.graphql``
(default ``schema/operations/studio``); tests/studio/test_studio_operations.py checks it is current."""

from __future__ import annotations

import sys
from pathlib import Path

from hub.http.studio import bundle_operations

if __name__ == "__main__":
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else "schema/operations/studio")
    sys.stdout.buffer.write(bundle_operations(directory))
