"""Metrics: plain counters on the hot path, Prometheus families when scraped, summed per worker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from gateway.metrics import (
    ProxyMetrics,
    read_snapshots,
    snapshot_path,
    workers_registry,
    write_snapshot,
)


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


@pytest.mark.parametrize(
    ("seconds", "first_bucket_counting_it"),
    [(0.0004, "0.001"), (0.001, "0.001"), (0.0011, "0.0025"), (299.0, "300.0"), (301.0, "+Inf")],
)
def test_when_a_duration_is_observed_then_it_counts_from_its_le_bucket_up(
    seconds: float, first_bucket_counting_it: str
) -> None:
    registry = CollectorRegistry()
    ProxyMetrics(registry).observe("chat", "GET", 200, seconds)
    buckets = {
        le: sample(
            registry, "gerbang_request_duration_seconds_bucket", route="chat", status="200", le=le
        )
        for le in ("0.001", "0.0025", "300.0", "+Inf")
    }
    order = ["0.001", "0.0025", "300.0", "+Inf"]
    start = order.index(first_bucket_counting_it)
    assert [buckets[le] for le in order] == [0.0] * start + [1.0] * (len(order) - start)
    assert sample(registry, "gerbang_request_duration_seconds_sum", route="chat", status="200") == (
        pytest.approx(seconds)
    )


def test_when_exchanges_are_counted_then_prometheus_text_has_every_family() -> None:
    registry = CollectorRegistry()
    metrics = ProxyMetrics(registry)
    metrics.observe("chat", "POST", 200, 0.01)
    metrics.observe("chat", "POST", 200, 0.02)
    metrics.observe("-", "GET", 404, 0.0001)
    metrics.upstream_error("chat", "upstream_timeout")
    metrics.in_flight = 3
    text = generate_latest(registry).decode()
    assert 'gerbang_requests_total{method="POST",route="chat",status="200"} 2.0' in text
    assert 'gerbang_requests_total{method="GET",route="-",status="404"} 1.0' in text
    assert 'gerbang_upstream_errors_total{code="upstream_timeout",route="chat"} 1.0' in text
    assert "gerbang_in_flight_requests 3.0" in text
    assert 'gerbang_request_duration_seconds_count{route="chat",status="200"} 2.0' in text


def test_when_workers_publish_snapshots_then_the_supervisor_sums_them(tmp_path: Path) -> None:
    first, second = ProxyMetrics(), ProxyMetrics()
    for _ in range(3):
        first.observe("chat", "GET", 200, 0.01)
    second.observe("chat", "GET", 200, 0.5)
    second.upstream_error("chat", "upstream_unreachable")
    first.in_flight, second.in_flight = 2, 5
    write_snapshot(first, tmp_path)  # written under this process's pid
    dead_pid = os.getpid() + 100_000
    write_snapshot(second, tmp_path)
    snapshot_path(tmp_path, os.getpid()).rename(snapshot_path(tmp_path, dead_pid))
    write_snapshot(first, tmp_path)

    registry = workers_registry(tmp_path, live_pids=lambda: {os.getpid()})
    assert sample(registry, "gerbang_requests_total", route="chat", method="GET", status="200") == 4
    assert (
        sample(registry, "gerbang_request_duration_seconds_count", route="chat", status="200") == 4
    )
    assert (
        sample(registry, "gerbang_upstream_errors_total", route="chat", code="upstream_unreachable")
        == 1
    )
    # A dead worker's counters still count; its in-flight exchanges no longer exist.
    assert sample(registry, "gerbang_in_flight_requests") == 2


def test_when_a_snapshot_file_is_half_written_or_foreign_then_it_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "worker-123.json").write_text('{"requests": [')
    (tmp_path / "worker-abc.json").write_text("{}")
    assert read_snapshots(tmp_path, live_pids=set()) == []


def test_when_workers_use_the_findings_cache_then_lookups_and_entries_are_summed(
    tmp_path: Path,
) -> None:
    from gateway.findings_cache import FindingsCache

    first, second = ProxyMetrics(), ProxyMetrics()
    assert sample(workers_registry_of(tmp_path, first), "gerbang_findings_cache_entries") is None
    for metrics, hits, misses, entries in ((first, 5, 2, 2), (second, 1, 3, 3)):
        cache = FindingsCache(100)
        cache.hits, cache.misses = hits, misses
        for i in range(entries):
            cache.put(bytes([i]) * 16, ())
        metrics.findings_cache = cache
    write_snapshot(second, tmp_path)
    dead_pid = os.getpid() + 100_000
    snapshot_path(tmp_path, os.getpid()).rename(snapshot_path(tmp_path, dead_pid))
    write_snapshot(first, tmp_path)

    registry = workers_registry(tmp_path, live_pids=lambda: {os.getpid()})
    assert sample(registry, "gerbang_findings_cache_lookups_total", result="hit") == 6
    assert sample(registry, "gerbang_findings_cache_lookups_total", result="miss") == 5
    # A dead worker's lookups still count; its entries went with it.
    assert sample(registry, "gerbang_findings_cache_entries") == 2


def workers_registry_of(tmp_path: Path, metrics: ProxyMetrics) -> CollectorRegistry:
    """The registry the supervisor would build from this one worker's snapshot."""
    directory = tmp_path / "one"
    directory.mkdir()
    write_snapshot(metrics, directory)
    return workers_registry(directory, live_pids=lambda: {os.getpid()})
