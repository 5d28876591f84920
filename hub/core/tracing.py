"""Optional OpenTelemetry traces: one span per GraphQL HTTP request (hub/http/view.py) and,
inside it, one per SQL statement (hub/core/db/pool.py).

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set and the ``otel`` extra is installed
(``pip install 'recordhub[otel]'``: ``opentelemetry-sdk`` and its OTLP/HTTP exporter); the
SDK's own ``OTEL_*`` variables configure the export (headers, timeout; ``OTEL_SERVICE_NAME``,
default ``recordhub``). Spans leave in batches from a background thread, so a slow collector
does not slow requests down. Statement spans carry the statement's text (``db.statement``, cut
at 2,000 characters) and never its parameters, which may hold personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("hub.core.tracing")


def tracer_from_env(env: Mapping[str, str]) -> Any:
    """A tracer exporting over OTLP, or None when traces are off."""
    if not env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but opentelemetry-sdk is not installed "
                    "(pip install 'recordhub[otel]'): no traces")
        return None
    provider = TracerProvider(resource=Resource.create(
        {"service.name": env.get("OTEL_SERVICE_NAME") or "recordhub"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider.get_tracer("recordhub")


@contextmanager
def request_span(tracer: Any, method: str) -> Iterator[Any]:
    """The span of one HTTP request to ``/graphql`` (named and labelled by the caller once the
    operation is known)."""
    from opentelemetry.trace import SpanKind

    with tracer.start_as_current_span("graphql", kind=SpanKind.SERVER,
                                      attributes={"http.request.method": method}) as span:
        yield span
