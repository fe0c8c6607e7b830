"""Serving one worker process: the proxy listener, optionally the admin listener, and shutdown.

Shutdown on SIGTERM or SIGINT: readiness turns false, the listener stops accepting, exchanges in
flight get `server.shutdown_timeout` seconds to finish, then whatever is left is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from prometheus_client import CollectorRegistry

from gateway.admin import create_admin_app
from gateway.app import ProxyService
from gateway.config import GatewayConfig
from gateway.errors import ConfigError
from gateway.metrics import ProxyMetrics, process_registry, publish_snapshots
from gateway.tls import server_ssl_context, upstream_ssl_context

LOG = logging.getLogger("gerbang.server")


def preflight(config: GatewayConfig) -> None:
    """Check what validation alone cannot: TLS files load, secrets resolve, ports fit workers."""
    if config.server.tls is not None:
        server_ssl_context(config.server.tls)
    for route in config.routes:
        if route.upstream_url.scheme == "https":
            upstream_ssl_context(route)
    if config.server.workers > 1 and config.server.port == 0:
        raise ConfigError("server.port: a fixed port is needed when workers > 1")


@dataclass
class ServingState:
    """What the readiness probe reports."""

    ready: bool = False


async def serve(
    config: GatewayConfig,
    *,
    reuse_port: bool = False,
    with_admin: bool = True,
    registry: CollectorRegistry | None = None,
    on_ready: Callable[[], None] | None = None,
    stop: asyncio.Event | None = None,
    metrics_dir: Path | None = None,
    worker_slot: int = 0,
) -> None:
    """Serve until SIGTERM/SIGINT (or `stop` is set), then shut down gracefully.

    With `metrics_dir` (a worker of several) the metrics are published there for the supervisor.
    """
    registry = registry if registry is not None else process_registry()
    state = ServingState()
    metrics = ProxyMetrics(registry)
    publisher = (
        asyncio.create_task(publish_snapshots(metrics, metrics_dir)) if metrics_dir else None
    )
    proxy = ProxyService(config, metrics, worker_slot=worker_slot)
    proxy_runner = proxy.runner()
    admin_runner: web.AppRunner | None = None
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task[None]] = set()

    def reload_policy() -> None:  # SIGHUP: exchanges in flight keep the policy they started with
        task = loop.create_task(proxy.parts.reload_policy())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, reload_policy)
    try:
        await proxy.start()
        await proxy_runner.setup()
        ssl_context = server_ssl_context(config.server.tls) if config.server.tls else None
        site = web.TCPSite(
            proxy_runner,
            config.server.host,
            config.server.port,
            ssl_context=ssl_context,
            reuse_port=reuse_port,
            backlog=1024,
        )
        await site.start()
        if with_admin and config.admin.enabled:
            admin_runner = web.AppRunner(
                create_admin_app(registry, is_ready=lambda: state.ready),
                handle_signals=False,
                access_log=None,
            )
            await admin_runner.setup()
            await web.TCPSite(admin_runner, config.admin.host, config.admin.port).start()
        # Everything allocated at start-up lives as long as the process: keep it out of the
        # cyclic collector's way so collections stay short under load.
        gc.freeze()
        state.ready = True
        LOG.info(
            "serving",
            extra={
                "listen": site.name,
                "routes": len(config.routes),
                "admin": f"{config.admin.host}:{config.admin.port}"
                if admin_runner is not None
                else None,
            },
        )
        if on_ready is not None:
            on_ready()
        await stop.wait()
        LOG.info("shutting down", extra={"deadline_s": config.server.shutdown_timeout})
    finally:
        state.ready = False
        # The handlers stay until the drain is over: a second SIGTERM (systemd signals the whole
        # control group; Ctrl-C reaches every worker) must not kill in-flight exchanges.
        await proxy_runner.cleanup()
        await proxy.close()
        if publisher is not None:
            publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await publisher
        if admin_runner is not None:
            await admin_runner.cleanup()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        LOG.info("stopped")
