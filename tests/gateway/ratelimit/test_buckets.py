"""The token-bucket algorithm and the in-process store, on a controlled clock."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.ratelimit.buckets import BucketCheck, BucketSpec, MemoryBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def bucket(key: str, capacity: float, per_second: float, label: str = "b") -> BucketCheck:
    return BucketCheck(key, BucketSpec(capacity, per_second), label)


def test_when_a_burst_is_used_up_then_the_next_request_waits_for_one_token():
    clock = Clock()
    store = MemoryBuckets(clock=clock)
    checks = [bucket("k", capacity=3, per_second=0.5)]
    assert all(store.take(checks).allowed for _ in range(3))
    refused = store.take(checks)
    assert not refused.allowed
    assert refused.retry_after == 2.0  # one token at 0.5 a second
    assert refused.limited_by == "b"
    clock.now += 1.5
    assert store.take(checks).retry_after == 0.5
    clock.now += 0.5
    assert store.take(checks).allowed
    assert not store.take(checks).allowed


def test_when_idle_then_the_bucket_refills_only_up_to_its_capacity():
    clock = Clock()
    store = MemoryBuckets(clock=clock)
    checks = [bucket("k", capacity=2, per_second=10)]
    assert store.take(checks).allowed
    assert store.take(checks).allowed
    clock.now += 3600
    assert [store.take(checks).allowed for _ in range(3)] == [True, True, False]


def test_when_one_bucket_is_empty_then_no_bucket_loses_a_token():
    store = MemoryBuckets(clock=Clock())
    caller = bucket("caller", capacity=1, per_second=1, label="per_principal")
    service = bucket("service", capacity=2, per_second=1, label="per_service")
    assert store.take([caller, service]).allowed
    for _ in range(5):  # refused by the caller's bucket: the service's keeps its last token
        assert store.take([caller, service]).limited_by == "per_principal"
    assert store.take([bucket("other", 1, 1), service]).allowed
    refused = store.take([bucket("third", 1, 1), service])
    assert refused.limited_by == "per_service"


def test_when_several_buckets_are_empty_then_the_longest_wait_is_reported():
    store = MemoryBuckets(clock=Clock())
    slow = bucket("slow", capacity=1, per_second=0.1, label="slow")
    fast = bucket("fast", capacity=1, per_second=10, label="fast")
    assert store.take([slow, fast]).allowed
    refused = store.take([fast, slow])
    assert (refused.limited_by, refused.retry_after) == ("slow", 10.0)


def test_when_more_buckets_than_the_bound_then_the_least_recent_are_dropped():
    store = MemoryBuckets(max_buckets=3, clock=Clock())
    for name in "abcde":
        store.take([bucket(name, 1, 1)])
    assert len(store) == 3
    assert not store.take([bucket("e", 1, 1)]).allowed  # recent: still empty
    assert store.take([bucket("a", 1, 1)]).allowed  # dropped: starts full again


steps = st.lists(
    st.tuples(st.floats(min_value=0, max_value=3), st.integers(min_value=0, max_value=6)),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(
    capacity=st.integers(min_value=1, max_value=8),
    rate=st.integers(min_value=1, max_value=10),
    per=st.sampled_from([0.1, 0.5, 1.0, 3.0]),
    steps=steps,
)
def test_property_never_more_than_burst_plus_rate_times_elapsed(
    capacity: int, rate: int, per: float, steps: list[tuple[float, int]]
):
    clock = Clock()
    store = MemoryBuckets(clock=clock)
    spec = BucketSpec(float(capacity), rate / per)
    checks = [BucketCheck("k", spec, "b")]
    admitted: list[float] = []
    for pause, attempts in steps:
        clock.now += pause
        for _ in range(attempts):
            verdict = store.take(checks)
            if verdict.allowed:
                admitted.append(clock.now)
            else:
                assert verdict.retry_after > 0
    # In every window [t_i, t_j] between admissions: at most burst + rate * elapsed admitted.
    for i, start in enumerate(admitted):
        for j in range(i, len(admitted)):
            allowed = capacity + spec.refill_per_second * (admitted[j] - start)
            assert j - i + 1 <= allowed + 1e-6


@settings(max_examples=150, deadline=None)
@given(
    capacity=st.integers(min_value=1, max_value=8),
    per_second=st.floats(min_value=0.01, max_value=100),
    steps=steps,
)
def test_property_waiting_retry_after_is_enough(
    capacity: int, per_second: float, steps: list[tuple[float, int]]
):
    clock = Clock()
    store = MemoryBuckets(clock=clock)
    checks = [BucketCheck("k", BucketSpec(float(capacity), per_second), "b")]
    for pause, attempts in steps:
        clock.now += pause
        for _ in range(attempts):
            verdict = store.take(checks)
            if not verdict.allowed:
                clock.now += verdict.retry_after
                assert store.take(checks).allowed
