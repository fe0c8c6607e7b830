"""Token buckets: the algorithm, the store interface, and the in-process (memory) store.

A bucket holds up to `capacity` tokens and gains `refill_per_second` tokens a second; a request
takes one token from every bucket it is checked against (its caller's and its service's), and only
if each of them has one: a refused request takes nothing. The wait until a refused request would
be admitted is the longest wait among the buckets that are short. A bucket nobody has used is full.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from gateway.ratelimit.config import BucketConfig

EPSILON = 1e-9
"""Tokens short of a whole one that still count as one (absorbs floating-point rounding)."""


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """The shape of a bucket: how many tokens it holds and how fast it refills."""

    capacity: float
    refill_per_second: float

    @classmethod
    def of(cls, config: BucketConfig) -> BucketSpec:
        """The spec configured by a `{ rate, per, burst }` table."""
        return cls(float(config.capacity), config.refill_per_second)


@dataclass(frozen=True, slots=True)
class BucketCheck:
    """One bucket a request is checked against: its store key, shape and label for metrics."""

    key: str
    spec: BucketSpec
    label: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """Admitted, or refused with the wait (seconds) and the label of the bucket that refused."""

    allowed: bool
    retry_after: float = 0.0
    limited_by: str | None = None


ADMITTED = Verdict(allowed=True)


class StoreUnavailable(Exception):
    """The bucket store could not be reached or answered badly; the message is the error type."""


class BucketStore(Protocol):
    """Where bucket levels live: this process, or Redis shared by every replica."""

    async def acquire(self, checks: Sequence[BucketCheck]) -> Verdict:
        """Take one token from every bucket, or none; raises StoreUnavailable."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def refilled(tokens: float, elapsed: float, spec: BucketSpec) -> float:
    """The level after `elapsed` seconds of refill (a clock going backwards adds nothing)."""
    return min(spec.capacity, tokens + max(0.0, elapsed) * spec.refill_per_second)


def wait_for_token(tokens: float, spec: BucketSpec) -> float:
    """Seconds until the bucket holds one whole token (0 when it already does)."""
    if tokens >= 1.0 - EPSILON:
        return 0.0
    return (1.0 - tokens) / spec.refill_per_second


class MemoryBuckets:
    """Buckets of this process only, at most `max_buckets` (the least recently used are dropped:
    a dropped bucket starts full again, so the bound errs towards admitting)."""

    def __init__(
        self, *, max_buckets: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max = max_buckets
        self._clock = clock
        self._levels: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> tokens, at

    def take(self, checks: Sequence[BucketCheck]) -> Verdict:
        """Take one token from every bucket, or none, now."""
        now = self._clock()
        levels = []
        wait = 0.0
        limited_by: str | None = None
        for check in checks:
            level = self._levels.get(check.key)
            tokens = (
                check.spec.capacity
                if level is None
                else refilled(level[0], now - level[1], check.spec)
            )
            levels.append(tokens)
            needed = wait_for_token(tokens, check.spec)
            if needed > wait:
                wait, limited_by = needed, check.label
        if limited_by is not None:
            return Verdict(allowed=False, retry_after=wait, limited_by=limited_by)
        for check, tokens in zip(checks, levels, strict=True):
            self._levels[check.key] = (max(0.0, tokens - 1.0), now)
            self._levels.move_to_end(check.key)
        while len(self._levels) > self._max:
            self._levels.popitem(last=False)
        return ADMITTED

    async def acquire(self, checks: Sequence[BucketCheck]) -> Verdict:
        """`take`, for callers that expect a store (never raises StoreUnavailable)."""
        return self.take(checks)

    async def close(self) -> None:
        """Forget every bucket."""
        self._levels.clear()

    def __len__(self) -> int:
        return len(self._levels)
