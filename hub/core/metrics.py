"""What one hub instance tells Prometheus, served at ``/metrics`` (hub/http/metrics.py).

Each hub has its own :class:`Metrics` (its own registry: tests run several hubs in one
process). Instruments that the hub updates as things happen (request latency, rate-limit
refusals, event lag) are prometheus-client objects; the rest (pool, sockets, subscriptions,
statements, timeouts) is read from the hub's own counters when Prometheus scrapes, so the
hot path pays nothing for them.

Every series is per instance; Prometheus adds the ``instance`` label and sums across them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Operation names are chosen by clients: beyond this many distinct names, the rest are
# counted together as "other", so a client cannot grow the series (and memory) without bound.
MAX_OPERATION_NAMES = 200
OTHER = "other"
ANONYMOUS = "anonymous"
MAX_NAME_LENGTH = 64

# Seconds; GraphQL answers from 1 ms (a compiled read) to the statement timeout.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0)
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Read = Callable[[], float]
# A reading per label value: {label value: reading}.
ReadLabelled = Callable[[], Mapping[str, float]]


@dataclass(frozen=True)
class _Reading:
    """A value read at scrape time: a gauge (may go down) or a counter (only goes up)."""

    name: str
    documentation: str
    read: Read | None
    counter: bool
    # Set instead of ``read`` for a series per value of the label ``label``.
    label: str = ""
    read_labelled: ReadLabelled | None = None


class _Readings(Collector):
    def __init__(self) -> None:
        self.readings: list[_Reading] = []

    def collect(self) -> Iterator[Metric]:
        for reading in self.readings:
            family = CounterMetricFamily if reading.counter else GaugeMetricFamily
            if reading.read is not None:
                yield family(reading.name, reading.documentation, value=reading.read())
                continue
            assert reading.read_labelled is not None
            metric = family(reading.name, reading.documentation, labels=[reading.label])
            for value, number in reading.read_labelled().items():
                metric.add_metric([value], number)
            yield metric


class Metrics:
    """One hub's instruments and its registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "hub_graphql_request_seconds",
            "GraphQL HTTP requests by operation name and path (compiled: one SQL statement; "
            "executor: the resolvers), from the request's arrival to its answer. The _count "
            "series is the request count.",
            ["operation", "path"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.rate_limit_refusals = Counter(
            "hub_rate_limit_refusals",
            "Requests refused with RATE_LIMITED, by limit (login-handle, login-address, "
            "mutations).", ["limit"], registry=self.registry)
        self.event_lag = Histogram(
            "hub_event_lag_seconds",
            "From an event's transaction to this instance's listener handing it to its "
            "subscriptions.", buckets=LAG_BUCKETS, registry=self.registry)
        self.websockets = Gauge("hub_websockets_open", "WebSocket connections open now.",
                                registry=self.registry)
        self._readings = _Readings()
        self.registry.register(self._readings)
        self._names: set[str] = set()
        # As many as operation labels (bounded: operation_label) times paths.
        self._request_series: dict[tuple[str, str], Histogram] = {}

    def gauge(self, name: str, documentation: str, read: Read) -> None:
        """Report ``read()`` as a gauge at each scrape."""
        self._readings.readings.append(_Reading(name, documentation, read, counter=False))

    def counter(self, name: str, documentation: str, read: Read) -> None:
        """Report ``read()`` (a running total) as a counter at each scrape."""
        self._readings.readings.append(_Reading(name, documentation, read, counter=True))

    def labelled_counter(self, name: str, documentation: str, label: str,
                         read: ReadLabelled) -> None:
        """Report each running total of ``read()`` as a counter with ``label`` at each scrape."""
        self._readings.readings.append(
            _Reading(name, documentation, None, counter=True, label=label, read_labelled=read))

    def operation_label(self, name: str | None) -> str:
        """The label for operation ``name``: bounded in length and in how many there are."""
        if not name:
            return ANONYMOUS
        name = name[:MAX_NAME_LENGTH]
        if name in self._names:
            return name
        if len(self._names) >= MAX_OPERATION_NAMES:
            return OTHER
        self._names.add(name)
        return name

    def observe_request(self, operation: str | None, path: str, seconds: float) -> None:
        key = (self.operation_label(operation), path)
        series = self._request_series.get(key)
        if series is None:  # labels() takes a lock and builds its key on every call
            series = self._request_series[key] = self.requests.labels(*key)
        series.observe(seconds)

    def refused(self, limit: str) -> None:
        self.rate_limit_refusals.labels(limit).inc()

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)
