"""Prometheus metrics of the proxy. Labels carry route names, methods and codes, never request data.

The hot path only adds to plain dictionaries and integers (a few hundred nanoseconds); the
Prometheus families are built when /metrics is scraped. With several worker processes each worker
writes a snapshot of its counters to a shared directory about once a second, and the supervisor's
admin listener adds the snapshots up (counters of workers that died are kept; their in-flight
gauge is not).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from gateway.findings_cache import FindingsCache
from gateway.ratelimit.metrics import RateLimitMetrics
from gateway.ratelimit.metrics import families as rate_limit_families

LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    120.0, 300.0,
)  # fmt: skip
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
NO_ROUTE = "-"
SNAPSHOT_INTERVAL_S = 1.0

Snapshot = dict[str, Any]


def method_label(method: str) -> str:
    """The method as a label with bounded cardinality."""
    return method if method in _KNOWN_METHODS else "OTHER"


class ProxyMetrics:
    """The counters one worker keeps, exported through a collector on `registry`."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.requests: dict[tuple[str, str, int], int] = {}
        # (route, status) -> per-bucket counts (the last one is +Inf) and the sum of durations.
        self.latency: dict[tuple[str, int], tuple[list[int], list[float]]] = {}
        self.upstream_errors: dict[tuple[str, str], int] = {}
        self.in_flight = 0
        self.rate_limits = RateLimitMetrics()  # filled by the worker's rate limiter
        self.findings_cache: FindingsCache | None = None  # the worker's, read when snapshotted
        if registry is not None:
            registry.register(SnapshotCollector(lambda: [self.snapshot()]))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one finished exchange and its duration."""
        key = (route, method, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        histogram = self.latency.get((route, status))
        if histogram is None:
            histogram = ([0] * (len(LATENCY_BUCKETS) + 1), [0.0])
            self.latency[(route, status)] = histogram
        histogram[0][bisect_left(LATENCY_BUCKETS, seconds)] += 1
        histogram[1][0] += seconds

    def upstream_error(self, route: str, code: str) -> None:
        """Count one failed upstream call."""
        key = (route, code)
        self.upstream_errors[key] = self.upstream_errors.get(key, 0) + 1

    def snapshot(self) -> Snapshot:
        """Everything counted so far, as JSON-ready data."""
        return {
            "requests": [[*key, value] for key, value in self.requests.items()],
            "latency": [[*key, counts, total[0]] for key, (counts, total) in self.latency.items()],
            "upstream_errors": [[*key, value] for key, value in self.upstream_errors.items()],
            "in_flight": self.in_flight,
            "rate_limits": self.rate_limits.snapshot(),
            "findings_cache": _cache_counts(self.findings_cache),
        }


def families(snapshots: Iterable[Snapshot]) -> list[Metric]:
    """Prometheus metric families summing the given snapshots."""
    snapshots = list(snapshots)  # read twice: the proxy counters, then the rate limits
    requests: dict[tuple[str, str, str], float] = {}
    latency: dict[tuple[str, str], tuple[list[float], float]] = {}
    errors: dict[tuple[str, str], float] = {}
    in_flight = 0
    for snap in snapshots:
        for route, method, status, value in snap.get("requests", ()):
            key = (route, method, str(status))
            requests[key] = requests.get(key, 0) + value
        for route, status, counts, total in snap.get("latency", ()):
            lkey = (route, str(status))
            summed, previous = latency.get(lkey, ([0.0] * len(counts), 0.0))
            latency[lkey] = ([a + b for a, b in zip(summed, counts, strict=True)], previous + total)
        for route, code, value in snap.get("upstream_errors", ()):
            errors[(route, code)] = errors.get((route, code), 0) + value
        in_flight += snap.get("in_flight", 0)

    requests_family = CounterMetricFamily(
        "gerbang_requests",
        "Exchanges completed, by route, method and response status.",
        labels=["route", "method", "status"],
    )
    for (route, method, status), value in sorted(requests.items()):
        requests_family.add_metric([route, method, status], value)
    latency_family = HistogramMetricFamily(
        "gerbang_request_duration_seconds",
        "Time from request received to response fully sent, by route and status.",
        labels=["route", "status"],
    )
    for (route, status), (counts, total) in sorted(latency.items()):
        latency_family.add_metric([route, status], _cumulative(counts), total)
    errors_family = CounterMetricFamily(
        "gerbang_upstream_errors",
        "Failed upstream calls, by route and error code.",
        labels=["route", "code"],
    )
    for (route, code), value in sorted(errors.items()):
        errors_family.add_metric([route, code], value)
    in_flight_family = GaugeMetricFamily("gerbang_in_flight_requests", "Exchanges in progress.")
    in_flight_family.add_metric([], in_flight)
    rate_limits = rate_limit_families(snap.get("rate_limits", {}) for snap in snapshots)
    cache = _findings_cache_families(snap.get("findings_cache") for snap in snapshots)
    return [requests_family, latency_family, errors_family, in_flight_family, *rate_limits, *cache]


def _cache_counts(cache: FindingsCache | None) -> list[int] | None:
    return None if cache is None else [cache.hits, cache.misses, len(cache)]


def _findings_cache_families(counts: Iterable[list[int] | None]) -> list[Metric]:
    """Lookups of the findings cache (gateway/findings_cache.py), summed over workers."""
    present = [c for c in counts if c]
    if not present:
        return []
    lookups = CounterMetricFamily(
        "gerbang_findings_cache_lookups",
        "Request texts looked up in the findings cache: hit (not scanned again) or miss.",
        labels=["result"],
    )
    lookups.add_metric(["hit"], sum(c[0] for c in present))
    lookups.add_metric(["miss"], sum(c[1] for c in present))
    entries = GaugeMetricFamily(
        "gerbang_findings_cache_entries", "Texts whose findings are kept, in all workers."
    )
    entries.add_metric([], sum(c[2] for c in present))
    return [lookups, entries]


def _cumulative(counts: list[float]) -> list[tuple[str, float]]:
    buckets: list[tuple[str, float]] = []
    running = 0.0
    for bound, count in zip((*map(str, LATENCY_BUCKETS), "+Inf"), counts, strict=True):
        running += count
        buckets.append((bound, running))
    return buckets


class SnapshotCollector(Collector):
    """A Prometheus collector over snapshots supplied by a callable at scrape time."""

    def __init__(self, source: Callable[[], Iterable[Snapshot]]) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        """Build the families from the current snapshots."""
        yield from families(self._source())


def process_registry() -> CollectorRegistry:
    """A registry for one serving process, with process and Python runtime metrics."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


def snapshot_path(directory: Path, pid: int) -> Path:
    """Where worker `pid` writes its snapshot."""
    return directory / f"worker-{pid}.json"


def write_snapshot(metrics: ProxyMetrics, directory: Path) -> None:
    """Replace this worker's snapshot file atomically."""
    target = snapshot_path(directory, os.getpid())
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(metrics.snapshot()), encoding="utf-8")
    os.replace(partial, target)


async def publish_snapshots(metrics: ProxyMetrics, directory: Path) -> None:
    """Write the snapshot about once a second until cancelled, then once more."""
    try:
        while True:
            write_snapshot(metrics, directory)
            await asyncio.sleep(SNAPSHOT_INTERVAL_S)
    finally:
        write_snapshot(metrics, directory)


def read_snapshots(directory: Path, live_pids: set[int]) -> list[Snapshot]:
    """Every worker's snapshot; a dead worker's in-flight count no longer counts."""
    snapshots: list[Snapshot] = []
    for path in directory.glob("worker-*.json"):
        with contextlib.suppress(OSError, ValueError):
            snap: Snapshot = json.loads(path.read_text(encoding="utf-8"))
            if int(path.stem.removeprefix("worker-")) not in live_pids:
                snap["in_flight"] = 0  # gone with the worker, like its cache's entries
                if snap.get("findings_cache"):
                    snap["findings_cache"] = [*snap["findings_cache"][:2], 0]
            snapshots.append(snap)
    return snapshots


def workers_registry(directory: Path, live_pids: Callable[[], set[int]]) -> CollectorRegistry:
    """The supervisor's registry: its own process metrics plus the workers' summed snapshots."""
    registry = process_registry()
    registry.register(SnapshotCollector(lambda: read_snapshots(directory, live_pids())))
    return registry
