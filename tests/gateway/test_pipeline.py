"""The pipeline: stages run in order, a stage can end the exchange, failures fail closed."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from gateway.config import config_from_mapping
from gateway.exchange import Exchange
from gateway.logs import JsonFormatter
from gateway.metrics import ProxyMetrics
from gateway.pipeline import Pipeline
from gateway.routes import RouteTable
from gateway.stages.forward import ForwardUpstream
from gateway.stages.route import ResolveRoute
from gateway.upstream import UpstreamClient
from tests.gateway.process import route
from tests.gateway.upstream_app import UpstreamState, create_upstream

SYNTHETIC_NIK = "3201012345678901"


class Explodes:
    """A stage with a bug: its exception message quotes request data."""

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        raise ValueError(f"could not parse {SYNTHETIC_NIK}")


class Answers:
    """A stage that ends the exchange itself."""

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        return web.Response(status=203, text="answered by a stage")


class Passes:
    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        return None


@pytest.fixture
async def serve_stages(aiohttp_server: Any, aiohttp_raw_server: Any, aiohttp_client: Any) -> Any:
    """Serve a pipeline made of ResolveRoute, the given stages, then ForwardUpstream."""
    state = UpstreamState()
    upstream = await aiohttp_server(create_upstream(state))
    config = config_from_mapping({"routes": [route("svc", "/", str(upstream.make_url("")))]})
    client_pool = UpstreamClient(config.upstream_pool, config.routes)
    await client_pool.start()
    metrics = ProxyMetrics(CollectorRegistry())

    async def build(*middle: Any) -> Any:
        stages = (ResolveRoute(RouteTable(config.routes)), *middle)
        stages += (ForwardUpstream(client_pool, metrics),)
        pipeline = Pipeline(stages, metrics, None)
        return await aiohttp_client(await aiohttp_raw_server(pipeline.handle)), state

    yield build
    await client_pool.close()


async def test_when_a_stage_raises_unexpectedly_then_500_and_nothing_is_forwarded(
    serve_stages: Any, caplog: pytest.LogCaptureFixture
):
    client, upstream = await serve_stages(Explodes())
    with caplog.at_level(logging.ERROR, logger="gerbang.pipeline"):
        async with client.post("/echo", data=SYNTHETIC_NIK) as resp:
            assert resp.status == 500
            assert resp.content_type == "application/problem+json"
            problem = await resp.json()
    assert problem["code"] == "internal_error"
    assert SYNTHETIC_NIK not in str(problem)
    assert upstream.hits == 0
    (record,) = caplog.records
    line = JsonFormatter().format(record)
    assert '"error_type": "ValueError"' in line
    assert SYNTHETIC_NIK not in line  # the message quoting request data is never logged


async def test_when_a_stage_answers_then_later_stages_do_not_run(serve_stages: Any):
    client, upstream = await serve_stages(Passes(), Answers(), Explodes())
    async with client.get("/echo") as resp:
        assert resp.status == 203
        assert await resp.text() == "answered by a stage"
    assert upstream.hits == 0


async def test_when_every_stage_passes_then_the_exchange_is_forwarded(serve_stages: Any):
    client, upstream = await serve_stages(Passes(), Passes())
    async with client.get("/echo") as resp:
        assert resp.status == 200
    assert upstream.hits == 1
