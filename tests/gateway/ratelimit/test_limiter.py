"""The limiter: which buckets a request takes from, and what happens when Redis is unreachable."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

import pytest
from prometheus_client import CollectorRegistry

from gateway.errors import RateLimited, RateLimitUnavailable
from gateway.ratelimit.config import RateLimitsConfig, RouteRateLimit
from gateway.ratelimit.limiter import RateLimiter
from gateway.ratelimit.metrics import RateLimitMetrics
from gateway.ratelimit.redis_backend import RedisBuckets
from tests.gateway.ratelimit.conftest import RedisProcess, free_port

ALICE, BOB, CAROL, DAVE = (f"principal\x1fhttps://idp.example\x1fuser-{n}" for n in range(4))
UNAVAILABLE = "gerbang_rate_limit_store_unavailable_total"


def shared_limits(route: str) -> dict[str, RouteRateLimit]:
    return {
        route: RouteRateLimit.model_validate(
            {"per_principal": {"rate": 2, "per": 60.0}, "per_service": {"rate": 5, "per": 60.0}}
        )
    }


@pytest.fixture(params=["memory", "redis"])
async def make_limiter(
    request: pytest.FixtureRequest,
) -> AsyncIterator[Callable[[dict[str, RouteRateLimit]], RateLimiter]]:
    made: list[RateLimiter] = []

    def make(route_limits: dict[str, RouteRateLimit]) -> RateLimiter:
        if request.param == "redis":
            url = request.getfixturevalue("redis_url")
            config = RateLimitsConfig(store="redis", redis_url=url, timeout=2.0)
        else:
            config = RateLimitsConfig()
        made.append(RateLimiter.from_config(config, route_limits))
        return made[-1]

    yield make
    for limiter in made:
        await limiter.close()


async def admitted(limiter: RateLimiter, route: str, caller: str) -> str:
    try:
        await limiter.check(route, caller)
    except RateLimited as refused:
        return "refused: " + refused.detail
    return "admitted"


async def test_when_callers_share_a_service_then_each_has_a_bucket_and_the_service_caps_all(
    make_limiter: Callable[[dict[str, RouteRateLimit]], RateLimiter], route_name: str
):
    limiter = make_limiter(shared_limits(route_name))
    by_caller = "refused: the per-principal rate limit is used up"
    by_service = "refused: the per-service rate limit is used up"
    assert [await admitted(limiter, route_name, ALICE) for _ in range(4)] == [
        "admitted", "admitted", by_caller, by_caller,
    ]  # fmt: skip
    # Alice's refusals took nothing from the service: Bob and Carol get the other 3.
    assert [await admitted(limiter, route_name, BOB) for _ in range(3)] == [
        "admitted", "admitted", by_caller,
    ]  # fmt: skip
    assert await admitted(limiter, route_name, CAROL) == "admitted"
    assert await admitted(limiter, route_name, DAVE) == by_service
    assert await admitted(limiter, route_name, CAROL) == by_service
    assert limiter.metrics.limited == {
        (route_name, "per_principal"): 3,
        (route_name, "per_service"): 2,
    }


async def test_when_a_route_has_no_limits_then_every_request_passes(
    make_limiter: Callable[[dict[str, RouteRateLimit]], RateLimiter], route_name: str
):
    limiter = make_limiter(shared_limits(route_name))
    assert not limiter.applies("other-route")
    for _ in range(20):
        await limiter.check("other-route", ALICE)


def unreachable(route: str, on_failure: str, registry: CollectorRegistry) -> RateLimiter:
    config = RateLimitsConfig(
        store="redis",
        redis_url=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        on_store_failure=on_failure,  # type: ignore[arg-type]
    )
    return RateLimiter.from_config(config, shared_limits(route), metrics=RateLimitMetrics(registry))


async def test_when_redis_is_down_and_the_config_says_refuse_then_503_counted_and_one_warning(
    route_name: str, caplog: pytest.LogCaptureFixture
):
    registry = CollectorRegistry()
    limiter = unreachable(route_name, "refuse", registry)
    with caplog.at_level(logging.INFO, logger="gerbang.ratelimit"):
        for _ in range(5):
            with pytest.raises(RateLimitUnavailable) as refused:
                await limiter.check(route_name, ALICE)
    assert refused.value.status == 503
    assert refused.value.code == "rate_limit_unavailable"
    assert registry.get_sample_value(UNAVAILABLE, {"action": "refused"}) == 5
    assert registry.get_sample_value("gerbang_rate_limit_store_outages_total") == 1
    (warning,) = caplog.records
    assert warning.levelno == logging.WARNING
    assert "refusing" in warning.getMessage()
    await limiter.close()


async def test_when_redis_is_down_and_the_config_says_local_then_process_buckets_decide(
    route_name: str, caplog: pytest.LogCaptureFixture
):
    registry = CollectorRegistry()
    limiter = unreachable(route_name, "local", registry)
    with caplog.at_level(logging.INFO, logger="gerbang.ratelimit"):
        results = [await admitted(limiter, route_name, ALICE) for _ in range(3)]
    assert results[:2] == ["admitted", "admitted"]
    assert results[2].startswith("refused")
    assert registry.get_sample_value(UNAVAILABLE, {"action": "local"}) == 3
    assert registry.get_sample_value(UNAVAILABLE, {"action": "refused"}) is None
    (warning,) = caplog.records
    assert "per-process" in warning.getMessage()
    await limiter.close()


async def test_when_redis_comes_back_then_checks_use_it_and_a_new_outage_warns_again(
    redis_process: RedisProcess, route_name: str, caplog: pytest.LogCaptureFixture
):
    limiter = RateLimiter(
        shared_limits(route_name),
        RedisBuckets(redis_process.url, timeout=0.5),
        retry_interval=0.05,
    )
    with caplog.at_level(logging.INFO, logger="gerbang.ratelimit"):
        await limiter.check(route_name, ALICE)
        redis_process.stop()
        for _ in range(3):
            with pytest.raises(RateLimitUnavailable):
                await limiter.check(route_name, ALICE)
        redis_process.start()  # same port, empty: the buckets start full
        await asyncio.sleep(0.06)
        await limiter.check(route_name, ALICE)
        await limiter.check(route_name, ALICE)
        with pytest.raises(RateLimited):
            await limiter.check(route_name, ALICE)
        redis_process.stop()
        with pytest.raises(RateLimitUnavailable):
            await limiter.check(route_name, ALICE)
    messages = [(r.levelname, r.getMessage().split(":")[0]) for r in caplog.records]
    assert messages == [
        ("WARNING", "rate-limit store unreachable"),
        ("INFO", "rate-limit store reachable again"),
        ("WARNING", "rate-limit store unreachable"),
    ]
    assert limiter.metrics.outages == 2
    assert limiter.metrics.without_store == {"refused": 4}
    await limiter.close()
