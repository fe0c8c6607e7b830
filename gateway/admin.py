"""The operations listener: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

Probe = Callable[[], dict[str, Any]]


def create_admin_app(
    registry: CollectorRegistry, *, is_ready: Callable[[], bool], health: Probe | None = None
) -> web.Application:
    """`/healthz` (the process lives), `/readyz` (it serves traffic), `/metrics` (Prometheus)."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", **(health() if health else {})})

    async def readyz(_: web.Request) -> web.Response:
        if is_ready():
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "not_ready"}, status=503)

    async def metrics(_: web.Request) -> web.Response:
        response = web.Response(body=generate_latest(registry))
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app
