"""Every read field's SQL twin, or why it has none: derived from the schema's declarations
(hub/api/compiled/derive.py) plus the specs the slices write by hand (record details of the
plugins, the plugins' publishing targets and media types).

Assembled here, above hub/api/compiled and the slices, so the compiler never imports a slice
(the slices import the compiler's building blocks).
"""

from __future__ import annotations

from graphql import GraphQLSchema

from hub.api.compilations import twins as compilations
from hub.api.compiled.derive import Report, derive
from hub.api.media import twins as media
from hub.api.records.twins import details_twins
from hub.plugins import HubPlugins


def twins(schema: GraphQLSchema, plugins: HubPlugins) -> Report:
    """Every field's SQL twin, or why it has none (``recordhub twins`` prints it)."""
    return derive(schema, extra={**details_twins(schema, plugins),
                                 **compilations.plugin_twins(plugins),
                                 **media.plugin_twins(plugins)})
