"""SQL twins of the media slice's read fields.

``Query.mediaTypes`` lists the enabled plugins' media types as its resolver does
(hub/api/compiled/constant.py). ``Record.media`` has none: its URLs are signed per request
(an expiry and an HMAC with the hub's secret key) and absolute to the request's origin, which
the statement does not know; it is answered by the executor.
"""

from __future__ import annotations

from hub.api.compiled.constant import constant_rows
from hub.api.compiled.plan import Registry
from hub.plugins import HubPlugins


def plugin_twins(plugins: HubPlugins) -> Registry:
    """``Query.mediaTypes`` and its ``MediaType`` fields."""
    rows = [{"key": m.key, "label": m.label, "description": m.description}
            for m in plugins.media_types.values()]
    return constant_rows("Query", "mediaTypes", "MediaType", rows,
                         ("key", "label", "description"))
