"""Buckets in a real Redis: the atomic script, shared by replicas, reloaded after SCRIPT FLUSH."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis

from gateway.errors import RateLimited
from gateway.ratelimit.buckets import BucketCheck, BucketSpec
from gateway.ratelimit.config import RouteRateLimit
from gateway.ratelimit.limiter import RateLimiter
from gateway.ratelimit.redis_backend import KEY_PREFIX, TAKE, RedisBuckets

SUBJECT = "principal\x1fhttps://idp.example\x1fsynthetic-user-1"


def limits(route: str, **buckets: dict[str, float]) -> dict[str, RouteRateLimit]:
    return {route: RouteRateLimit.model_validate(buckets)}


@pytest.fixture
async def replica(redis_url: str) -> AsyncIterator[Callable[..., RateLimiter]]:
    """Makes limiters that each have their own Redis connections, like separate replicas."""
    made: list[RateLimiter] = []

    def make(route_limits: dict[str, RouteRateLimit]) -> RateLimiter:
        limiter = RateLimiter(route_limits, RedisBuckets(redis_url, timeout=2.0))
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.close()


@pytest.fixture
async def admin(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def outcome(limiter: RateLimiter, route: str, caller: str = SUBJECT) -> int:
    """Seconds of Retry-After when refused, 0 when admitted."""
    try:
        await limiter.check(route, caller)
    except RateLimited as refused:
        return refused.retry_after
    return 0


async def test_when_the_burst_is_used_up_then_refused_with_retry_after_rounded_up(
    replica: Callable[..., RateLimiter], route_name: str
):
    limiter = replica(limits(route_name, per_principal={"rate": 1, "per": 3.0, "burst": 2}))
    assert [await outcome(limiter, route_name) for _ in range(3)] == [0, 0, 3]
    with pytest.raises(RateLimited) as refused:
        await limiter.check(route_name, SUBJECT)
    assert refused.value.headers == {"Retry-After": "3"}
    assert refused.value.status == 429
    assert refused.value.code == "rate_limited"


async def test_when_time_passes_then_the_bucket_refills(redis_url: str, route_name: str):
    store = RedisBuckets(redis_url, timeout=2.0)
    service = BucketCheck(f"{{{route_name}}}:s", BucketSpec(1.0, 5.0), "per_service")
    assert (await store.acquire([service])).allowed
    refused = await store.acquire([service])
    assert not refused.allowed
    assert 0.1 < refused.retry_after <= 0.2  # one token every 0.2 s
    assert refused.limited_by == "per_service"
    await asyncio.sleep(refused.retry_after + 0.02)
    assert (await store.acquire([service])).allowed
    await store.close()


async def test_when_two_replicas_share_redis_then_one_global_limit_holds(
    replica: Callable[..., RateLimiter], route_name: str
):
    config = limits(route_name, per_service={"rate": 5, "per": 60.0})
    first, second = replica(config), replica(config)
    # Sequential, alternating between replicas: 5 admitted in all, not 5 each.
    results = [await outcome((first, second)[i % 2], route_name) for i in range(8)]
    assert results.count(0) == 5
    # Concurrent, on a fresh route: the script is atomic, so still exactly the burst.
    other = f"{route_name}-c"
    config = limits(other, per_principal={"rate": 7, "per": 60.0})
    first, second = replica(config), replica(config)
    results = await asyncio.gather(*(outcome((first, second)[i % 2], other) for i in range(40)))
    assert results.count(0) == 7


async def test_when_scripts_are_flushed_then_the_script_is_loaded_again_and_state_kept(
    replica: Callable[..., RateLimiter], admin: aioredis.Redis, route_name: str
):
    limiter = replica(limits(route_name, per_principal={"rate": 1, "per": 60.0, "burst": 2}))
    assert await outcome(limiter, route_name) == 0
    await admin.script_flush()
    assert await admin.script_exists(TAKE.sha) == [False]
    evals_before = await _calls(admin, "eval")
    assert await outcome(limiter, route_name) == 0  # NOSCRIPT, then EVAL
    assert await _calls(admin, "eval") == evals_before + 1
    assert await admin.script_exists(TAKE.sha) == [True]
    assert await outcome(limiter, route_name) > 0  # the bucket kept its level across the flush


async def _calls(admin: aioredis.Redis, command: str) -> int:
    stats = await admin.info("commandstats")
    entry = stats.get(f"cmdstat_{command}", {})
    return int(entry.get("calls", 0)) if isinstance(entry, dict) else 0


async def test_when_buckets_are_stored_then_keys_hold_no_caller_and_expire(
    replica: Callable[..., RateLimiter], admin: aioredis.Redis, route_name: str
):
    limiter = replica(
        limits(
            route_name,
            per_principal={"rate": 10, "per": 1.0},
            per_service={"rate": 100, "per": 1.0},
        )
    )
    await limiter.check(route_name, SUBJECT)
    keys = sorted([k.decode() async for k in admin.scan_iter(f"{KEY_PREFIX}{{{route_name}}}*")])
    assert len(keys) == 2
    assert all("synthetic-user-1" not in key and "idp.example" not in key for key in keys)
    for key in keys:
        assert 0 < await admin.pttl(key) <= 2_000  # gone once it would be full again (+1 s)


async def test_when_redis_answers_slowly_then_the_check_gives_up_within_the_timeout(
    route_name: str,
):
    done = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)  # accept, read the command, never answer
        await done.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    store = RedisBuckets(f"redis://127.0.0.1:{port}/0", timeout=0.1)
    limiter = RateLimiter(
        limits(route_name, per_service={"rate": 1, "per": 1.0}),
        store,
        on_store_failure="local",
    )
    started = time.perf_counter()
    await limiter.check(route_name, SUBJECT)  # decided locally after the timeout
    first = time.perf_counter() - started
    started = time.perf_counter()
    assert await outcome(limiter, route_name) > 0  # the store is skipped during the outage
    second = time.perf_counter() - started
    assert first < 1.0
    assert second < 0.05
    await limiter.close()
    done.set()
    server.close()
    await server.wait_closed()
