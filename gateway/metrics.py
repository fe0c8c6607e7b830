"""Prometheus metrics of the proxy. Labels carry route names, methods and codes, never request data.

With several worker processes, prometheus-client's multiprocess mode is used: each worker writes
its values to files under PROMETHEUS_MULTIPROC_DIR and the supervisor's admin listener adds them up.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.multiprocess import MultiProcessCollector

LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    120.0, 300.0,
)  # fmt: skip
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
NO_ROUTE = "-"


def method_label(method: str) -> str:
    """The method as a label with bounded cardinality."""
    return method if method in _KNOWN_METHODS else "OTHER"


class ProxyMetrics:
    """The gateway's metrics, registered on one registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter(
            "gerbang_requests",
            "Exchanges completed, by route, method and response status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "gerbang_request_duration_seconds",
            "Time from request received to response fully sent, by route and status.",
            ["route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.upstream_errors = Counter(
            "gerbang_upstream_errors",
            "Failed upstream calls, by route and error code.",
            ["route", "code"],
            registry=registry,
        )
        self.in_flight = Gauge(
            "gerbang_in_flight_requests",
            "Exchanges in progress.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one finished exchange and its duration (label children cached: a hot path)."""
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(route, method, str(status)),
                self.latency.labels(route, str(status)),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


def process_registry() -> CollectorRegistry:
    """A registry for one serving process, with process and Python runtime metrics."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


def multiprocess_registry(directory: str) -> CollectorRegistry:
    """A registry that adds up the values every worker wrote under `directory`."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return registry
