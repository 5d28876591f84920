"""What the plugins offer as demo data, asked of the plugin that owns each key and checked.

The seeds (hub.seed.demo, hub.seed.scale) know no media type's details and no target's
settings: a media type's plugin gives its demo details (``hub_sample_details``) and a target's
plugin makes its demo compilations out of the records on offer (``hub_sample_compilation``).
One plugin's failure never stops the others': it is logged, naming the plugin, and skipped.
"""

from __future__ import annotations

import logging
from typing import Any

from hub.plugin_api import DetailsError, SampleCompilation, SampleRecord
from hub.plugins import HubPlugins, PluginFailure

log = logging.getLogger(__name__)

SAMPLE_DETAILS = "hub_sample_details"
SAMPLE_COMPILATION = "hub_sample_compilation"


async def sample_details(
    plugins: HubPlugins, media_type: str, count: int, seed: int,
) -> list[tuple[dict[str, Any], str]]:
    """``count`` (details, search text) pairs for demo records of ``media_type``: what its
    plugin offers through ``hub_sample_details``, normalised and indexed as a new record's
    details are. Empty, with a log line naming the plugin, when the plugin offers none or its
    samples fail."""
    owner = plugins.owner(SAMPLE_DETAILS, media_type)
    try:
        samples = await plugins.call_owner(SAMPLE_DETAILS, media_type, count=count, seed=seed)
        if not samples:
            log.info("demo data: no %s records (plugin %r offers no %s)", media_type, owner,
                     SAMPLE_DETAILS)
            return []
        if not (isinstance(samples, list) and all(isinstance(item, dict) for item in samples)):
            raise PluginFailure(str(owner), SAMPLE_DETAILS, TypeError(
                f"expected a list of details dicts, got {type(samples).__name__}"))
        pairs = []
        for raw in (samples[n % len(samples)] for n in range(count)):
            details = await plugins.call_owner("hub_normalize_details", media_type, details=raw)
            details = raw if details is None else details
            text = await plugins.call_owner("hub_details_search_text", media_type,
                                            details=details)
            pairs.append((details, text or ""))
        return pairs
    except (PluginFailure, DetailsError) as error:
        log.warning("demo data: no %s records (the samples of plugin %r failed: %s)",
                    media_type, owner, getattr(error, "message", error))
        return []


def offers_sample_compilations(plugins: HubPlugins, target: str) -> bool:
    """Whether the plugin that declared ``target`` implements ``hub_sample_compilation``."""
    return plugins.owner(SAMPLE_COMPILATION, target) in plugins.implementers(SAMPLE_COMPILATION)


async def sample_compilation(
    plugins: HubPlugins, target: str, records: list[SampleRecord], seed: int,
) -> SampleCompilation | None:
    """The demo compilation the plugin that declared ``target`` makes of ``records``; None
    when it makes none, or (logged, naming the plugin) when it fails or answers something
    other than a :class:`SampleCompilation` of offered records, each once."""
    owner = plugins.owner(SAMPLE_COMPILATION, target)
    try:
        sample = await plugins.call_owner(SAMPLE_COMPILATION, target, records=records, seed=seed)
        if sample is not None:
            _check_sample(sample, {record.id for record in records})
        return sample
    except (PluginFailure, TypeError) as error:
        log.warning("demo data: no %s compilation (the sample of plugin %r failed: %s)",
                    target, owner, error)
        return None


def _check_sample(sample: Any, offered: set[int]) -> None:
    if not isinstance(sample, SampleCompilation):
        raise TypeError(f"expected a SampleCompilation, got {type(sample).__name__}")
    items = list(sample.items)
    if not items or len(set(items)) != len(items) or not set(items) <= offered:
        raise TypeError(f"items must be offered record ids, each once (got {items[:20]})")
    if not isinstance(sample.settings, dict):
        raise TypeError("settings must be a dict")
