"""The RateLimit stage in a real pipeline: 429 problem+json with Retry-After, 503 when Redis is
down and the config refuses, callers told apart by principal or, on public routes, by address."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from aiohttp import web
from multidict import CIMultiDict
from prometheus_client import CollectorRegistry

from gateway.auth.principal import Principal
from gateway.client_address import ClientAddresses
from gateway.config import config_from_mapping
from gateway.errors import RateLimited
from gateway.exchange import Exchange
from gateway.metrics import ProxyMetrics
from gateway.pipeline import Pipeline
from gateway.problem import problem_response
from gateway.ratelimit.config import RateLimitsConfig, RouteRateLimit
from gateway.ratelimit.limiter import RateLimiter
from gateway.routes import RouteTable
from gateway.stages.rate_limit import RateLimit
from gateway.stages.route import ResolveRoute
from tests.gateway.process import route
from tests.gateway.ratelimit.conftest import free_port

LIMITED = RouteRateLimit.model_validate(
    {"per_principal": {"rate": 1, "per": 60.0}, "per_service": {"rate": 3, "per": 60.0}}
)


class Identify:
    """Stands in for authentication: the caller named in a test header becomes the principal."""

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        subject = exchange.request.headers.get("X-Test-Subject")
        if subject is not None:
            exchange.principal = Principal(
                issuer="https://idp.example", subject=subject, client_id=None, roles=(),
                groups=(), scopes=(), agency=None, authenticated_by="jwt", expires_at=None,
            )  # fmt: skip
        return None


class Answers:
    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        return web.Response(text="answered")


@pytest.fixture
async def serve(aiohttp_raw_server: Any, aiohttp_client: Any, route_name: str) -> Any:
    config = config_from_mapping(
        {
            "routes": [
                route(route_name, "/limited", "http://127.0.0.1:9/"),
                route("open", "/open", "http://127.0.0.1:9/"),
            ]
        }
    )
    limiters: list[RateLimiter] = []

    async def build(settings: RateLimitsConfig, trusted: tuple[str, ...] = ()) -> Any:
        limiter = RateLimiter.from_config(settings, {route_name: LIMITED})
        limiters.append(limiter)
        stages = (
            ResolveRoute(RouteTable(config.routes)),
            Identify(),
            RateLimit(limiter),
            Answers(),
        )
        addresses = ClientAddresses([ipaddress.ip_network(net) for net in trusted])
        pipeline = Pipeline(
            stages, ProxyMetrics(CollectorRegistry()), None, client_addresses=addresses
        )
        return await aiohttp_client(await aiohttp_raw_server(pipeline.handle))

    yield build
    for limiter in limiters:
        await limiter.close()


async def test_when_a_caller_exceeds_the_limit_then_429_problem_with_retry_after(serve: Any):
    client = await serve(RateLimitsConfig())
    async with client.get("/limited", headers={"X-Test-Subject": "user-1"}) as resp:
        assert resp.status == 200
    async with client.get("/limited", headers={"X-Test-Subject": "user-1"}) as resp:
        assert resp.status == 429
        assert resp.content_type == "application/problem+json"
        assert resp.headers["Retry-After"] == "60"
        problem = await resp.json()
    assert problem["code"] == "rate_limited"
    assert problem["status"] == 429
    assert problem["request_id"] == resp.headers["X-Request-ID"]
    assert "user-1" not in str(problem)
    async with client.get("/limited", headers={"X-Test-Subject": "user-2"}) as resp:
        assert resp.status == 200  # another principal has its own bucket


async def test_when_the_route_has_no_limit_then_the_stage_passes(serve: Any):
    client = await serve(RateLimitsConfig())
    for _ in range(10):
        async with client.get("/open") as resp:
            assert resp.status == 200


async def test_when_a_public_caller_has_no_principal_then_its_address_is_the_bucket(serve: Any):
    client = await serve(RateLimitsConfig())
    statuses = []
    for _ in range(2):
        async with client.get("/limited") as resp:
            statuses.append(resp.status)
    assert statuses == [200, 429]


async def _statuses(client: Any, *forwarded_for: str) -> list[int]:
    statuses = []
    for chain in forwarded_for:
        async with client.get("/limited", headers={"X-Forwarded-For": chain}) as resp:
            statuses.append(resp.status)
    return statuses


async def test_when_behind_a_trusted_balancer_then_each_forwarded_client_has_its_bucket(
    serve: Any,
):
    client = await serve(RateLimitsConfig(), trusted=("127.0.0.0/8",))  # the balancer's network
    assert await _statuses(client, "203.0.113.7", "203.0.113.8") == [200, 200]
    # What a client prepends cannot move it to another bucket: the balancer appended its address.
    assert await _statuses(client, "198.51.100.9, 203.0.113.7") == [429]
    # Nor can a header line of its own, when the balancer adds another line after it.
    lines = [("X-Forwarded-For", "198.51.100.10"), ("X-Forwarded-For", "203.0.113.8")]
    async with client.get("/limited", headers=CIMultiDict(lines)) as resp:
        assert resp.status == 429


async def test_when_the_peer_is_not_a_trusted_proxy_then_forwarded_for_is_ignored(serve: Any):
    client = await serve(RateLimitsConfig())
    assert await _statuses(client, "203.0.113.7", "203.0.113.8") == [200, 429]


async def test_when_redis_is_down_and_refuse_is_configured_then_503_problem(serve: Any):
    down = f"redis://127.0.0.1:{free_port()}/0"
    client = await serve(RateLimitsConfig(store="redis", redis_url=down))
    async with client.get("/limited", headers={"X-Test-Subject": "user-1"}) as resp:
        assert resp.status == 503
        assert (await resp.json())["code"] == "rate_limit_unavailable"
        assert "Retry-After" not in resp.headers
    async with client.get("/open") as resp:
        assert resp.status == 200  # routes without limits never need the store


async def test_when_two_gateways_share_redis_then_the_service_limit_is_global(
    serve: Any, redis_url: str
):
    settings = RateLimitsConfig(store="redis", redis_url=redis_url)
    gateways = [await serve(settings), await serve(settings)]
    statuses = []
    for n in range(6):
        headers = {"X-Test-Subject": f"user-{n}"}
        async with gateways[n % 2].get("/limited", headers=headers) as resp:
            statuses.append(resp.status)
    assert statuses == [200, 200, 200, 429, 429, 429]


@pytest.mark.parametrize(
    ("wait", "header"), [(0.001, "1"), (1.0, "1"), (2.0001, "3"), (59.5, "60")]
)
def test_when_retry_after_is_fractional_then_the_header_rounds_up(wait: float, header: str):
    response = problem_response(RateLimited(wait), "req-1")
    assert response.status == 429
    assert response.headers["Retry-After"] == header
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["X-Request-ID"] == "req-1"
