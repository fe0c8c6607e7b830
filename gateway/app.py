"""The proxy application of one worker process."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gateway.config import GatewayConfig
from gateway.metrics import ProxyMetrics
from gateway.pipeline import Pipeline, build_stages
from gateway.routes import RouteTable
from gateway.upstream import UpstreamClient

UPSTREAM = web.AppKey("upstream", UpstreamClient)


def create_proxy_app(config: GatewayConfig, metrics: ProxyMetrics) -> web.Application:
    """An aiohttp application that sends every request through the pipeline."""
    upstream = UpstreamClient(config.upstream_pool, config.routes)
    pipeline = Pipeline(
        build_stages(RouteTable(config.routes), upstream, metrics),
        metrics,
        access_log=config.server.access_log,
    )
    app = web.Application()
    app[UPSTREAM] = upstream
    app.router.add_route("*", "/{tail:.*}", pipeline.handle)

    async def upstream_pool(app: web.Application) -> AsyncIterator[None]:
        await upstream.start()
        yield
        await upstream.close()

    app.cleanup_ctx.append(upstream_pool)
    return app
