"""Counters of rate limiting: refusals by route and bucket, and checks made without the store.

Like gateway.metrics, the hot path adds to plain dictionaries; the Prometheus families are built
at scrape time from snapshots (one per worker process, summed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

Snapshot = dict[str, Any]


class RateLimitMetrics:
    """What one process counts; `register` exports it on a Prometheus registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.limited: dict[tuple[str, str], int] = {}
        self.without_store: dict[str, int] = {}  # action ("refused" or "local") -> checks
        self.outages = 0
        if registry is not None:
            registry.register(RateLimitCollector(lambda: [self.snapshot()]))

    def count_limited(self, route: str, bucket: str) -> None:
        """One request refused with 429."""
        key = (route, bucket)
        self.limited[key] = self.limited.get(key, 0) + 1

    def count_without_store(self, action: str) -> None:
        """One check decided without the store: `refused` (503) or by `local` buckets."""
        self.without_store[action] = self.without_store.get(action, 0) + 1

    def snapshot(self) -> Snapshot:
        """Everything counted so far, as JSON-ready data."""
        return {
            "limited": [[*key, value] for key, value in self.limited.items()],
            "without_store": [[key, value] for key, value in self.without_store.items()],
            "outages": self.outages,
        }


def families(snapshots: Iterable[Snapshot]) -> list[Metric]:
    """Prometheus metric families summing the given snapshots."""
    limited: dict[tuple[str, str], float] = {}
    without: dict[str, float] = {}
    outages = 0.0
    for snap in snapshots:
        for route, bucket, value in snap.get("limited", ()):
            limited[(route, bucket)] = limited.get((route, bucket), 0) + value
        for action, value in snap.get("without_store", ()):
            without[action] = without.get(action, 0) + value
        outages += snap.get("outages", 0)
    limited_family = CounterMetricFamily(
        "gerbang_rate_limited",
        "Requests refused with 429, by route and the bucket that was empty.",
        labels=["route", "bucket"],
    )
    for (route, bucket), value in sorted(limited.items()):
        limited_family.add_metric([route, bucket], value)
    without_family = CounterMetricFamily(
        "gerbang_rate_limit_store_unavailable",
        "Rate-limit checks made while the shared store was unreachable, by what was done: "
        "refused (503) or decided by per-process buckets (local).",
        labels=["action"],
    )
    for action, value in sorted(without.items()):
        without_family.add_metric([action], value)
    outage_family = CounterMetricFamily(
        "gerbang_rate_limit_store_outages",
        "Times the shared rate-limit store became unreachable.",
    )
    outage_family.add_metric([], outages)
    return [limited_family, without_family, outage_family]


class RateLimitCollector(Collector):
    """A Prometheus collector over snapshots supplied by a callable at scrape time."""

    def __init__(self, source: Callable[[], Iterable[Snapshot]]) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        """Build the families from the current snapshots."""
        yield from families(self._source())
