"""The proxy of one worker process: pipeline, upstream pool and access log, served low-level.

The proxy needs no URL dispatcher or middleware chain (routing is the pipeline's first stage), so
it runs on aiohttp's low-level `web.Server` and skips that per-request work.
"""

from __future__ import annotations

import ipaddress
import re
import socket

from aiohttp import web

from gateway.access_log import AccessLog
from gateway.client_address import ClientAddresses
from gateway.components import Components
from gateway.config import GatewayConfig
from gateway.metrics import ProxyMetrics
from gateway.pipeline import Pipeline, build_stages
from gateway.routes import RouteTable
from gateway.upstream import UpstreamClient


def audit_stream_name(worker_slot: int) -> str:
    """This process's own audit stream: host name and worker slot (one writer per stream).

    A replaced worker takes over its slot's stream (and recovers it); replicas on other hosts
    sharing one volume never write the same stream.
    """
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())[:48] or "host"
    return f"{host}-worker-{worker_slot}"


class ProxyService:
    """Everything one worker needs to proxy; `handle` is the aiohttp request handler."""

    def __init__(
        self, config: GatewayConfig, metrics: ProxyMetrics, *, worker_slot: int = 0
    ) -> None:
        self._config = config
        self.upstream = UpstreamClient(config.upstream_pool, config.routes)
        self.access_log = AccessLog(config.logging.format) if config.server.access_log else None
        self.parts = Components.build(
            config,
            audit_stream=audit_stream_name(worker_slot),
            rate_limit_metrics=metrics.rate_limits,
        )
        metrics.findings_cache = self.parts.findings_cache
        stages = build_stages(RouteTable(config.routes), self.upstream, metrics, self.parts)
        addresses = ClientAddresses(
            [ipaddress.ip_network(net) for net in config.server.trusted_proxies]
        )
        self.handle = Pipeline(
            stages, metrics, self.access_log, self.parts.audit, client_addresses=addresses
        ).handle

    async def start(self) -> None:
        """Open the upstream pool, the audit log and the policy engine."""
        await self.upstream.start()
        await self.parts.start()

    async def close(self) -> None:
        """Close pools, flush the audit log and pending access lines (after the drain)."""
        await self.upstream.close()
        await self.parts.close()
        if self.access_log is not None:
            self.access_log.flush()

    def server(self) -> web.Server:
        """A low-level aiohttp server for this proxy (call inside the running loop)."""
        return web.Server(self.handle, handler_cancellation=True, access_log=None)

    def runner(self) -> web.ServerRunner:
        """A runner that drains in-flight exchanges for `server.shutdown_timeout` on cleanup."""
        return web.ServerRunner(
            self.server(),
            handle_signals=False,
            shutdown_timeout=self._config.server.shutdown_timeout,
        )
