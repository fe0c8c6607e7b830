"""The rate limiter: a route's buckets for one caller, checked in the configured store.

When the shared store (Redis) cannot be reached the limiter does what `on_store_failure` says:
`refuse` answers 503 (fail closed, the default) and `local` decides with this process's own
buckets (each replica then admits up to the whole limit). Either way each such check is counted,
and one warning is logged when an outage begins and one line when the store answers again. During
an outage checks skip the store for `retry_interval` seconds; then a single check tries it again.

Callers are identified in the store by a pseudonym of their key (a keyed hash when the gateway
passes one), never by their subject or address in clear. With Redis every replica must compute the
same pseudonym (the shared keyring's, or the default digest), or each keeps its own buckets.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Literal

from gateway.errors import RateLimited, RateLimitUnavailable
from gateway.ratelimit.buckets import (
    BucketCheck,
    BucketSpec,
    BucketStore,
    MemoryBuckets,
    StoreUnavailable,
    Verdict,
)
from gateway.ratelimit.config import RateLimitsConfig, RouteRateLimit
from gateway.ratelimit.metrics import RateLimitMetrics
from gateway.ratelimit.redis_backend import RedisBuckets

LOG = logging.getLogger("gerbang.ratelimit")
PER_PRINCIPAL = "per_principal"
PER_SERVICE = "per_service"


def digest_pseudonym(key: str) -> str:
    """An unkeyed 128-bit digest: the default when the gateway supplies no keyed pseudonym."""
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


class _RouteBuckets:
    __slots__ = ("principal", "service")

    def __init__(self, route: str, limits: RouteRateLimit) -> None:
        self.principal = BucketSpec.of(limits.per_principal) if limits.per_principal else None
        self.service = (
            BucketCheck(f"{{{route}}}:s", BucketSpec.of(limits.per_service), PER_SERVICE)
            if limits.per_service
            else None
        )


class RateLimiter:
    """Checks requests against their route's buckets; routes without limits pass untouched."""

    def __init__(
        self,
        limits: Mapping[str, RouteRateLimit],
        store: BucketStore | None = None,
        *,
        on_store_failure: Literal["refuse", "local"] = "refuse",
        retry_interval: float = 1.0,
        max_local_buckets: int = 100_000,
        metrics: RateLimitMetrics | None = None,
        pseudonym: Callable[[str], str] = digest_pseudonym,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._routes = {name: _RouteBuckets(name, route) for name, route in limits.items()}
        self._local = MemoryBuckets(max_buckets=max_local_buckets, clock=clock)
        self._store: BucketStore = store if store is not None else self._local
        self._refuse = on_store_failure == "refuse"
        self._retry_interval = retry_interval
        self.metrics = metrics if metrics is not None else RateLimitMetrics()
        self._pseudonym = pseudonym
        self._clock = clock
        self._outage = False
        self._probing = False
        self._retry_at = 0.0

    @classmethod
    def from_config(
        cls,
        config: RateLimitsConfig,
        limits: Mapping[str, RouteRateLimit],
        *,
        metrics: RateLimitMetrics | None = None,
        pseudonym: Callable[[str], str] = digest_pseudonym,
    ) -> RateLimiter:
        """The limiter `[rate_limits]` describes, for the routes that have a `rate_limit`."""
        store: BucketStore | None = None
        if config.store == "redis":
            assert config.redis_url is not None  # the config model requires it
            password = config.redis_password.reveal() if config.redis_password else None
            store = RedisBuckets(config.redis_url, timeout=config.timeout, password=password)
        return cls(
            limits,
            store,
            on_store_failure=config.on_store_failure,
            retry_interval=config.retry_interval,
            max_local_buckets=config.max_local_buckets,
            metrics=metrics,
            pseudonym=pseudonym,
        )

    def applies(self, route_name: str) -> bool:
        """Whether the route has any limit."""
        return route_name in self._routes

    async def check(self, route_name: str, principal_key: str) -> None:
        """Take a token for this caller on this route; raises RateLimited (429) when a bucket is
        empty and RateLimitUnavailable (503) when the store is down and the config says refuse."""
        route = self._routes.get(route_name)
        if route is None:
            return
        checks: list[BucketCheck] = []
        if route.principal is not None:
            key = f"{{{route_name}}}:p:{self._pseudonym(principal_key)}"
            checks.append(BucketCheck(key, route.principal, PER_PRINCIPAL))
        if route.service is not None:
            checks.append(route.service)
        verdict = await self._acquire(checks)
        if not verdict.allowed:
            bucket = verdict.limited_by or PER_SERVICE
            self.metrics.count_limited(route_name, bucket)
            raise RateLimited(
                verdict.retry_after, f"the {bucket.replace('_', '-')} rate limit is used up"
            )

    async def _acquire(self, checks: list[BucketCheck]) -> Verdict:
        if self._store is self._local:
            return self._local.take(checks)
        if self._outage and (self._probing or self._clock() < self._retry_at):
            return self._without_store(checks)
        probe = self._outage  # the one check that tries the store again during an outage
        if probe:
            self._probing = True
        try:
            verdict = await self._store.acquire(checks)
        except StoreUnavailable as exc:
            self._store_failed(str(exc))
            return self._without_store(checks)
        finally:
            if probe:
                self._probing = False
        if self._outage:
            self._outage = False
            LOG.info("rate-limit store reachable again")
        return verdict

    def _store_failed(self, error: str) -> None:
        self._retry_at = self._clock() + self._retry_interval
        if self._outage:
            return
        self._outage = True
        self.metrics.outages += 1
        LOG.warning(
            "rate-limit store unreachable: %s until it answers",
            "refusing rate-limited requests (503)" if self._refuse else "using per-process limits",
            extra={"error": error, "on_store_failure": "refuse" if self._refuse else "local"},
        )

    def _without_store(self, checks: list[BucketCheck]) -> Verdict:
        if self._refuse:
            self.metrics.count_without_store("refused")
            raise RateLimitUnavailable()
        self.metrics.count_without_store("local")
        return self._local.take(checks)

    async def close(self) -> None:
        """Close the store's connections."""
        await self._store.close()
