"""Optional OpenTelemetry traces (hub/core/tracing.py): one span per GraphQL request, one per
SQL statement inside it, caught here by the SDK's in-memory exporter. Skipped without the
``otel`` extra."""

from __future__ import annotations

import pytest

from hub.core.tracing import tracer_from_env
from tests.api import Api

pytest.importorskip("opentelemetry.sdk", reason="the otel extra is not installed")

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind

FEED = "query Feed { records(first: 5) { nodes { title } } }"


@pytest.fixture
def spans(api: Api) -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    api.hub.trace_with(provider.get_tracer("test"))
    return exporter


async def test_a_request_is_a_span_and_its_statements_are_its_children(
    api: Api, spans: InMemorySpanExporter,
) -> None:
    ada = await api.sign_up("ada")
    spans.clear()
    before = api.statements()
    await api.gql(FEED, token=ada.token)
    finished = spans.get_finished_spans()
    [request] = [s for s in finished if s.kind == SpanKind.SERVER]
    assert request.name == "graphql Feed"
    assert request.attributes is not None
    assert request.attributes["graphql.operation.name"] == "Feed"
    assert request.attributes["hub.path"] == "compiled"
    assert request.attributes["http.response.status_code"] == 200
    statements = [s for s in finished if s.name == "db.statement"]
    # The session lookup and the compiled statement: one span each, children of the request.
    assert len(statements) == api.statements() - before == 2
    assert request.context is not None
    for statement in statements:
        assert statement.parent is not None
        assert statement.parent.span_id == request.context.span_id
        assert statement.attributes is not None
        assert statement.attributes["db.system"] == "postgresql"
    assert any("records" in str(s.attributes["db.statement"]) for s in statements
               if s.attributes is not None)


async def test_traces_are_off_without_an_endpoint(api: Api) -> None:
    assert api.hub.tracer is None
    assert tracer_from_env({}) is None
    assert tracer_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}) is not None
