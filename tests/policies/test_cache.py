"""`policies.cache`: hits and misses, the key without request.time, bounds in size and age."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from policies.cache import CachingEngine, DecisionCache, cache_key
from policies.decision import Decision
from policies.embedded import EmbeddedEngine
from policies.errors import PolicyUnavailable
from tests.policies.table import CITIZEN, exchange


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingEngine:
    """A PolicyEngine that counts its decisions and can be told to fail."""

    def __init__(self, inner: EmbeddedEngine) -> None:
        self.inner = inner
        self.calls = 0
        self.fail = False
        self.revision = "rev-1"

    async def decide(self, input: Mapping[str, object]) -> Decision:
        self.calls += 1
        if self.fail:
            raise PolicyUnavailable("the policy server is unreachable")
        return self.inner.decide_now(input)

    async def close(self) -> None:
        pass


def _at(moment: str) -> dict[str, object]:
    request = dict(CITIZEN["request"])  # type: ignore[call-overload]
    request["time"] = moment
    return {**CITIZEN, "request": request}


def test_key_ignores_request_time_only() -> None:
    assert cache_key(_at("2026-11-28T03:00:00Z"), "r") == cache_key(
        _at("2030-01-01T00:00:00Z"), "r"
    )
    assert cache_key(CITIZEN, "r") != cache_key(CITIZEN, "r2")
    other_purpose = exchange(("warga",), "lara", "pengaduan")
    assert cache_key(CITIZEN, "r") != cache_key(other_purpose, "r")
    reordered = dict(reversed(list(CITIZEN.items())))
    assert cache_key(reordered, "r") == cache_key(CITIZEN, "r")


async def test_when_same_input_then_second_decision_is_a_hit(
    shared_embedded: EmbeddedEngine,
) -> None:
    engine = CountingEngine(shared_embedded)
    cached = CachingEngine(engine, DecisionCache(100, 60.0))
    first = await cached.decide(_at("2026-11-28T03:00:00Z"))
    second = await cached.decide(_at("2026-11-28T03:00:09Z"))
    assert first == second
    assert first.allow is True
    assert engine.calls == 1
    assert (cached.cache.hits, cached.cache.misses) == (1, 1)
    assert cached.revision == "rev-1"


async def test_when_revision_changes_then_old_decisions_are_not_served(
    shared_embedded: EmbeddedEngine,
) -> None:
    engine = CountingEngine(shared_embedded)
    cached = CachingEngine(engine, DecisionCache(100, 60.0))
    await cached.decide(CITIZEN)
    engine.revision = "rev-2"
    await cached.decide(CITIZEN)
    assert engine.calls == 2


async def test_refusals_are_cached_but_engine_failures_are_not(
    shared_embedded: EmbeddedEngine,
) -> None:
    engine = CountingEngine(shared_embedded)
    cached = CachingEngine(engine, DecisionCache(100, 60.0))
    refused = exchange(("warga",), "ocr-dokumen", "digitalisasi_dokumen")
    assert (await cached.decide(refused)).allow is False
    assert (await cached.decide(refused)).allow is False
    assert engine.calls == 1
    engine.fail = True
    for _ in range(2):
        with pytest.raises(PolicyUnavailable):
            await cached.decide(CITIZEN)
    assert engine.calls == 3
    engine.fail = False
    assert (await cached.decide(CITIZEN)).allow is True
    assert engine.calls == 4


def test_entries_expire_after_max_age() -> None:
    clock = Clock()
    cache = DecisionCache(10, 5.0, clock=clock)
    cache.put(b"k", Decision.deny("x"))
    clock.now += 4.9
    assert cache.get(b"k") == Decision.deny("x")
    clock.now += 0.2
    assert cache.get(b"k") is None
    assert len(cache) == 0


def test_least_recently_used_entry_goes_first_beyond_max_entries() -> None:
    cache = DecisionCache(2, 60.0)
    for key in (b"a", b"b"):
        cache.put(key, Decision.deny(key.decode()))
    assert cache.get(b"a") is not None  # a is now more recent than b
    cache.put(b"c", Decision.deny("c"))
    assert len(cache) == 2
    assert cache.get(b"b") is None
    assert cache.get(b"a") is not None
    assert cache.get(b"c") is not None


def test_size_stays_bounded_under_many_distinct_inputs() -> None:
    cache = DecisionCache(50, 60.0)
    for index in range(1000):
        cache.put(cache_key({"n": index}, "r"), Decision.deny())
    assert len(cache) == 50


async def test_zero_entries_means_no_cache(shared_embedded: EmbeddedEngine) -> None:
    engine = CountingEngine(shared_embedded)
    cached = CachingEngine(engine, DecisionCache(0, 60.0))
    await cached.decide(CITIZEN)
    await cached.decide(CITIZEN)
    assert engine.calls == 2
    assert len(cached.cache) == 0


@pytest.mark.parametrize(("entries", "age"), [(-1, 1.0), (10, 0.0), (10, -1.0)])
def test_invalid_bounds_are_refused(entries: int, age: float) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        DecisionCache(entries, age)
